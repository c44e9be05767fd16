/**
 * ML stack: an endpoint for every SageMaker model version a consumer environment references, the
 * same lifecycle the Rekognition part gives Rekognition versions.
 *
 * The referenced versions come from `readModelReferences` (model-references.ts): per environment,
 * the version its stack file asks for ∪ the version live there now. Each one gets a
 * `SageMakerModelHosting` (KMS-encrypted endpoint configuration and the endpoint
 * `endpointNameForModelArn(arn)`, which the environment's `mlz-model-access-<env>` role may
 * invoke). During a promotion old and new versions are both hosted; once the environment has
 * switched, the old version is referenced nowhere, its hosting is no longer declared, and Pulumi
 * deletes its endpoint and endpoint configuration, so it stops costing money. The models
 * themselves are not touched (training runs create them and keep them).
 *
 * One KMS key (`alias/mlz-sagemaker-hosting`) encrypts every endpoint's storage volumes; it is
 * declared whenever `models` has a sagemaker model, so it does not come and go with the endpoints.
 *
 * No config key of its own: sizing is per model in `ml-landing-zone:models`
 * (`instanceType`, default ml.m5.xlarge; `instanceCount`, default 1; see stacks/fields.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { StackContext } from "../context";
import { endpointNameForModelArn, parseSageMakerModelArn } from "../../components/models/arns";
import {
  DEFAULT_HOSTING_INSTANCE_COUNT,
  DEFAULT_HOSTING_INSTANCE_TYPE,
  SageMakerModelHosting,
} from "../../components/models/sagemaker-model-hosting";
import type { ModelReferences } from "./model-references";

export const HOSTING_KEY_ALIAS = "alias/mlz-sagemaker-hosting";

/** The config the part reads: the ML stack's `models` map. */
export interface SageMakerHostingConfig {
  readonly models: Record<string, { readonly kind: string; readonly instanceType?: string; readonly instanceCount?: number; readonly existingVersions?: readonly string[] }>;
}

/**
 * Logical name of the hosting of a referenced version, after its endpoint. (The bike-share part's
 * latest candidate is served by a separate endpoint, `candidateEndpointName(model)`.)
 */
export function sagemakerHostingName(modelArn: string): string {
  return `hosting-${endpointNameForModelArn(modelArn)}`;
}

export interface SageMakerHostingOutputs {
  /** Endpoint name by hosted SageMaker version ARN (keys sorted). */
  sagemakerEndpoints: Record<string, string>;
  /** Key encrypting the endpoints' storage volumes; undefined without a sagemaker model. */
  sagemakerHostingKmsKeyArn?: pulumi.Output<string>;
}

/** What the bike-share part needs for its candidate endpoint. */
export interface SageMakerHostingContext {
  /** The hosting key: encrypts the candidate endpoint's storage volumes too. */
  readonly kmsKeyArn: pulumi.Output<string>;
  /**
   * Versions this part hosts because an environment references them (known when the program
   * starts); the bike-share part refuses to run if one's endpoint name is its candidate endpoint's.
   */
  readonly hostedModelArns: ReadonlySet<string>;
}

export interface SageMakerHosting {
  outputs: SageMakerHostingOutputs;
  /** Undefined when `models` has no sagemaker model. */
  context?: SageMakerHostingContext;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Declares the hosting KMS key and one `SageMakerModelHosting` per referenced SageMaker version.
 * Checks each version before declaring anything: it must be in the stack's region, and its model
 * key must be a sagemaker model of `models` (the references were built from the consumers' files).
 */
export function declareSageMakerHosting(ctx: StackContext, cfg: SageMakerHostingConfig, references: ModelReferences): SageMakerHosting {
  const sagemakerModels = Object.entries(cfg.models).filter(([, m]) => m.kind === "sagemaker").map(([m]) => m).sort(byString);
  const referenced = references.plan.referenced.filter((r) => r.kind === "sagemaker");

  for (const ref of referenced) {
    const where = `version of model '${ref.model}' used by ${ref.environments.join(", ")}`;
    const parsed = parseSageMakerModelArn(ref.versionArn);
    if (cfg.models[ref.model]?.kind !== "sagemaker") {
      throw new Error(`${where}: '${ref.model}' is not a sagemaker model of ml-landing-zone:models (${sagemakerModels.join(", ") || "none"})`);
    }
    if (parsed.region !== ctx.region) {
      throw new Error(`${where}: '${ref.versionArn}' is in region ${parsed.region}; the ML stack hosts its models in ${ctx.region}`);
    }
    // An endpoint configuration naming a model that does not exist fails on `pulumi up`: the model
    // must be known to exist (training runs create models outside this part).
    if (!(cfg.models[ref.model].existingVersions ?? []).includes(ref.versionArn)) {
      throw new Error(`${where}: no resource of the ML stack declares SageMaker model '${parsed.name}' (${ref.versionArn}); ` +
        `list it in ml-landing-zone:models.${ref.model}.existingVersions once it exists (a training run created it), or reference a version that does`);
    }
  }
  if (sagemakerModels.length === 0) return { outputs: { sagemakerEndpoints: {} } };

  const opts = { provider: ctx.provider };
  const key = new aws.kms.Key("sagemaker-hosting-key", {
    description: "SageMaker endpoints of the model versions the consumer environments use: ML storage volumes",
    enableKeyRotation: true,
    deletionWindowInDays: 30,
  }, opts);
  new aws.kms.Alias("sagemaker-hosting-key-alias", { name: HOSTING_KEY_ALIAS, targetKeyId: key.keyId }, opts);

  const endpoints: Record<string, string> = {};
  for (const ref of referenced) {
    const model = cfg.models[ref.model];
    // Read (adopt) the existing model: the deploy fails naming it if it is gone.
    const existing = aws.sagemaker.Model.get(`${sagemakerHostingName(ref.versionArn)}-model`, parseSageMakerModelArn(ref.versionArn).name, undefined, opts);
    const hosting = new SageMakerModelHosting(sagemakerHostingName(ref.versionArn), {
      modelArn: ref.versionArn,
      kmsKeyArn: key.arn,
      instanceType: model.instanceType ?? DEFAULT_HOSTING_INSTANCE_TYPE,
      instanceCount: model.instanceCount ?? DEFAULT_HOSTING_INSTANCE_COUNT,
      region: ctx.region,
      accountId: ctx.accountId,
    }, { ...opts, dependsOn: [existing] });
    endpoints[ref.versionArn] = hosting.endpointName;
  }

  return {
    outputs: { sagemakerEndpoints: endpoints, sagemakerHostingKmsKeyArn: key.arn },
    context: { kmsKeyArn: key.arn, hostedModelArns: new Set(referenced.map((r) => r.versionArn)) },
  };
}
