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
 *
 * The consumers are read by `readModelReferences` (model-references.ts), once per program: the
 * SageMaker hosting part (sagemaker-hosting.ts) keeps an endpoint per referenced SageMaker version
 * from the same references, and this part grants both kinds.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { z } from "zod";
import { consumerEnvironment, hostedModel, iamRoleName, kebabName, modelsMap, stackReferenceName } from "../fields";
import type { StackContext } from "../context";
import { REKOGNITION_PROJECT_ARN, parseRekognitionVersionArn } from "../../components/models/arns";
import { MODEL_ENDPOINT_SERVICES, ROLE_GRANTED_KINDS, type ModelGrant } from "../../components/models/grants";
import { ModelAccessRole } from "../../components/models/model-access-role";
import { NodeDynamicProvider, RekognitionModelVersion } from "../../components/models/model-version";
import { DEFAULT_DEPLOY_ROLE_NAME } from "../../components/naming";
import { RekognitionTrainerRole } from "../../components/models/rekognition-trainer-role";
import { defaultTrainingImagesBucketName } from "./training-images";
import {
  defaultModelReferencesIo,
  readModelReferences,
  type ConsumerStackConfig as ModelReferencesConfigFile,
  type ModelReferences,
  type ModelReferencesIo,
} from "./model-references";
import { IAM_PRINCIPAL_ARN, arn, roleArn } from "../../components/aws";

/** `rekognitionTrainer` (ML stack): where the trainer role finds the training images. */
export const trainerConfigSchema = z.strictObject({
  /**
   * Stack reference to the lakehouse stack: the bucket name and the EXACT key ARN are read from its
   * outputs `trainingImagesBucketName` and `trainingImagesKmsKeyArn`. Defaults to none: the bucket
   * name is computed as the lakehouse part computes its default (`mlz-training-images-<lakehouse
   * account id>`, or `bucketName` below), and the key is known only as "a key of the lakehouse
   * account in this region" (`key/*`; the lakehouse key policies decide, and only the
   * training-images key admits the trainer).
   */
  lakehouseStack: stackReferenceName.optional(),
  /** Key of the lakehouse account in the organization's account ids. Defaults to `lakehouse`. */
  lakehouseAccountKey: z.string().default("lakehouse"),
  /** The bucket's name when the lakehouse overrides it and no `lakehouseStack` is named. Defaults to the lakehouse default. */
  bucketName: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: (i) => `expected an S3 bucket name; got '${String(i.input)}'` }).optional(),
  /**
   * Exact principals of the ML account allowed to assume the trainer (role or user ARNs, no
   * wildcards): the MLOps engineers' permission-set role and the training pipeline's role.
   * Defaults to the ML account's deploy role only (`deployRoleName`, i.e. sessions of the ML
   * pipeline, which administer the account anyway): name the engineers' role here to let them train.
   */
  trustedPrincipalArns: z.array(z.string().regex(IAM_PRINCIPAL_ARN, { error: (i) => `expected an exact IAM role or user ARN (no wildcards); got '${String(i.input)}'` })).min(1).optional(),
});

/** Config keys of this part (`ml-landing-zone:<key>` in `stacks/Pulumi.ml.yaml`). */
export const rekognitionModelsConfigSchema = z.object({
  /** Models the ML account trains and hosts; a project is created per `rekognition` model. */
  models: modelsMap(hostedModel),
  /**
   * Consumer environments by stack name: their stack reference and whether calls must come through
   * their VPC endpoints (their `models` maps are read from their stack files). Defaults to none.
   */
  consumers: z.record(kebabName("a stack name"), consumerEnvironment).default({}),
  /**
   * Rekognition versions kept declared as STOPPED. Not needed for the normal path (an
   * unreferenced version is deleted from the program, and the delete stops it); useful for
   * versions this stack never started (started by hand or by an evaluation run) and to keep a
   * record. A listed version that an environment still references stays RUNNING (with a warning).
   * Defaults to none.
   */
  retiredModelVersions: z.array(z.string()).default([]),
  /** Role the dynamic provider assumes in the ML account. Defaults to `mlz-deploy`. */
  deployRoleName: iamRoleName.optional(),
  /**
   * The trainer role `mlz-rekognition-trainer` (created when a rekognition model exists) and where
   * it finds the lakehouse's training images. Defaults to all defaults below.
   */
  rekognitionTrainer: trainerConfigSchema.optional(),
});

export type RekognitionModelsConfig = z.infer<typeof rekognitionModelsConfigSchema>;

