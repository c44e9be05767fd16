/**
 * Stack configuration: one zod schema per program role, validated before any resource is declared.
 *
 * Every value lives under the `ml-landing-zone:` namespace of `stacks/Pulumi.<stack>.yaml`. Pulumi
 * hands top-level scalars to programs as strings and objects as JSON strings; `readStackFile` reads
 * the YAML into that same shape, so the offline plan, the promotion command and `pulumi up` validate
 * exactly the same values with exactly the same messages.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { closest } from "fastest-levenshtein";
import { z } from "zod";
import { decodeJson } from "../lib/json";
import {
  accountId,
  consumedModel,
  email,
  iamRoleName,
  kebabName,
  modelsMap,
  region,
  stackReferenceMismatch,
  stackReferenceName,
  stateBackend,
} from "./fields";
import { guardrailsConfigSchema, refineGuardrailsConfig } from "./parts/guardrails";
import { IAM_ROLE_NAME, isAwsRegion, regionOfArn } from "../components/aws";
import { POLICY_TARGET_ID } from "../components/organization/adopted-policy";
import { auditLogConfigSchema } from "./parts/audit-log";
import { deploymentIdentityConfigSchema } from "./parts/deployment-identity";
import { modelConsumptionConfigSchema } from "./parts/model-consumption";
import { refineRekognitionModelsConfig, rekognitionModelsConfigSchema } from "./parts/rekognition-models";
import { trainingImagesConfigSchema } from "./parts/training-images";
import { imageNormalizationConfigSchema } from "./parts/image-normalization";
import { normalizedImagesConfigSchema } from "./parts/normalized-images";
import { bikeshareConfigSchema } from "./parts/bikeshare";
import { costBudgetConfigSchema } from "./parts/cost-budget";
import { narrationConfigSchema } from "./parts/narration";
import { translationConfigSchema } from "./parts/translation";
import { STACKS_DIR } from "./paths";
import { documentEntitiesConfigSchema } from "./parts/document-entities";
import { documentAnalysisConfigSchema } from "./parts/document-analysis";

export const PROJECT = "ml-landing-zone";
export const NAMESPACE = PROJECT;
export { STACKS_DIR };
/** Placeholder the offline plan puts in place of `secure:` values. */
export const SECRET_PLACEHOLDER = "[secret]";

export { accountId, consumedModel, email, hostedModel, intFromConfig, kebabName, modelKind, region, stackReferenceName } from "./fields";

export const ROLES = ["management", "cicd", "lakehouse", "ml", "workload"] as const;
export type Role = (typeof ROLES)[number];

/** A bad stack config: names the file, the key and what was expected. */
export class ConfigError extends Error {
  constructor(
    public readonly file: string,
    public readonly issues: { key: string; message: string }[],
  ) {
    super(issues.map((i) => `${file}: ${i.key}: ${i.message}`).join("\n"));
    this.name = "ConfigError";
  }
}


// ---------------------------------------------------------------------------------------------
// Role schemas
// ---------------------------------------------------------------------------------------------

const common = {
  /** Which program runs this stack. */
  role: z.enum(ROLES, { error: (i) => `expected one of ${ROLES.join(", ")}; got '${String(i.input)}'` }),
  /** Region the stack deploys into. */
  region,
  /** E-mail of the owning team; becomes the `owner` tag. */
  owner: email,
  /** Value of the `environment` tag. Defaults to the stack name. */
  environment: kebabName("an environment name").optional(),
  /** Monthly budget of the stack's always-on cost, checked by the offline plan (stacks/parts/cost-budget.ts). */
  ...costBudgetConfigSchema.shape,
  /**
   * Backend of the stacks' state: `diy` (the S3 bucket the workflows log in to; every stack
   * reference is `organization/ml-landing-zone/<stack>`) or `cloud` (Pulumi Cloud;
   * `<organization>/ml-landing-zone/<stack>`). Stack references of the other form are refused.
   * Defaults to `diy`.
   */
  stateBackend: stateBackend.default("diy"),
};

