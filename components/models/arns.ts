/**
 * Model-version ARNs: the values promotions move between environments. Pure parsing, shared by
 * the config schema, components, policies and the promotion command.
 */
import { ACCOUNT_PATTERN, PARTITION_PATTERN, REGION_PATTERN, arn as buildArn } from "../aws";

export type ModelKind = "rekognition" | "sagemaker" | "comprehend";

export interface RekognitionVersionArn {
  kind: "rekognition";
  arn: string;
  partition: string;
  region: string;
  account: string;
  /** Project name. */
  project: string;
  /** Project ARN (`arn:…:project/<name>/<creation timestamp>` is the API form; this is the prefix form). */
  projectArnPrefix: string;
  /** Version name. */
  version: string;
  /** Creation timestamp (epoch milliseconds, 13 digits). */
  timestamp: string;
}

export interface SageMakerModelArn {
  kind: "sagemaker";
  arn: string;
  partition: string;
  region: string;
  account: string;
  /** SageMaker model name. */
  name: string;
}

/** A Comprehend custom entity recognizer version: `entity-recognizer/<name>/version/<version>`. */
export interface ComprehendRecognizerVersionArn {
  kind: "comprehend";
  arn: string;
  partition: string;
  region: string;
  account: string;
  /** Recognizer name. */
  recognizer: string;
  /** Version name. */
  version: string;
}

export type ModelVersionArn = RekognitionVersionArn | SageMakerModelArn | ComprehendRecognizerVersionArn;

const PARTITION = `(${PARTITION_PATTERN})`;
const REGION = `(${REGION_PATTERN})`;
const ACCOUNT = `(${ACCOUNT_PATTERN})`;
// Rekognition project and version names: 1-255 of [a-zA-Z0-9_.\-]
const RK_NAME = "([a-zA-Z0-9_.\\-]{1,255})";
/**
 * A Rekognition Custom Labels project-version ARN
 * (`…:project/<project>/version/<version>/<13-digit creation timestamp>`); captures the partition,
 * region, account, project, version and timestamp.
 */
export const REKOGNITION_PROJECT_VERSION_ARN = new RegExp(
  `^arn:${PARTITION}:rekognition:${REGION}:${ACCOUNT}:project/${RK_NAME}/version/${RK_NAME}/(\\d{13})$`,
);
/** A Rekognition Custom Labels project ARN (`…:project/<name>/<13-digit creation timestamp>`); captures the partition, region, account and name. */
export const REKOGNITION_PROJECT_ARN = new RegExp(`^arn:${PARTITION}:rekognition:${REGION}:${ACCOUNT}:project/${RK_NAME}/\\d{13}$`);
// SageMaker model names: 1-63 of [a-zA-Z0-9-], starting alphanumeric.
/** A SageMaker model ARN; captures the partition, region, account and model name. */
export const SAGEMAKER_MODEL_ARN = new RegExp(`^arn:${PARTITION}:sagemaker:${REGION}:${ACCOUNT}:model/([a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62})$`);
/** A SageMaker endpoint ARN (ARNs carry the endpoint name in lower case); captures the partition, region, account and name. */
export const SAGEMAKER_ENDPOINT_ARN = new RegExp(`^arn:${PARTITION}:sagemaker:${REGION}:${ACCOUNT}:endpoint/([a-z0-9](?:-*[a-z0-9]){0,62})$`);

// Comprehend recognizer and version names: 1-63 of [a-zA-Z0-9] with inner dashes.
const CM_NAME = "([a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62})";
/** A Comprehend entity-recognizer version ARN; captures the partition, region, account, recognizer and version. */
export const COMPREHEND_VERSION_ARN = new RegExp(`^arn:${PARTITION}:comprehend:${REGION}:${ACCOUNT}:entity-recognizer/${CM_NAME}/version/${CM_NAME}$`);

export const COMPREHEND_VERSION_ARN_SHAPE = "arn:aws:comprehend:<region>:<12-digit account>:entity-recognizer/<name>/version/<version>";
export const REKOGNITION_VERSION_ARN_SHAPE =
  "arn:aws:rekognition:<region>:<12-digit account>:project/<project>/version/<version>/<13-digit timestamp>";
export const SAGEMAKER_MODEL_ARN_SHAPE = "arn:aws:sagemaker:<region>:<12-digit account>:model/<model name>";

/** Parses a Rekognition Custom Labels project-version ARN, or throws naming the expected shape. */
export function parseRekognitionVersionArn(arn: string): RekognitionVersionArn {
  const m = REKOGNITION_PROJECT_VERSION_ARN.exec(arn);
  if (!m) throw new Error(`expected a Rekognition project-version ARN (${REKOGNITION_VERSION_ARN_SHAPE}); got '${arn}'`);
  const [, partition, region, account, project, version, timestamp] = m;
  return {
    kind: "rekognition",
    arn,
    partition,
    region,
    account,
    project,
    projectArnPrefix: buildArn(partition, "rekognition", region, account, `project/${project}`),
    version,
    timestamp,
  };
}

