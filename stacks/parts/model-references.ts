/**
 * ML stack: which model versions the consumer environments reference, for every model kind.
 * The one place that reads the consumers: their stack files (`stacks/Pulumi.<env>.yaml`, `models`:
 * what each environment asks for) and their live outputs (`modelVersionArns`, through a
 * `pulumi.StackReference`; absent before the first deployment), combined by `computeGrants`
 * (components/models/grants.ts) into the union per environment. The Rekognition part keeps the
 * referenced Rekognition versions RUNNING and grants them; the SageMaker hosting part keeps an
 * endpoint for each referenced SageMaker version. Both read the same `ModelReferences`, so a
 * promotion keeps old and new versions until the environment has switched, for every kind.
 */
import * as pulumi from "@pulumi/pulumi";
import { stackFilesIn, type ConsumedModel, type StackFiles } from "../config";
import { computeGrants, type ConsumerState, type GrantPlan } from "../../components/models/grants";
import type { ModelKind } from "../../components/models/arns";

/** What the ML stack needs to know about a consumer environment from its stack file. */
export interface ConsumerStackConfig {
  /** Key of the consumer's account in the organization's account ids. */
  account: string;
  /** Its `models` map. */
  models: Record<string, Pick<ConsumedModel, "kind" | "versionArn">>;
}

export interface ModelReferencesIo {
  /** Reads a consumer's stack file (validated). */
  readConsumer(stack: string): ConsumerStackConfig;
}

/** Reads the consumers from `files` (the stack context's stack files). */
export function modelReferencesIo(files: StackFiles): ModelReferencesIo {
  return {
    readConsumer: (stack) => readConsumerFrom(files, stack),
  };
}

/** Reads the consumers from this folder's stack files. */
export const defaultModelReferencesIo: ModelReferencesIo = {
  readConsumer: (stack) => readConsumerFrom(stackFilesIn(), stack),
};

function readConsumerFrom(files: StackFiles, stack: string): ConsumerStackConfig {
  const config = files.read(stack);
  if (config.role !== "workload") {
    throw new Error(`ml-landing-zone:consumers.${stack}: stacks/Pulumi.${stack}.yaml must be a workload stack; its role is '${config.role}'`);
  }
  return { account: config.account, models: config.models };
}

/** The config keys the references are read from (`ml-landing-zone:<key>` in `stacks/Pulumi.ml.yaml`). */
export interface ModelReferencesConfig {
  /** The models the ML account hosts, by name (only `kind` is read). */
  readonly models: Record<string, { readonly kind: ModelKind }>;
  /** Consumer environments by stack name. */
  readonly consumers: Record<string, { readonly stack: string; readonly requireVpcEndpoint: boolean }>;
  /** Versions the ML stack knows of without a consumer (reported in `plan.unreferenced`). Defaults to none. */
  readonly retiredModelVersions?: readonly string[];
}

export interface ConsumerInfo {
  /** Key of the consumer's account. */
  readonly account: string;
  readonly requireVpcEndpoint: boolean;
  /** The consumer's `modelEndpointIds` output (read only when `requireVpcEndpoint`; `{}` when absent). */
  readonly endpointIds?: Record<string, string>;
}

export interface ModelReferences {
  /** Each consumer's configured and live models, sorted by environment. */
  readonly consumers: readonly ConsumerState[];
  readonly consumerInfo: Readonly<Record<string, ConsumerInfo>>;
  /** The union per environment and the versions referenced anywhere (`computeGrants`). */
  readonly plan: GrantPlan;
}

const sortedEntries = <T>(r: Record<string, T>): [string, T][] => Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

async function outputValue(ref: pulumi.StackReference, name: string): Promise<unknown> {
  const details = await ref.getOutputDetails(name);
  return details.value ?? details.secretValue;
}

function stringMap(value: unknown, what: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value) || Object.values(value).some((v) => typeof v !== "string")) {
    throw new Error(`${what} must be a map of strings; got ${JSON.stringify(value)}`);
  }
  return value as Record<string, string>;
}

/**
 * Reads every consumer (its stack file and, through a `consumer-<env>` stack reference, its live
 * outputs) and computes the references. Declares only the stack references: call it once per
 * program and hand the result to every part that needs it. Throws when a consumer's model is not
 * a model of the same kind in the ML stack's `models`.
 */
export async function readModelReferences(
  cfg: ModelReferencesConfig,
  io: ModelReferencesIo = defaultModelReferencesIo,
): Promise<ModelReferences> {
  const consumers: ConsumerState[] = [];
  const consumerInfo: Record<string, ConsumerInfo> = {};
  for (const [env, consumer] of sortedEntries(cfg.consumers)) {
    const file = io.readConsumer(env);
    for (const [model, m] of sortedEntries(file.models)) {
      const hosted = cfg.models[model];
      if (!hosted || hosted.kind !== m.kind) {
        throw new Error(`stacks/Pulumi.${env}.yaml: ml-landing-zone:models.${model} must name a ${m.kind} model of the ML stack's ml-landing-zone:models; ` +
          `${hosted ? `'${model}' is ${hosted.kind} there` : `it has ${Object.keys(cfg.models).sort().join(", ") || "none"}`}`);
      }
    }
    const ref = new pulumi.StackReference(`consumer-${env}`, { name: consumer.stack });
    const live = stringMap(await outputValue(ref, "modelVersionArns"), `output modelVersionArns of ${consumer.stack}`);
    const endpointIds = consumer.requireVpcEndpoint
      ? stringMap(await outputValue(ref, "modelEndpointIds"), `output modelEndpointIds of ${consumer.stack}`) ?? {}
      : undefined;
    consumers.push({ env, configured: file.models, live });
    consumerInfo[env] = { account: file.account, requireVpcEndpoint: consumer.requireVpcEndpoint, endpointIds };
  }
  return { consumers, consumerInfo, plan: computeGrants(consumers, cfg.retiredModelVersions ?? []) };
}