const member = {
  /** Stack reference to the management stack, which exports account ids. */
  managementStack: stackReferenceName,
  /** Key of this stack's account in the management stack's `accounts`. */
  account: kebabName("an account key"),
  /** Role this stack's provider assumes in its account. Defaults to `mlz-deploy`. */
  deployRoleName: iamRoleName.optional(),
};

const organizationalUnit = z.strictObject({
  /** Display name. */
  name: z.string().min(1).max(128),
  /** Key of the parent OU. Defaults to the organization root. */
  parent: kebabName("an OU key").optional(),
  /** Id (`ou-…`) of an existing OU to adopt (imported, not created; `npm run adopt` writes it). */
  id: z.string().regex(/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/, { error: (i) => `expected an OU id (ou-<root part>-<8 to 32 lowercase letters or digits>); got '${String(i.input)}'` }).optional(),
});

const memberAccount = z.strictObject({
  /** Account name. */
  name: z.string().min(1).max(50),
  /** Root e-mail address of the account (unique across AWS). */
  email,
  /** Key of the OU the account belongs to. */
  ou: kebabName("an OU key"),
  /** Id of an existing account to adopt (imported, not created). Defaults to creating a new one. */
  id: accountId.optional(),
  /**
   * Role the management stack assumes in the account to bootstrap it (deploy, preview and reader
   * roles, Config recorder). Accounts the organization created have `OrganizationAccountAccessRole`;
   * an account INVITED into the organization has no such role until its administrator creates one
   * trusting the management account: name that role here. Defaults to `OrganizationAccountAccessRole`.
   */
  bootstrapRoleName: z.string().regex(IAM_ROLE_NAME, { error: (i) => `expected an IAM role name (letters, digits and +=,.@_-, at most 64; no wildcards); got '${String(i.input)}'` }).optional(),
});

const adoptedPolicy = z.strictObject({
  /** Policy id (`p-…`). */
  id: z.string().regex(/^p-[0-9a-zA-Z_]{8,128}$/, { error: (i) => `expected a policy id (p-…); got '${String(i.input)}'` }),
  /** Name, as in Organizations. */
  name: z.string().min(1).max(128),
  type: z.enum(["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"]),
  /** Description, as in Organizations. */
  description: z.string().max(512).optional(),
  /** The policy document, exactly as Organizations returns it. */
  content: z.string().min(1).refine((c) => {
    try {
      JSON.parse(c);
      return true;
    } catch {
      return false;
    }
  }, { error: "expected a JSON policy document" }),
  /** Ids of the root (r-…), OUs (ou-…) and accounts it is attached to. */
  targets: z.array(z.string().regex(POLICY_TARGET_ID, { error: (i) => `expected a root, OU or account id; got '${String(i.input)}'` })),
});

