/**
 * ML stack: the Rekognition Custom Labels projects, the model versions kept running for the
 * consumer environments, and one cross-account role per consumer environment.
 *
 * One source of truth: what each environment uses is read from its own stack file
 * (`stacks/Pulumi.<env>.yaml`, `models`); what runs there now from its stack outputs
 * (`modelVersionArns`, absent before its first deployment). The ML account grants the union, so a
 * promotion never cuts off the running version before the switch, and the next apply after the
 * switch revokes the old version. A version no environment references is no longer declared, so
 * Pulumi deletes its `RekognitionModelVersion`, whose provider stops it; versions listed in
 * `retiredModelVersions` are additionally kept declared as STOPPED (see that key).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { z } from "zod";
import { hostedModel, stackReferenceName } from "../fields";
import { readStackConfigFile, type ConsumedModel } from "../config";
import type { StackContext } from "../context";
import { parseRekognitionVersionArn } from "../../components/models/arns";
import { computeGrants, MODEL_ENDPOINT_SERVICES, type ConsumerState, type ModelGrant } from "../../components/models/grants";
import { ModelAccessRole } from "../../components/models/model-access-role";
import { NodeDynamicProvider, RekognitionModelVersion } from "../../components/models/model-version";
import { DEFAULT_DEPLOY_ROLE_NAME } from "../../components/naming";

/** Config keys of this part (`ml-landing-zone:<key>` in `stacks/Pulumi.ml.yaml`). */
export const rekognitionModelsConfigSchema = z.object({
  /** Models the ML account hosts (the lead's `hostedModel`); a project is created per `rekognition` model. */
  models: z.record(z.string(), hostedModel),
  /** Consumer environments by stack name: their stack reference and whether calls must come through their VPC endpoints. Defaults to none. */
  consumers: z.record(z.string(), z.strictObject({
    stack: stackReferenceName,
    requireVpcEndpoint: z.boolean().default(false),
  })).default({}),
  /**
   * Rekognition versions kept declared as STOPPED. Not needed for the normal path (an
   * unreferenced version is deleted from the program, and the delete stops it); useful for
   * versions this stack never started (started by hand or by an evaluation run) and to keep a
   * record. A listed version that an environment still references stays RUNNING (with a warning).
   * Defaults to none.
   */
  retiredModelVersions: z.array(z.string()).default([]),
  /** Role the dynamic provider assumes in the ML account. Defaults to `mlz-deploy`. */
  deployRoleName: z.string().regex(/^[\w+=,.@-]{1,64}$/).optional(),
});

export type RekognitionModelsConfig = z.infer<typeof rekognitionModelsConfigSchema>;

/** What the part needs to know about a consumer environment from its stack file. */
export interface ConsumerStackConfig {
  /** Key of the consumer's account in the organization's account ids. */
  account: string;
  /** Its `models` map. */
  models: Record<string, Pick<ConsumedModel, "kind" | "versionArn">>;
}

export interface RekognitionModelsIo {
  /** Reads a consumer's stack file. Defaults to `readStackConfigFile(stack)` (validated). */
  readConsumer(stack: string): ConsumerStackConfig;
}

export const defaultRekognitionModelsIo: RekognitionModelsIo = {
  readConsumer(stack) {
    const config = readStackConfigFile(stack);
    if (config.role !== "workload") {
      throw new Error(`ml-landing-zone:consumers.${stack}: stacks/Pulumi.${stack}.yaml must be a workload stack; its role is '${config.role}'`);
    }
    return { account: config.account, models: config.models };
  },
};