/**
 * This part's checks across fields and against the stack's region, run by the ML stack's schema
 * (stacks/config.ts) so they are reported as config errors with file and key before any resource
 * is declared: a retired version is a version of a rekognition model of `models` in `region`; an
 * adopted project (`projectArn`) is the model's own project in `region`.
 */
export function refineRekognitionModelsConfig(c: RekognitionModelsConfig, region: string, ctx: z.RefinementCtx): void {
  const rekognitionModels = Object.keys(c.models).filter((m) => c.models[m].kind === "rekognition").sort();
  c.retiredModelVersions.forEach((arn, i) => {
    let parsed;
    try {
      parsed = parseRekognitionVersionArn(arn);
    } catch (err) {
      ctx.addIssue({ code: "custom", path: ["retiredModelVersions", i], message: (err as Error).message });
      return;
    }
    if (!rekognitionModels.includes(parsed.project)) {
      ctx.addIssue({ code: "custom", path: ["retiredModelVersions", i], message: `'${arn}' belongs to project '${parsed.project}', which is not a rekognition model of ml-landing-zone:models (${rekognitionModels.join(", ") || "none"})` });
    } else if (parsed.region !== region) {
      ctx.addIssue({ code: "custom", path: ["retiredModelVersions", i], message: `'${arn}' is in region ${parsed.region}; the ML stack hosts its models in ${region}` });
    }
  });
  for (const model of rekognitionModels) {
    const projectArn = c.models[model].projectArn;
    const m = projectArn === undefined ? null : REKOGNITION_PROJECT_ARN.exec(projectArn);
    if (!m) continue; // absent, or refused by the field itself
    const [, , arnRegion, , name] = m;
    if (name !== model) {
      ctx.addIssue({ code: "custom", path: ["models", model, "projectArn"], message: `expected the ARN of project '${model}' (projects are named after their model); got '${projectArn}'` });
    } else if (arnRegion !== region) {
      ctx.addIssue({ code: "custom", path: ["models", model, "projectArn"], message: `'${projectArn}' is in region ${arnRegion}; the ML stack hosts its models in ${region}` });
    }
  }
}

/** Kept under their former names: the consumers are read by `model-references.ts` for every kind. */
export type ConsumerStackConfig = ModelReferencesConfigFile;
export type RekognitionModelsIo = ModelReferencesIo;
export const defaultRekognitionModelsIo: RekognitionModelsIo = {
  // Late-bound: stacks/config.ts imports this module while model-references.ts imports config.ts.
  readConsumer: (stack) => defaultModelReferencesIo.readConsumer(stack),
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
  /** ARN of `mlz-rekognition-trainer` (absent without rekognition models). */
  rekognitionTrainerRoleArn?: pulumi.Output<string>;
}

const sortedEntries = <T>(r: Record<string, T>): [string, T][] => Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * Declares projects, model versions and access roles. Async: the live outputs of the consumer
 * stacks decide which versions must keep running, and resources must not be declared inside
 * `apply`. The stack program awaits it.
 */