export const managementSchema = z.strictObject({
  ...common,
  role: z.literal("management"),
  /** Id of the organization's management account (where this stack runs). */
  managementAccountId: accountId,
  /**
   * Id (`o-…`) of the organization when it already exists: it is imported, not created
   * (CreateOrganization fails where one exists). Required when any account is adopted by `id`.
   * Defaults to creating the organization.
   */
  organizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/, { error: (i) => `expected an organization id (o- and 10 to 32 lowercase letters or digits); got '${String(i.input)}'` }).optional(),
  /** OUs by key. */
  organizationalUnits: z.record(kebabName("an OU key"), organizationalUnit),
  /** Member accounts by key; must include cicd, lakehouse and ml. */
  accounts: z.record(kebabName("an account key"), memberAccount),
  /**
   * Organization policies (SCPs, RCPs) that existed before the landing zone, imported as they are
   * (`npm run adopt -- --adopt-policies` writes them). Defaults to none: other policies are left alone.
   */
  adoptedPolicies: z.record(kebabName("a policy key"), adoptedPolicy).optional(),
  /** SCP guardrails, Access Analyzer, organization trail and Config rules (stacks/parts/guardrails.ts). */
  ...guardrailsConfigSchema.shape,
}).superRefine((c, ctx) => {
  for (const [key, ou] of Object.entries(c.organizationalUnits)) {
    if (ou.parent !== undefined && !(ou.parent in c.organizationalUnits)) {
      ctx.addIssue({ code: "custom", path: ["organizationalUnits", key, "parent"], message: `expected the key of another OU (${Object.keys(c.organizationalUnits).join(", ")}); got '${ou.parent}'` });
    }
  }
  for (const [key, acct] of Object.entries(c.accounts)) {
    if (!(acct.ou in c.organizationalUnits)) {
      ctx.addIssue({ code: "custom", path: ["accounts", key, "ou"], message: `expected an OU key (${Object.keys(c.organizationalUnits).join(", ") || "none defined"}); got '${acct.ou}'` });
    }
  }
  const adopted = Object.entries(c.accounts).filter(([, a]) => a.id !== undefined).map(([k]) => k).sort();
  if (c.organizationId === undefined && adopted.length > 0) {
    ctx.addIssue({ code: "custom", path: ["organizationId"], message: `is required when accounts are adopted by id (${adopted.join(", ")}): their organization exists and is imported by its id (CreateOrganization fails where one exists)` });
  }
  for (const required of ["cicd", "lakehouse", "ml"]) {
    if (!(required in c.accounts)) {
      ctx.addIssue({ code: "custom", path: ["accounts"], message: `expected an account with key '${required}'` });
    }
  }
  const emails = new Map<string, string>();
  for (const [key, acct] of Object.entries(c.accounts)) {
    const other = emails.get(acct.email.toLowerCase());
    if (other) ctx.addIssue({ code: "custom", path: ["accounts", key, "email"], message: `expected a unique e-mail; '${acct.email}' is also used by account '${other}'` });
    emails.set(acct.email.toLowerCase(), key);
  }
  // One AWS account is one member: the same id or name twice would adopt or create it twice.
  const ids = new Map<string, string>([[c.managementAccountId, "the management account (managementAccountId)"]]);
  const names = new Map<string, string>();
  for (const [key, acct] of Object.entries(c.accounts)) {
    if (acct.id !== undefined) {
      const other = ids.get(acct.id);
      if (other) ctx.addIssue({ code: "custom", path: ["accounts", key, "id"], message: `expected a unique account id; '${acct.id}' is also ${other.startsWith("the management") ? other : `the id of account '${other}'`}` });
      else ids.set(acct.id, key);
    }
    const other = names.get(acct.name.toLowerCase());
    if (other) ctx.addIssue({ code: "custom", path: ["accounts", key, "name"], message: `expected a unique account name; '${acct.name}' is also the name of account '${other}'` });
    else names.set(acct.name.toLowerCase(), key);
  }
  refineGuardrailsConfig(c.guardrails, Object.fromEntries(Object.entries(c.accounts).map(([k, a]) => [k, a.ou])), ctx);
});

export const cicdSchema = z.strictObject({
  ...common,
  ...member,
  role: z.literal("cicd"),
  /** The GitHub repository whose workflows deploy the stacks (stacks/parts/deployment-identity.ts). */
  github: deploymentIdentityConfigSchema.shape.github,
});

export const lakehouseSchema = z.strictObject({
  ...common,
  ...member,
  role: z.literal("lakehouse"),
  /** The organization trail's log bucket (stacks/parts/audit-log.ts). */
  ...auditLogConfigSchema.shape,
  /** The Rekognition training-images bucket (stacks/parts/training-images.ts). */
  ...trainingImagesConfigSchema.shape,
  /** Image normalization for training (stacks/parts/image-normalization.ts). */
  ...imageNormalizationConfigSchema.shape,
});