/** Parses a SageMaker model ARN, or throws naming the expected shape. */
export function parseSageMakerModelArn(arn: string): SageMakerModelArn {
  const m = SAGEMAKER_MODEL_ARN.exec(arn);
  if (!m) throw new Error(`expected a SageMaker model ARN (${SAGEMAKER_MODEL_ARN_SHAPE}); got '${arn}'`);
  const [, partition, region, account, name] = m;
  return { kind: "sagemaker", arn, partition, region, account, name };
}

/** Parses a Comprehend entity-recognizer version ARN, or throws naming the expected shape. */
export function parseComprehendVersionArn(arn: string): ComprehendRecognizerVersionArn {
  const m = COMPREHEND_VERSION_ARN.exec(arn);
  if (!m) throw new Error(`expected a Comprehend entity-recognizer version ARN (${COMPREHEND_VERSION_ARN_SHAPE}); got '${arn}'`);
  const [, partition, region, account, recognizer, version] = m;
  return { kind: "comprehend", arn, partition, region, account, recognizer, version };
}

const KIND_LABELS: Record<ModelKind, { label: string; shape: string }> = {
  rekognition: { label: "Rekognition project-version", shape: REKOGNITION_VERSION_ARN_SHAPE },
  sagemaker: { label: "SageMaker model", shape: SAGEMAKER_MODEL_ARN_SHAPE },
  comprehend: { label: "Comprehend entity-recognizer version", shape: COMPREHEND_VERSION_ARN_SHAPE },
};

/**
 * Parses a model-version ARN of any kind. With `kind`, the ARN must be of that kind
 * (a Rekognition model given a SageMaker ARN is refused).
 */
export function parseModelVersionArn(arn: string, kind?: ModelKind): ModelVersionArn {
  if (typeof arn !== "string") throw new Error(`expected a model-version ARN string; got ${JSON.stringify(arn)}`);
  const service = /^arn:[^:]*:([^:]*):/.exec(arn)?.[1];
  const wanted: ModelKind = kind ?? (service === "sagemaker" ? "sagemaker" : service === "comprehend" ? "comprehend" : "rekognition");
  if (kind && service !== kind) {
    throw new Error(`expected a ${KIND_LABELS[kind].label} ARN (${KIND_LABELS[kind].shape}); got '${arn}' (service '${service ?? "none"}')`);
  }
  if (wanted === "sagemaker") return parseSageMakerModelArn(arn);
  if (wanted === "comprehend") return parseComprehendVersionArn(arn);
  return parseRekognitionVersionArn(arn);
}

/**
 * Name of the SageMaker endpoint that serves a model version in the ML account: one endpoint per
 * model version, so a promotion never changes what an existing endpoint serves. SageMaker endpoint
 * names are at most 63 characters; long model names are cut and suffixed with a stable hash.
 */
export function endpointNameForModelArn(arn: string): string {
  const { name } = parseSageMakerModelArn(arn);
  const base = `mlz-${name}`;
  if (base.length <= 63) return base;
  return `${base.slice(0, 54).replace(/-+$/, "")}-${fnv1a(name).slice(0, 8)}`;
}

/**
 * Name of the SageMaker endpoint that serves the latest trained candidate of a model in the ML
 * account (the bike-share part's `serveCandidate`): `mlz-<model>-candidate`, fixed per model, so a
 * new training run updates that endpoint in place (new endpoint configuration, same endpoint).
 * Consumer-referenced versions keep their own `endpointNameForModelArn` endpoints. At most 63
 * characters: a long model key is cut and suffixed with a stable hash before `-candidate`.
 */
export function candidateEndpointName(model: string): string {
  if (typeof model !== "string" || !/^[a-z][a-z0-9-]{0,62}$/.test(model)) {
    throw new Error(`expected a model key (1-63 lowercase letters, digits or '-', starting with a letter); got ${JSON.stringify(model)}`);
  }
  const name = `mlz-${model}-candidate`;
  if (name.length <= 63) return name;
  return `${`mlz-${model}`.slice(0, 44).replace(/-+$/, "")}-${fnv1a(model).slice(0, 8)}-candidate`;
}

/** `arn:<partition>:sagemaker:<region>:<account>:endpoint/<name>` for the endpoint serving `modelArn`. */
export function endpointArnForModelArn(modelArn: string): string {
  const m = parseSageMakerModelArn(modelArn);
  return buildArn(m.partition, "sagemaker", m.region, m.account, `endpoint/${endpointNameForModelArn(modelArn).toLowerCase()}`);
}

function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
