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
import { z } from "zod";
import {
  accountId,
  consumedModel,
  email,
  hostedModel,
  kebabName,
  region,
  stackReferenceName,
} from "./fields";
import { guardrailsConfigSchema } from "./parts/guardrails";
import { auditLogConfigSchema } from "./parts/audit-log";
import { deploymentIdentityConfigSchema } from "./parts/deployment-identity";
import { modelConsumptionConfigSchema } from "./parts/model-consumption";
import { rekognitionModelsConfigSchema } from "./parts/rekognition-models";
import { trainingImagesConfigSchema } from "./parts/training-images";
import { bikeshareConfigSchema } from "./parts/bikeshare";
import { costBudgetConfigSchema } from "./parts/cost-budget";

export const PROJECT = "ml-landing-zone";
export const NAMESPACE = PROJECT;
/** Folder of the stack files (`stackConfigDir` in Pulumi.yaml). */
export const STACKS_DIR = path.resolve(__dirname);
/**
 * Where programs read stack files from: `MLZ_STACK_CONFIG_DIR` when set (the offline plan sets it
 * for `--stacks-dir`, e.g. a test fixture), else this folder.
 */
export function stacksDir(): string {
  return process.env.MLZ_STACK_CONFIG_DIR ? path.resolve(process.env.MLZ_STACK_CONFIG_DIR) : STACKS_DIR;
}
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

const modelName = kebabName("a model name");
const modelsMap = <T extends z.ZodType>(model: T) =>
  z.record(modelName, model, { error: "expected a map of model name → settings" });

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
};

const member = {
  /** Stack reference to the management stack, which exports account ids. */
  managementStack: stackReferenceName,
  /** Key of this stack's account in the management stack's `accounts`. */
  account: kebabName("an account key"),
  /** Role this stack's provider assumes in its account. Defaults to `mlz-deploy`. */
  deployRoleName: z.string().regex(/^[\w+=,.@-]{1,64}$/).optional(),
};

const organizationalUnit = z.strictObject({
  /** Display name. */
  name: z.string().min(1).max(128),
  /** Key of the parent OU. Defaults to the organization root. */
  parent: kebabName("an OU key").optional(),
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
});

export const managementSchema = z.strictObject({
  ...common,
  role: z.literal("management"),
  /** Id of the organization's management account (where this stack runs). */
  managementAccountId: accountId,
  /** OUs by key. */
  organizationalUnits: z.record(kebabName("an OU key"), organizationalUnit),
  /** Member accounts by key; must include cicd, lakehouse and ml. */
  accounts: z.record(kebabName("an account key"), memberAccount),
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
});

const consumer = z.strictObject({
  /** Stack reference to the consumer's stack (its live `modelVersionArns` and endpoint ids). */
  stack: stackReferenceName,
  /** Calls must come through the consumer's VPC endpoint (`aws:SourceVpce`). Defaults to false. */
  requireVpcEndpoint: z.boolean().default(false),
});

export const mlSchema = z.strictObject({
  ...common,
  ...member,
  role: z.literal("ml"),
  /** Models the ML account trains and hosts. */
  models: modelsMap(hostedModel),
  /** Consumer environments by stack name (their `models` maps are read from their stack files). */
  consumers: z.record(kebabName("a stack name"), consumer).default({}),
  /** Rekognition versions kept declared as STOPPED (stacks/parts/rekognition-models.ts). Defaults to none. */
  retiredModelVersions: rekognitionModelsConfigSchema.shape.retiredModelVersions,
  /** Who may train Rekognition models, and where the training images are (stacks/parts/rekognition-models.ts). */
  rekognitionTrainer: rekognitionModelsConfigSchema.shape.rekognitionTrainer,
  /** The bike-share Autopilot pipeline (stacks/parts/bikeshare.ts). Defaults to none. */
  ...bikeshareConfigSchema.shape,
});

export const workloadSchema = z.strictObject({
  ...common,
  ...member,
  role: z.literal("workload"),
  /** Models this environment calls, with the version in use. */
  models: modelsMap(consumedModel),
  /** Private network, endpoints and smoke test (stacks/parts/model-consumption.ts). */
  ...modelConsumptionConfigSchema.shape,
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

/**
 * Pulumi hands JSON-typed values (objects in config, policies and provider settings in inputs)
 * around as strings: parses a string that holds a JSON object or array, returns anything else as is.
 */
export function decodeJson(value: unknown): any {
  if (typeof value === "string" && /^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

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
  return result.data;
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
}

/** Relative path of a stack's config file. */
export function stackFilePath(stack: string): string {
  return `stacks/Pulumi.${stack}.yaml`;
}

/** Reads `Pulumi.<stack>.yaml` from `dir` (default: this folder) without validating it. */
export function readStackFile(stack: string, dir: string = stacksDir()): StackFile {
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
  return { stack, file, values, otherValues, secretKeys };
}

/** Reads and validates a stack file. */
export function readStackConfigFile(stack: string, dir: string = stacksDir()): StackConfig {
  const f = readStackFile(stack, dir);
  return parseStackConfig(f.values, f.file);
}

/** Stack names that have a `Pulumi.<stack>.yaml` in `dir`, sorted. */
export function listStacks(dir: string = stacksDir()): string[] {
  return fs.readdirSync(dir)
    .map((f) => /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** The last segment of a stack reference name (`org/project/qa` → `qa`). */
export function stackOfReference(reference: string): string {
  return reference.split("/").pop() as string;
}