export const mlSchema = z.strictObject({
  ...common,
  ...member,
  role: z.literal("ml"),
  /** Models, consumers, retired versions and the trainer (stacks/parts/rekognition-models.ts). */
  ...rekognitionModelsConfigSchema.shape,
  /** The bike-share Autopilot pipeline (stacks/parts/bikeshare.ts). Defaults to none. */
  ...bikeshareConfigSchema.shape,
  /** The training role's IAM side of the lakehouse's normalized images (stacks/parts/normalized-images.ts). */
  ...normalizedImagesConfigSchema.shape,
  /** Comprehend custom entity recognition training (stacks/parts/document-entities.ts). Defaults to none. */
  ...documentEntitiesConfigSchema.shape,
}).superRefine((c, ctx) => {
  const ofKind = (kind: string) => Object.keys(c.models).filter((m) => c.models[m].kind === kind).sort().join(", ") || "none";
  if (c.bikeshare) {
    const hosted = c.models[c.bikeshare.model];
    if (!hosted || hosted.kind !== "sagemaker") {
      ctx.addIssue({ code: "custom", path: ["bikeshare", "model"], message: `expected a sagemaker model of ml-landing-zone:models (${ofKind("sagemaker")}); ${hosted ? `'${c.bikeshare.model}' is ${hosted.kind}` : `got '${c.bikeshare.model}'`}` });
    }
  }
  refineRekognitionModelsConfig(c, c.region, ctx);
});

export const workloadSchema = z.strictObject({
  ...common,
  ...member,
  role: z.literal("workload"),
  /** Models this environment calls, with the version in use. */
  models: modelsMap(consumedModel),
  /** Private network, endpoints and smoke test (stacks/parts/model-consumption.ts). */
  ...modelConsumptionConfigSchema.shape,
  /** Article narration (stacks/parts/narration.ts). Defaults to none. */
  ...narrationConfigSchema.shape,
  /** Translation with profanity masking (stacks/parts/translation.ts). Defaults to none. */
  ...translationConfigSchema.shape,
  /** Document entity analysis with the promoted recognizer (stacks/parts/document-analysis.ts). Defaults to none. */
  ...documentAnalysisConfigSchema.shape,
}).superRefine((c, ctx) => {
  // Models are called in the environment's region (its endpoints and smoke test are there).
  if (isAwsRegion(c.region)) {
    for (const [model, m] of Object.entries(c.models)) {
      const arnRegion = regionOfArn(m.versionArn);
      if (arnRegion && arnRegion !== c.region) {
        ctx.addIssue({ code: "custom", path: ["models", model, "versionArn"], message: `expected a version in this stack's region ${c.region}, where its endpoints are; got '${m.versionArn}' in ${arnRegion}` });
      }
    }
  }
  const smoke = c.modelSmokeTest;
  if (!smoke) return;
  const entry = c.models[smoke.model];
  if (!entry) {
    ctx.addIssue({ code: "custom", path: ["modelSmokeTest", "model"], message: `expected a model of ml-landing-zone:models (${Object.keys(c.models).sort().join(", ") || "none"}); got '${smoke.model}'` });
  } else if (entry.kind !== "rekognition") {
    ctx.addIssue({ code: "custom", path: ["modelSmokeTest", "model"], message: `expected a Rekognition model; '${smoke.model}' is ${entry.kind}` });
  }
});

export type ManagementConfig = z.infer<typeof managementSchema>;
export type CicdConfig = z.infer<typeof cicdSchema>;
export type LakehouseConfig = z.infer<typeof lakehouseSchema>;
export type MlConfig = z.infer<typeof mlSchema>;
export type WorkloadConfig = z.infer<typeof workloadSchema>;
export type StackConfig = ManagementConfig | CicdConfig | LakehouseConfig | MlConfig | WorkloadConfig;
export type ConsumedModel = z.infer<typeof consumedModel>;

