/**
 * ML stack: Comprehend custom entity recognition (issue 14). The training bucket with the augmented
 * manifest rewritten for it, the data-access role, and with `train: true` the recognizer version
 * `versionName` (components/pipelines/language/entity-recognizer.ts). For every recognizer version
 * a consumer environment references (its stack file's `models`, or live there now), the version's
 * model policy allows exactly those environments' accounts to import it (ComprehendModelShare).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { StackContext } from "../context";
import { DEFAULT_DEPLOY_ROLE_NAME } from "../../components/naming";
import { NodeDynamicProvider } from "../../components/models/model-version";
import { ComprehendModelShare } from "../../components/models/comprehend-model";
import { parseComprehendVersionArn } from "../../components/models/arns";
import { EntityRecognizerTraining, LEGAL_ENTITY_TYPES } from "../../components/pipelines/language/entity-recognizer";
import type { ModelReferences } from "./model-references";
import { roleArn } from "../../components/aws";

/** Project root: manifest paths in config are relative to it. */
const ROOT = path.resolve(__dirname, "..", "..");

/** Config keys of this part (`ml-landing-zone:<key>` in `stacks/Pulumi.ml.yaml`). */
export const documentEntitiesConfigSchema = z.object({
  /** Comprehend custom entity recognition. Defaults to none. */
  documentEntities: z.strictObject({
    /** Model key in `ml-landing-zone:models` (kind `comprehend`). Required. */
    model: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, { error: (i) => `expected a model name; got '${String(i.input)}'` }),
    /** Training bucket name (globally unique). Required. */
    bucketName: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: (i) => `expected an S3 bucket name; got '${String(i.input)}'` }),
    /** Ground Truth augmented manifest, path relative to the project root. Defaults to `datasets/legal-entities/output.manifest`. */
    manifestFile: z.string().default("datasets/legal-entities/output.manifest"),
    /** The labeling job's attribute name in the manifest. Required. */
    attributeName: z.string().min(1).max(127),
    /** Entity types (case-sensitive labels of the manifest). Defaults to the ten legal entity types. */
    entityTypes: z.array(z.string().min(1)).min(1).max(25).default([...LEGAL_ENTITY_TYPES]),
    /** Recognizer name. Defaults to the model key. */
    recognizerName: z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/).optional(),
    /** Version to train (change it to train a new one; old versions are kept). Required with `train`. */
    versionName: z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, { error: (i) => `expected 1-63 letters, digits or inner dashes; got '${String(i.input)}'` }).optional(),
    /** Declare the recognizer version (start training; sources and annotations must be in the bucket). Defaults to false. */
    train: z.boolean().default(false),
    /**
     * `provider`: a dynamic resource starts training and `pulumi up` returns at once (training takes
     * hours). `pulumi-aws`: `aws.comprehend.EntityRecognizer`, which waits for training and fails at
     * its 60-minute create timeout. Defaults to `provider`.
     */
    trainWith: z.enum(["provider", "pulumi-aws"], { error: (i) => `expected 'provider' or 'pulumi-aws'; got '${String(i.input)}'` }).default("provider"),
    /** Let `pulumi destroy` empty the bucket. Defaults to false. */
    forceDestroy: z.boolean().default(false),
  }).optional(),
});

export type DocumentEntitiesConfig = z.infer<typeof documentEntitiesConfigSchema>;

