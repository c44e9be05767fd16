/**
 * Pulumi dynamic providers for sharing a Comprehend custom model across accounts, which
 * @pulumi/aws has no resource for (its `aws.comprehend.EntityRecognizer` has no model policy, and
 * there is no resource for ImportModel):
 *
 * - `mlz:comprehend:ModelPolicy` (ML account): the recognizer version's resource-based policy
 *   (PutResourcePolicy / DeleteResourcePolicy) allowing `comprehend:ImportModel` to exactly the
 *   consumer accounts that reference the version.
 * - `mlz:comprehend:ImportedModel` (consumer account): ImportModel copies the version into the
 *   consumer's account (same recognizer and version names, so the copy's ARN is predictable);
 *   delete removes the copy (DeleteEntityRecognizer). ImportModel returns at once; the copy is
 *   usable once Comprehend reports it TRAINED (minutes), which analysis jobs started earlier fail on.
 *
 * As in project-version-provider.ts: the SDK is imported inside each method, the logic takes its
 * client as an argument (tests drive it with aws-sdk-client-mock), and the input `kind` tells the
 * offline plan what each dynamic resource is.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ComprehendClient } from "@aws-sdk/client-comprehend";

export const MODEL_POLICY_KIND = "mlz:comprehend:ModelPolicy";
export const IMPORTED_MODEL_KIND = "mlz:comprehend:ImportedModel";

export interface ModelPolicyInputs {
  kind: typeof MODEL_POLICY_KIND;
  /** The recognizer version the policy is attached to. */
  resourceArn: string;
  /** The policy document (JSON). */
  policy: string;
  region: string;
  /** Role to assume (the ML account's deploy role); ambient credentials if absent. */
  assumeRoleArn?: string;
}

export interface ModelPolicyOutputs extends ModelPolicyInputs {
  policyRevisionId: string;
}

export interface ImportedModelInputs {
  kind: typeof IMPORTED_MODEL_KIND;
  /** The ML account's recognizer version. */
  sourceModelArn: string;
  /** Name and version of the copy (the source's). */
  modelName: string;
  versionName: string;
  region: string;
  /** KMS key encrypting the copy. */
  modelKmsKeyId?: string;
  /** Role Comprehend uses for that key. */
  dataAccessRoleArn?: string;
  assumeRoleArn?: string;
}

export interface ImportedModelOutputs extends ImportedModelInputs {
  /** ARN of the copy in this account. */
  modelArn: string;
}

type Client = Pick<ComprehendClient, "send">;

export async function putModelPolicy(client: Client, i: ModelPolicyInputs): Promise<ModelPolicyOutputs> {
  const { PutResourcePolicyCommand } = await import("@aws-sdk/client-comprehend");
  const out = await client.send(new PutResourcePolicyCommand({ ResourceArn: i.resourceArn, ResourcePolicy: i.policy }));
  return { ...i, policyRevisionId: out.PolicyRevisionId ?? "" };
}

export async function deleteModelPolicy(client: Client, i: ModelPolicyInputs): Promise<void> {
  const { DeleteResourcePolicyCommand } = await import("@aws-sdk/client-comprehend");
  try {
    await client.send(new DeleteResourcePolicyCommand({ ResourceArn: i.resourceArn }));
  } catch (e) {
    if ((e as Error).name !== "ResourceNotFoundException") throw e; // the version is gone: nothing to remove
  }
}

export async function importModel(client: Client, i: ImportedModelInputs): Promise<ImportedModelOutputs> {
  const { ImportModelCommand } = await import("@aws-sdk/client-comprehend");
  const out = await client.send(new ImportModelCommand({
    SourceModelArn: i.sourceModelArn,
    ModelName: i.modelName,
    VersionName: i.versionName,
    ...(i.modelKmsKeyId ? { ModelKmsKeyId: i.modelKmsKeyId } : {}),
    ...(i.dataAccessRoleArn ? { DataAccessRoleArn: i.dataAccessRoleArn } : {}),
  }));
  if (!out.ModelArn) throw new Error(`ImportModel of ${i.sourceModelArn} returned no ModelArn`);
  return { ...i, modelArn: out.ModelArn };
}