const SCHEMAS: Record<Role, z.ZodType<StackConfig>> = {
  management: managementSchema,
  cicd: cicdSchema,
  lakehouse: lakehouseSchema,
  ml: mlSchema,
  workload: workloadSchema,
} as Record<Role, z.ZodType<StackConfig>>;

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/** The value at `pathParts` of `input`, or undefined when any step is missing. */
function valueAt(input: unknown, pathParts: PropertyKey[]): unknown {
  let v: unknown = input;
  for (const p of pathParts) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): { key: string; message: string }[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => ({ key: keyOf([...issue.path, k]), message: "unknown key (check its spelling against the documented keys)" }));
  }
  if (issue.code === "invalid_key") {
    const inner = issue.issues[0]?.message ?? issue.message;
    return [{ key: keyOf(issue.path), message: inner }];
  }
  // A missing key is an invalid type at a path the input does not have; a present value of the
  // wrong type is not "required".
  if (issue.code === "invalid_type" && valueAt(input, issue.path) === undefined) {
    return [{ key: keyOf(issue.path), message: `is required: ${issue.message.replace(/^Invalid input: /, "")}` }];
  }
  return [{ key: keyOf(issue.path), message: issue.message }];
}

function keyOf(pathParts: PropertyKey[]): string {
  const [head, ...rest] = pathParts.map(String);
  return `${NAMESPACE}:${head ?? ""}${rest.map((p) => `.${p}`).join("")}`;
}

/**
 * Validates a stack's config values (keys without the namespace) and returns them typed.
 * Throws a `ConfigError` naming `file`, every bad key and what was expected.
 */
export function parseStackConfig(values: Record<string, unknown>, file: string): StackConfig {
  // Programs validate the same stack files again and again (the cicd and ML programs read every
  // member's file, in each pass of the plan): the result of equal input is reused, as a copy.
  const key = `${file}\0${JSON.stringify(values)}`;
  const known = parsedConfigs.get(key);
  if (known) return structuredClone(known);
  const parsed = parseStackConfigUncached(values, file);
  remember(parsedConfigs, key, parsed);
  return structuredClone(parsed);
}

const CACHE_ENTRIES = 512;
const parsedConfigs = new Map<string, StackConfig>();
const parsedFiles = new Map<string, StackFile>();
function remember<T>(cache: Map<string, T>, key: string, value: T): void {
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
}

function parseStackConfigUncached(values: Record<string, unknown>, file: string): StackConfig {
  const decoded = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, decodeJson(v)]));
  const role = decoded.role;
  if (typeof role !== "string" || !(ROLES as readonly string[]).includes(role)) {
    throw new ConfigError(file, [{
      key: `${NAMESPACE}:role`,
      message: role === undefined ? `is required: one of ${ROLES.join(", ")}` : `expected one of ${ROLES.join(", ")}; got '${String(role)}'`,
    }]);
  }
  const result = SCHEMAS[role as Role].safeParse(decoded);
  if (!result.success) {
    throw new ConfigError(file, result.error.issues.flatMap((issue) => describeIssue(issue, decoded)));
  }
  const mismatches = stackReferenceFields(result.data).flatMap(({ key, reference }) => {
    const message = stackReferenceMismatch(reference, result.data.stateBackend, PROJECT);
    return message ? [{ key: `${NAMESPACE}:${key}`, message }] : [];
  });
  if (mismatches.length > 0) throw new ConfigError(file, mismatches);
  return result.data;
}

/** Every stack reference of a config, with its key (`managementStack`, `consumers.qa.stack`, …). */
export function stackReferenceFields(config: StackConfig): { key: string; reference: string }[] {
  if (config.role === "management") return [];
  const fields = [{ key: "managementStack", reference: config.managementStack }];
  if (config.role === "ml") {
    for (const [k, c] of Object.entries(config.consumers)) fields.push({ key: `consumers.${k}.stack`, reference: c.stack });
    if (config.rekognitionTrainer?.lakehouseStack) fields.push({ key: "rekognitionTrainer.lakehouseStack", reference: config.rekognitionTrainer.lakehouseStack });
  }
  return fields;
}