export interface DocumentEntitiesOutputs {
  entityTrainingBucket?: pulumi.Output<string>;
  entityManifestUri?: pulumi.Output<string>;
  /** The version trained by this stack (with `train`). */
  entityRecognizerVersionArn?: pulumi.Output<string>;
  /** Recognizer version → accounts its model policy lets import it. */
  entityRecognizerShares: pulumi.Output<Record<string, string[]>>;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function declareDocumentEntities(
  ctx: StackContext,
  cfg: DocumentEntitiesConfig & { models: Record<string, { kind: string }> },
  references: ModelReferences,
  deployRoleName: string = DEFAULT_DEPLOY_ROLE_NAME,
  readFile: (file: string) => string = (f) => fs.readFileSync(path.resolve(ROOT, f), "utf8"),
): DocumentEntitiesOutputs {
  const d = cfg.documentEntities;
  const referenced = references.plan.referenced.filter((r) => r.kind === "comprehend");
  for (const ref of referenced) {
    const parsed = parseComprehendVersionArn(ref.versionArn);
    if (cfg.models[ref.model]?.kind !== "comprehend") {
      throw new Error(`version of model '${ref.model}' used by ${ref.environments.join(", ")}: '${ref.model}' is not a comprehend model of ml-landing-zone:models`);
    }
    if (parsed.region !== ctx.region) {
      throw new Error(`version of model '${ref.model}' used by ${ref.environments.join(", ")}: '${ref.versionArn}' is in ${parsed.region}; the ML stack is in ${ctx.region}`);
    }
  }
  if (d) {
    const hosted = cfg.models[d.model];
    if (!hosted || hosted.kind !== "comprehend") {
      throw new Error(`${ctx.stack}: ml-landing-zone:documentEntities.model must name a comprehend model of ml-landing-zone:models; ` +
        `${hosted ? `'${d.model}' is ${hosted.kind}` : `got '${d.model}' (models: ${Object.keys(cfg.models).sort().join(", ") || "none"})`}`);
    }
    if (d.train && !d.versionName) throw new Error(`${ctx.stack}: ml-landing-zone:documentEntities.versionName is required with train: true`);
  }
  const assumeRoleArn = pulumi.output(roleArn(ctx.partition, ctx.accountId, deployRoleName));
  const outputs: DocumentEntitiesOutputs = { entityRecognizerShares: pulumi.output({} as Record<string, string[]>) };

  if (d) {
    let manifestText: string;
    try {
      manifestText = readFile(d.manifestFile);
    } catch (e) {
      throw new Error(`${ctx.stack}: ml-landing-zone:documentEntities.manifestFile '${d.manifestFile}' cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const training = new EntityRecognizerTraining("entities", {
      accountId: ctx.accountId,
      bucketName: d.bucketName,
      manifestText,
      manifestFile: d.manifestFile,
      attributeName: d.attributeName,
      entityTypes: d.entityTypes,
      recognizerName: d.recognizerName ?? d.model,
      versionName: d.versionName,
      train: d.train,
      trainWith: d.trainWith,
      region: ctx.region,
      assumeRoleArn,
      forceDestroy: d.forceDestroy,
    }, { providers: [ctx.provider, new NodeDynamicProvider("entities-dynamic")] });
    outputs.entityTrainingBucket = training.bucket.bucketName;
    outputs.entityManifestUri = training.manifestUri;
    outputs.entityRecognizerVersionArn = training.versionArn;
  }

  if (referenced.length > 0) {
    const dynamic = new NodeDynamicProvider("comprehend-dynamic");
    const shares: Record<string, pulumi.Output<string[]>> = {};
    for (const ref of referenced) {
      const accounts = ctx.accountIds.apply((ids) => ref.environments.map((env) => {
        const key = references.consumerInfo[env].account;
        const id = ids[key];
        if (!id) throw new Error(`consumer '${env}' names account '${key}', which the management stack does not export`);
        return id;
      }).sort(byString));
      const parsed = parseComprehendVersionArn(ref.versionArn);
      new ComprehendModelShare(`entities-share-${parsed.recognizer}-${parsed.version}`, {
        versionArn: ref.versionArn,
        consumerAccountIds: accounts,
        assumeRoleArn,
      }, { providers: [ctx.provider, dynamic] });
      shares[ref.versionArn] = accounts;
    }
    outputs.entityRecognizerShares = pulumi.output(shares);
  }
  return outputs;
}