export async function deleteImportedModel(client: Client, o: ImportedModelOutputs): Promise<void> {
  const { DeleteEntityRecognizerCommand } = await import("@aws-sdk/client-comprehend");
  try {
    await client.send(new DeleteEntityRecognizerCommand({ EntityRecognizerArn: o.modelArn }));
  } catch (e) {
    if ((e as Error).name !== "ResourceNotFoundException") throw e;
  }
}

/** Problems with known inputs (an unknown value during preview is not checked). */
export function comprehendInputFailures(i: Record<string, unknown>): { property: string; reason: string }[] {
  const failures: { property: string; reason: string }[] = [];
  const known = (v: unknown): v is string => typeof v === "string" && v !== "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
  const VERSION = /^arn:aws[a-z-]*:comprehend:[a-z0-9-]+:\d{12}:entity-recognizer\/[a-zA-Z0-9-]+\/version\/[a-zA-Z0-9-]+$/;
  for (const key of ["resourceArn", "sourceModelArn"]) {
    if (known(i[key]) && !VERSION.test(i[key] as string)) failures.push({ property: key, reason: `must be a Comprehend entity-recognizer version ARN; got '${i[key]}'` });
  }
  if (known(i.policy)) {
    try {
      const doc = JSON.parse(i.policy as string);
      if (!Array.isArray(doc?.Statement) || doc.Statement.length === 0) failures.push({ property: "policy", reason: "must be a policy document with statements" });
    } catch {
      failures.push({ property: "policy", reason: "must be JSON" });
    }
  }
  return failures;
}

async function clientFor(i: { region: string; assumeRoleArn?: string }): Promise<ComprehendClient> {
  const { ComprehendClient } = await import("@aws-sdk/client-comprehend");
  if (!i.assumeRoleArn) return new ComprehendClient({ region: i.region });
  const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
  const out = await new STSClient({ region: i.region }).send(new AssumeRoleCommand({ RoleArn: i.assumeRoleArn, RoleSessionName: "mlz-comprehend-model" }));
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${i.assumeRoleArn} returned no credentials`);
  return new ComprehendClient({ region: i.region, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } });
}

export function makeModelPolicyProvider(client: (i: ModelPolicyInputs) => Promise<Client> = clientFor): pulumi.dynamic.ResourceProvider<ModelPolicyInputs, ModelPolicyOutputs> {
  return {
    async check(_olds, news) {
      const failures = comprehendInputFailures(news as unknown as Record<string, unknown>);
      return failures.length > 0 ? { inputs: news, failures } : { inputs: news };
    },
    async diff(_id, olds, news) {
      const replaces = (["resourceArn", "region"] as const).filter((k) => olds[k] !== news[k]);
      return { changes: replaces.length > 0 || olds.policy !== news.policy, replaces, deleteBeforeReplace: false };
    },
    async create(inputs) {
      return { id: inputs.resourceArn, outs: await putModelPolicy(await client(inputs), inputs) };
    },
    async update(_id, _olds, news) {
      return { outs: await putModelPolicy(await client(news), news) };
    },
    async delete(_id, props) {
      await deleteModelPolicy(await client(props), props);
    },
  };
}

export function makeImportedModelProvider(client: (i: ImportedModelInputs) => Promise<Client> = clientFor): pulumi.dynamic.ResourceProvider<ImportedModelInputs, ImportedModelOutputs> {
  return {
    async check(_olds, news) {
      const failures = comprehendInputFailures(news as unknown as Record<string, unknown>);
      return failures.length > 0 ? { inputs: news, failures } : { inputs: news };
    },
    async diff(_id, olds, news) {
      // A copy cannot be changed: any change imports a new copy (a new version name) and deletes the old one.
      const keys = ["sourceModelArn", "modelName", "versionName", "region", "modelKmsKeyId", "dataAccessRoleArn"] as const;
      const replaces = keys.filter((k) => olds[k] !== news[k]);
      return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
    },
    async create(inputs) {
      const outs = await importModel(await client(inputs), inputs);
      return { id: outs.modelArn, outs };
    },
    async delete(_id, props) {
      await deleteImportedModel(await client(props), props);
    },
  };
}