export interface StackFile {
  /** Stack name. */
  stack: string;
  /** Path relative to the project root, e.g. `stacks/Pulumi.qa.yaml`. */
  file: string;
  /** `ml-landing-zone:` values without the namespace, as Pulumi would hand them to the program. */
  values: Record<string, unknown>;
  /** Values of other namespaces (`aws:…`, `pulumi:…`), full keys. */
  otherValues: Record<string, unknown>;
  /** Keys (namespace stripped) whose values were `secure:` and are now `SECRET_PLACEHOLDER`. */
  secretKeys: string[];
  /** The stack's `secretsprovider` (top level of the file, beside `config`), when set. */
  secretsProvider?: string;
}

/** Relative path of a stack's config file. */
export function stackFilePath(stack: string): string {
  return `stacks/Pulumi.${stack}.yaml`;
}

/** Reads `Pulumi.<stack>.yaml` from `dir` (default: this folder) without validating it. */
export function readStackFile(stack: string, dir: string = STACKS_DIR): StackFile {
  const full = path.join(dir, `Pulumi.${stack}.yaml`);
  // Messages name the file read: `stacks/Pulumi.<stack>.yaml`, or its path when read elsewhere.
  const file = path.resolve(dir) === STACKS_DIR ? stackFilePath(stack) : (path.relative(process.cwd(), full) || full);
  if (!fs.existsSync(full)) throw new ConfigError(file, [{ key: "(file)", message: "does not exist" }]);
  return parseStackFileText(stack, fs.readFileSync(full, "utf8"), file);
}

/** Parses the text of a stack file (e.g. from `git show <ref>:stacks/Pulumi.qa.yaml`). */
export function parseStackFileText(stack: string, text: string, file: string = stackFilePath(stack)): StackFile {
  const key = `${stack}\0${file}\0${text}`;
  const known = parsedFiles.get(key);
  if (known) return structuredClone(known);
  const parsed = parseStackFileTextUncached(stack, text, file);
  remember(parsedFiles, key, parsed);
  return structuredClone(parsed);
}

function parseStackFileTextUncached(stack: string, text: string, file: string): StackFile {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) {
    throw new ConfigError(file, [{ key: "(yaml)", message: `is not valid YAML: ${doc.errors[0].message}` }]);
  }
  const root = doc.toJS() as { config?: Record<string, unknown> } | null;
  if (!root || typeof root !== "object" || typeof root.config !== "object" || root.config === null) {
    throw new ConfigError(file, [{ key: "config", message: "expected a top-level 'config' map" }]);
  }
  const values: Record<string, unknown> = {};
  const otherValues: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  for (const [fullKey, raw] of Object.entries(root.config)) {
    let value: unknown = raw;
    const isSecret = typeof raw === "object" && raw !== null && !Array.isArray(raw) && Object.keys(raw).length === 1 && "secure" in raw;
    if (isSecret) value = SECRET_PLACEHOLDER;
    // Pulumi hands top-level scalars to programs as strings.
    if (typeof value === "number" || typeof value === "boolean") value = String(value);
    const prefix = `${NAMESPACE}:`;
    if (fullKey.startsWith(prefix)) {
      const key = fullKey.slice(prefix.length);
      values[key] = value;
      if (isSecret) secretKeys.push(key);
    } else {
      otherValues[fullKey] = value;
    }
  }
  const secretsProvider = typeof (root as Record<string, unknown>).secretsprovider === "string" ? (root as Record<string, string>).secretsprovider : undefined;
  return { stack, file, values, otherValues, secretKeys, ...(secretsProvider !== undefined ? { secretsProvider } : {}) };
}

/** Config namespaces a stack file may use: this project's, Pulumi's and the AWS provider's. */
export const KNOWN_NAMESPACES = [NAMESPACE, "pulumi", "aws"] as const;