export async function declareRekognitionModels(
  ctx: StackContext,
  cfg: RekognitionModelsConfig,
  io: RekognitionModelsIo = defaultRekognitionModelsIo,
  references?: ModelReferences,
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
  // The retired versions were checked with the config (stacks/config.ts, mlSchema).

  // Projects: adopted by ARN when they exist (CreateProject fails for an existing one). Protected:
  // Rekognition refuses to delete a project that still has versions, and a version is trained
  // work; removing a model from `models` fails the deploy naming the project until its versions
  // are deleted and the project is unprotected (README "Deploying for real").
  // (The schema has checked that an adopted project is the model's own, in this region:
  // refineRekognitionModelsConfig.)
  const projects: Record<string, aws.rekognition.Project> = {};
  for (const [model, hosted] of rekognitionModels) {
    projects[model] = new aws.rekognition.Project(`${model}-project`, {
      name: model,
      feature: "CUSTOM_LABELS",
    }, { ...opts, protect: true, ...(hosted.projectArn !== undefined ? { import: model } : {}) });
  }

  // Consumers: configured models (their stack files) and live outputs (their stacks), read once
  // per program for every model kind (the ML program passes `references`).
  const { consumers, consumerInfo, plan } = references ?? await readModelReferences(cfg, io);

  // Model versions: every referenced Rekognition version RUNNING, retired unreferenced ones STOPPED.
  const assumeRoleArn = pulumi.output(roleArn(ctx.partition, ctx.accountId, cfg.deployRoleName ?? DEFAULT_DEPLOY_ROLE_NAME));
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
  // A model no environment uses yet (a fresh project has no version): nothing to run or grant.
  for (const [model] of rekognitionModels) {
    if (!plan.referenced.some((r) => r.kind === "rekognition" && r.model === model)) {
      pulumi.log.info(`model '${model}' has no version any environment uses: no version runs and no environment is granted it; train a version, then promote it to qa`);
    }
  }

  // One role per consumer environment.
  const roleArns: Record<string, pulumi.Output<string>> = {};
  const granted: Record<string, string[]> = {};
  const withheld: Record<string, string[]> = {};
  for (const consumer of consumers) {
    const env = consumer.env;
    const info = consumerInfo[env];
    // Comprehend versions are granted by their resource policy (stacks/parts/document-entities.ts).
    let grants: ModelGrant[] = plan.environments[env].filter((g) => ROLE_GRANTED_KINDS.includes(g.kind));
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
    const trustedModels = [...new Set([
      ...Object.entries(consumer.configured).filter(([, m]) => ROLE_GRANTED_KINDS.includes(m.kind)).map(([model]) => model),
      ...plan.environments[env].filter((g) => ROLE_GRANTED_KINDS.includes(g.kind)).map((g) => g.model),
    ])].sort();
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
      partition: ctx.partition,
    }, opts);
    roleArns[env] = role.arn;
  }

  const trainer = rekognitionModels.length > 0
    ? declareTrainer(ctx, trainerConfigSchema.parse(cfg.rekognitionTrainer ?? {}), rekognitionModels.map(([m]) => m), cfg.deployRoleName)
    : undefined;

  return {
    ...(trainer ? { rekognitionTrainerRoleArn: trainer.arn } : {}),
    rekognitionProjectArns: pulumi.output(Object.fromEntries(Object.entries(projects).map(([m, p]) => [m, p.arn]))),
    modelAccessRoleArns: pulumi.output(roleArns),
    grantedModelVersions: granted,
    withheldModelGrants: withheld,
    runningModelVersions: [...running].sort(),
    stoppedModelVersions: [...stopped].sort(),
  };
}

/**
 * The trainer role, with the lakehouse's bucket and key: exact from the lakehouse stack's outputs
 * when `lakehouseStack` is named, else computed (bucket) and bounded to the lakehouse account's keys
 * in this region (key).
 */
function declareTrainer(
  ctx: StackContext,
  cfg: z.infer<typeof trainerConfigSchema>,
  projectNames: string[],
  deployRoleName: string | undefined,
): RekognitionTrainerRole {
  const accountKey = cfg.lakehouseAccountKey;
  const lakehouseAccountId = ctx.accountIds.apply((ids) => {
    const id = ids?.[accountKey];
    if (!id) {
      throw new Error(`${ctx.stack}: ml-landing-zone:rekognitionTrainer.lakehouseAccountKey names '${accountKey}', but the organization has no such account; it has: ${Object.keys(ids ?? {}).sort().join(", ") || "none"}`);
    }
    return id;
  });
  let bucketName: pulumi.Input<string>;
  let keyArn: pulumi.Input<string>;
  if (cfg.lakehouseStack !== undefined) {
    const lakehouse = new pulumi.StackReference("lakehouse", { name: cfg.lakehouseStack });
    bucketName = lakehouse.requireOutput("trainingImagesBucketName") as pulumi.Output<string>;
    keyArn = lakehouse.requireOutput("trainingImagesKmsKeyArn") as pulumi.Output<string>;
  } else {
    bucketName = cfg.bucketName ?? defaultTrainingImagesBucketName(lakehouseAccountId);
    // The key id is random: without the lakehouse outputs only its account and region are known.
    // The lakehouse key policies bound this to the one key that admits the trainer
    // (alias/mlz-training-images by default).
    keyArn = pulumi.output(arn(ctx.partition, "kms", ctx.region, lakehouseAccountId, "key/*"));
  }
  return new RekognitionTrainerRole("rekognition-trainer", {
    mlAccountId: ctx.accountId,
    region: ctx.region,
    partition: ctx.partition as "aws" | "aws-cn" | "aws-us-gov",
    projectNames,
    trainingBucketName: bucketName,
    trainingKmsKeyArn: keyArn,
    trustedPrincipalArns: cfg.trustedPrincipalArns ?? [roleArn(ctx.partition, ctx.accountId, deployRoleName ?? DEFAULT_DEPLOY_ROLE_NAME)],
  }, { provider: ctx.provider });
}
