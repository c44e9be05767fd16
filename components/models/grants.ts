/**
 * Which model versions each consumer environment may call, and which versions nobody needs.
 * Pure: the ML stack feeds it the consumers' configs and live outputs.
 *
 * Granted to an environment = versions its stack config asks for ∪ versions live there now (its
 * stack outputs). During a promotion the config already names the new version while the running
 * application still uses the old one: both stay granted. Once the environment has deployed, its
 * outputs hold only the new version and the next apply revokes the old one.
 */
import { endpointArnForModelArn, parseModelVersionArn, type ModelKind } from "./arns";

/** IAM action to call a model of each kind. */
export const MODEL_ACTIONS: Record<ModelKind, string> = {
  rekognition: "rekognition:DetectCustomLabels",
  sagemaker: "sagemaker:InvokeEndpoint",
  // Granted by the recognizer version's resource policy (model policy), not by the model-access role:
  // the consumer imports its own copy and analyses with it in its own account.
  comprehend: "comprehend:ImportModel",
};

/** VPC endpoint service (key of a consumer's `modelEndpointIds` output) that carries each kind's calls. */
export const MODEL_ENDPOINT_SERVICES: Record<ModelKind, string> = {
  rekognition: "rekognition",
  sagemaker: "sagemaker.runtime",
  comprehend: "comprehend",
};

/** Kinds whose grants live in the ML account's per-environment model-access role. */
export const ROLE_GRANTED_KINDS: readonly ModelKind[] = ["rekognition", "sagemaker"];

export interface ConsumerModelConfig {
  readonly kind: ModelKind;
  readonly versionArn: string;
}

export interface ConsumerState {
  /** Environment name (`qa`, `prod`). */
  readonly env: string;
  /** The environment's `models` map from its stack config. */
  readonly configured: Readonly<Record<string, ConsumerModelConfig>>;
  /** Model → version ARN live in the environment (its `modelVersionArns` output); absent before its first deployment. */
  readonly live?: Readonly<Record<string, string>>;
}

export interface ModelGrant {
  readonly model: string;
  readonly kind: ModelKind;
  /** The model version (Rekognition project version or SageMaker model ARN). */
  readonly versionArn: string;
  readonly action: string;
  /** What the action is allowed on: the project-version ARN, or the ARN of the endpoint serving the SageMaker model. */
  readonly resource: string;
  /** Why it is granted, in this order: `config`, `live`. */
  readonly sources: readonly ("config" | "live")[];
}

export interface GrantPlan {
  /** Per environment (sorted by name): grants sorted by model, then version ARN. */
  readonly environments: Readonly<Record<string, readonly ModelGrant[]>>;
  /** Every version granted somewhere (sorted by ARN), with the environments using it (sorted). */
  readonly referenced: readonly { readonly versionArn: string; readonly model: string; readonly kind: ModelKind; readonly environments: readonly string[] }[];
  /** Versions from `knownVersions` that no environment references (sorted): to be stopped. */
  readonly unreferenced: readonly string[];
}

const ENV_NAME = /^[a-z][a-z0-9-]{0,30}$/;
const MODEL_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function parseFor(env: string, model: string, arn: string, where: string, kind?: ModelKind) {
  try {
    return parseModelVersionArn(arn, kind);
  } catch (err) {
    throw new Error(`[consumers.${env}.${where}.${model}] ${(err as Error).message}`);
  }
}

/**
 * Computes the grants. Throws (naming environment, source and model) on a malformed environment
 * or model name, an ARN that does not parse, or an ARN of the wrong kind for the configured model.
 *
 * @param knownVersions versions the ML stack knows of (e.g. retired ones) to report in `unreferenced`.
 */
export function computeGrants(consumers: readonly ConsumerState[], knownVersions: readonly string[] = []): GrantPlan {
  const seenEnvs = new Set<string>();
  const environments: Record<string, ModelGrant[]> = {};
  const users = new Map<string, { model: string; kind: ModelKind; envs: Set<string> }>();

  for (const consumer of [...consumers].sort((a, b) => byString(a.env, b.env))) {
    const env = consumer.env;
    if (typeof env !== "string" || !ENV_NAME.test(env)) {
      throw new Error(`[consumers] environment names must match ${ENV_NAME}; got ${JSON.stringify(env)}`);
    }
    if (seenEnvs.has(env)) throw new Error(`[consumers] environment '${env}' is listed twice`);
    seenEnvs.add(env);

    // key: model + "\n" + arn
    const grants = new Map<string, { model: string; kind: ModelKind; versionArn: string; sources: ("config" | "live")[] }>();
    const add = (model: string, kind: ModelKind, versionArn: string, source: "config" | "live") => {
      const key = `${model}\n${versionArn}`;
      const g = grants.get(key) ?? { model, kind, versionArn, sources: [] };
      if (!g.sources.includes(source)) g.sources.push(source);
      grants.set(key, g);
    };

    for (const [model, cfg] of Object.entries(consumer.configured)) {
      if (!MODEL_NAME.test(model)) throw new Error(`[consumers.${env}.models] model names must match ${MODEL_NAME}; got '${model}'`);
      const parsed = parseFor(env, model, cfg.versionArn, "models", cfg.kind);
      add(model, parsed.kind, cfg.versionArn, "config");
    }
    for (const [model, arn] of Object.entries(consumer.live ?? {})) {
      if (!MODEL_NAME.test(model)) throw new Error(`[consumers.${env}.live] model names must match ${MODEL_NAME}; got '${model}'`);
      const configuredKind = consumer.configured[model]?.kind;
      const parsed = parseFor(env, model, arn, "live", configuredKind);
      add(model, parsed.kind, arn, "live");
    }

    environments[env] = [...grants.values()]
      .sort((a, b) => byString(a.model, b.model) || byString(a.versionArn, b.versionArn))
      .map((g) => ({
        model: g.model,
        kind: g.kind,
        versionArn: g.versionArn,
        action: MODEL_ACTIONS[g.kind],
        resource: g.kind === "sagemaker" ? endpointArnForModelArn(g.versionArn) : g.versionArn,
        sources: g.sources.sort((a, b) => byString(a, b)),
      }));
    for (const g of environments[env]) {
      const u = users.get(g.versionArn) ?? { model: g.model, kind: g.kind, envs: new Set<string>() };
      if (u.model !== g.model) {
        throw new Error(`[consumers] version ${g.versionArn} is used as model '${u.model}' and as model '${g.model}' (in '${env}')`);
      }
      u.envs.add(env);
      users.set(g.versionArn, u);
    }
  }

  const referenced = [...users.entries()]
    .sort(([a], [b]) => byString(a, b))
    .map(([versionArn, u]) => ({ versionArn, model: u.model, kind: u.kind, environments: [...u.envs].sort(byString) }));
  const unreferenced = [...new Set(knownVersions)].filter((arn) => !users.has(arn)).sort(byString);
  return { environments, referenced, unreferenced };
}