/**
 * Keys of a stack file outside this project's namespace: each must be in a known namespace (a typo
 * such as `ml-landing-zon:models` would otherwise configure nothing, silently), and
 * `pulumi:disable-default-providers` must list "*" (every resource names its provider: no resource
 * may silently land in whatever account the ambient credentials belong to).
 */
export function stackFileKeyIssues(f: StackFile): { key: string; message: string }[] {
  const issues: { key: string; message: string }[] = [];
  for (const key of Object.keys(f.otherValues)) {
    const ns = key.includes(":") ? key.slice(0, key.indexOf(":")) : undefined;
    if (ns === undefined) {
      issues.push({ key, message: `expected a namespaced key '<namespace>:<key>' (${KNOWN_NAMESPACES.map((n) => `${n}:`).join(", ")}); did you mean '${NAMESPACE}:${key}'?` });
    } else if (!(KNOWN_NAMESPACES as readonly string[]).includes(ns)) {
      const suggestion = closest(ns, [...KNOWN_NAMESPACES]);
      issues.push({ key, message: `unknown namespace '${ns}:' (expected ${KNOWN_NAMESPACES.map((n) => `${n}:`).join(", ")}); did you mean '${suggestion}${key.slice(ns.length)}'?` });
    }
  }
  const ddp = decodeJson(f.otherValues["pulumi:disable-default-providers"]);
  if (ddp === undefined) {
    issues.push({ key: "pulumi:disable-default-providers", message: 'is required: ["*"] (every resource names its provider explicitly)' });
  } else if (!(Array.isArray(ddp) && ddp.includes("*"))) {
    issues.push({ key: "pulumi:disable-default-providers", message: `expected ["*"] (every resource names its provider explicitly); got ${JSON.stringify(ddp)}` });
  }
  return issues;
}

/** Validates a whole stack file: its keys (namespaces, default providers off) and its config values. */
export function validateStackFile(f: StackFile): StackConfig {
  const keyIssues = stackFileKeyIssues(f);
  try {
    const config = parseStackConfig(f.values, f.file);
    if (keyIssues.length > 0) throw new ConfigError(f.file, keyIssues);
    return config;
  } catch (e) {
    if (e instanceof ConfigError && e.issues !== keyIssues) throw new ConfigError(f.file, [...keyIssues, ...e.issues]);
    throw e;
  }
}

/** Reads and validates a stack file. */
export function readStackConfigFile(stack: string, dir: string = STACKS_DIR): StackConfig {
  const f = readStackFile(stack, dir);
  return parseStackConfig(f.values, f.file);
}

/** Stack names that have a `Pulumi.<stack>.yaml` in `dir`, sorted. */
export function listStacks(dir: string = STACKS_DIR): string[] {
  return fs.readdirSync(dir)
    .map((f) => /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/**
 * The stack files a program may read besides its own config (the management stack bootstraps every
 * member stack, the cicd stack trusts them, the ML stack reads its consumers'). Passed to programs
 * in their `StackContext`: `pulumi up` reads this folder, the offline plan the `--stacks-dir` it was given.
 */
export interface StackFiles {
  /** The folder read. */
  readonly dir: string;
  /** Stack names that have a file, sorted. */
  list(): string[];
  /** A stack's config, validated (throws a `ConfigError` naming the file). */
  read(stack: string): StackConfig;
}

/** The stack files of `dir` (default: this folder). */
export function stackFilesIn(dir: string = STACKS_DIR): StackFiles {
  const resolved = path.resolve(dir);
  return {
    dir: resolved,
    list: () => listStacks(resolved),
    read: (stack) => readStackConfigFile(stack, resolved),
  };
}

/** The last segment of a stack reference name (`org/project/qa` → `qa`). */
export function stackOfReference(reference: string): string {
  return reference.split("/").pop() as string;
}