export interface RekognitionModelsOutputs {
  /** Rekognition project ARNs by model. */
  rekognitionProjectArns: pulumi.Output<Record<string, string>>;
  /** ARN of each consumer environment's model access role. */
  modelAccessRoleArns: pulumi.Output<Record<string, string>>;
  /** Model-version ARNs each environment may call (sorted). */
  grantedModelVersions: Record<string, string[]>;
  /** Grants withheld because the environment requires VPC endpoints it does not export yet. */
  withheldModelGrants: Record<string, string[]>;
  /** Rekognition versions kept RUNNING (sorted). */
  runningModelVersions: string[];
  /** Rekognition versions kept STOPPED (`retiredModelVersions` not referenced; sorted). */
  stoppedModelVersions: string[];
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
 * Declares projects, model versions and access roles. Async: the live outputs of the consumer
 * stacks decide which versions must keep running, and resources must not be declared inside
 * `apply`. The stack program awaits it.
 */
export async function declareRekognitionModels(
  ctx: StackContext,
  cfg: RekognitionModelsConfig,
  io: RekognitionModelsIo = defaultRekognitionModelsIo,
): Promise<RekognitionModelsOutputs> {
  const opts = { provider: ctx.provider };
  const rekognitionModels = sortedEntries(cfg.models).filter(([, m]) => m.kind === "rekognition");

  // Check the versions this stack will run before declaring anything.
  const checkVersion = (arn: string, where: string) => {
    let parsed;
    try {
      parsed = parseRekognitionVersionArn(arn);
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}`);
    }
    const model = cfg.models[parsed.project];
    if (!model || model.kind !== "rekognition") {
      throw new Error(`${where}: '${arn}' belongs to project '${parsed.project}', which is not a rekognition model of ml-landing-zone:models (${rekognitionModels.map(([m]) => m).join(", ") || "none"})`);
    }
    if (parsed.region !== ctx.region) {
      throw new Error(`${where}: '${arn}' is in region ${parsed.region}; the ML stack hosts its models in ${ctx.region}`);
    }
    return parsed;
  };
  cfg.retiredModelVersions.forEach((arn, i) => checkVersion(arn, `ml-landing-zone:retiredModelVersions[${i}]`));

  const projects: Record<string, aws.rekognition.Project> = {};
  for (const [model] of rekognitionModels) {
    projects[model] = new aws.rekognition.Project(`${model}-project`, {
      name: model,
      feature: "CUSTOM_LABELS",
    }, opts);
  }

  // Consumers: configured models (their stack files) and live outputs (their stacks).
  const consumers: ConsumerState[] = [];
  const consumerInfo: Record<string, { account: string; requireVpcEndpoint: boolean; endpointIds?: Record<string, string> }> = {};
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

  const plan = computeGrants(consumers, cfg.retiredModelVersions);

  // Model versions: every referenced Rekognition version RUNNING, retired unreferenced ones STOPPED.
  const assumeRoleArn = pulumi.interpolate`arn:${ctx.partition}:iam::${ctx.accountId}:role/${cfg.deployRoleName ?? DEFAULT_DEPLOY_ROLE_NAME}`;
  const running: string[] = [];
  const stopped: string[] = [];
  let dynamicProvider: NodeDynamicProvider | undefined;
  const declareVersion = (arn: string, desiredState: "RUNNING" | "STOPPED", where: string) => {
    const parsed = checkVersion(arn, where);
    const hosted = cfg.models[parsed.project];
    dynamicProvider ??= new NodeDynamicProvider("dynamic");
    new RekognitionModelVersion(`${parsed.project}.${parsed.version}`, {
      projectVersionArn: arn,
      projectArn: projects[parsed.project].arn,
      projectName: parsed.project,
      desiredState,
      minInferenceUnits: hosted.minInferenceUnits,
      maxInferenceUnits: hosted.maxInferenceUnits,
      assumeRoleArn,
    }, { providers: [ctx.provider, dynamicProvider] });
    (desiredState === "RUNNING" ? running : stopped).push(arn);
  };
  for (const ref of plan.referenced) {
    if (ref.kind !== "rekognition") continue;
    declareVersion(ref.versionArn, "RUNNING", `version of model '${ref.model}' used by ${ref.environments.join(", ")}`);
    if (cfg.retiredModelVersions.includes(ref.versionArn)) {
      pulumi.log.warn(`ml-landing-zone:retiredModelVersions lists ${ref.versionArn}, but ${ref.environments.join(", ")} still use it: it stays RUNNING`);
    }
  }
  for (const arn of plan.unreferenced) declareVersion(arn, "STOPPED", "ml-landing-zone:retiredModelVersions");

  // One role per consumer environment.
  const roleArns: Record<string, pulumi.Output<string>> = {};
  const granted: Record<string, string[]> = {};
  const withheld: Record<string, string[]> = {};
  for (const consumer of consumers) {
    const env = consumer.env;
    const info = consumerInfo[env];
    let grants: ModelGrant[] = [...plan.environments[env]];
    let requireVpcEndpointIds: Record<string, string> | undefined;
    if (info.requireVpcEndpoint) {
      const ids = info.endpointIds ?? {};
      // Fail closed: without the endpoint id to require, grant nothing of that kind.
      const missing = grants.filter((g) => ids[MODEL_ENDPOINT_SERVICES[g.kind]] === undefined);
      if (missing.length > 0) {
        pulumi.log.warn(`${env}: requires calls through its VPC endpoints, but ${cfg.consumers[env].stack} exports no modelEndpointIds for ` +
          `${[...new Set(missing.map((g) => MODEL_ENDPOINT_SERVICES[g.kind]))].sort().join(", ")}; withholding ${[...new Set(missing.map((g) => g.versionArn))].sort().join(", ")} until it does`);
      }
      grants = grants.filter((g) => !missing.includes(g));
      requireVpcEndpointIds = Object.fromEntries(
        [...new Set(grants.map((g) => MODEL_ENDPOINT_SERVICES[g.kind]))].sort().map((service) => [service, ids[service]]),
      );
      withheld[env] = [...new Set(missing.map((g) => g.versionArn))].sort();
    }
    const trustedModels = [...new Set([...Object.keys(consumer.configured), ...plan.environments[env].map((g) => g.model)])].sort();
    granted[env] = [...new Set(grants.map((g) => g.versionArn))].sort();
    if (trustedModels.length === 0) continue; // no models: no application role to trust, no role
    const accountKey = info.account;
    const role = new ModelAccessRole(`model-access-${env}`, {
      environment: env,
      consumerAccountId: ctx.accountIds.apply((ids) => {
        const id = ids?.[accountKey];
        if (!id) {
          throw new Error(`stacks/Pulumi.${env}.yaml: ml-landing-zone:account names '${accountKey}', but the organization has no such account; it has: ${Object.keys(ids ?? {}).sort().join(", ") || "none"}`);
        }
        return id;
      }),
      organizationId: ctx.organizationId,
      trustedModels,
      grants,
      requireVpcEndpointIds,
    }, opts);
    roleArns[env] = role.arn;
  }

  return {
    rekognitionProjectArns: pulumi.output(Object.fromEntries(Object.entries(projects).map(([m, p]) => [m, p.arn]))),
    modelAccessRoleArns: pulumi.output(roleArns),
    grantedModelVersions: granted,
    withheldModelGrants: withheld,
    runningModelVersions: [...running].sort(),
    stoppedModelVersions: [...stopped].sort(),
  };
}
