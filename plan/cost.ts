/**
 * What a plan costs while it runs: the always-on (hourly and monthly) cost of every stack from the
 * pinned price file (`plan/prices.json`), the usage-priced services it uses (listed with their unit
 * price, never multiplied by a guessed volume), the resource types the price file does not know
 * (reported as not priced, never as zero), the delta against base plans, and the per-stack budget.
 *
 * Pure functions over `StackPlan`s: no AWS call, no network. Monthly = 730 × hourly; a monthly
 * price counts as price ÷ 730 per hour. Nothing is rounded here; renderers round.
 */
import type { CostDelta, CostItem, StackCost, UsagePrice } from "../lib/plan-model";
export type { CostDelta, CostItem, StackCost, UsagePrice } from "../lib/plan-model";
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { decodeJson } from "../lib/json";
import { REGION_NAME } from "../components/aws";
import { costBudgetConfigSchema } from "../stacks/parts/cost-budget";
import type { PlannedResource, PolicyResult, StackPlan } from "../lib/plan-model";

export const PRICES_FILE = path.resolve(__dirname, "prices.json");
export const HOURS_PER_MONTH = 730;

const entrySchema = z.strictObject({
  per: z.enum(["hour", "month", "usage"]),
  usd: z.number().nonnegative().nullable().optional(),
  byInstanceType: z.record(z.string(), z.number().nonnegative()).optional(),
  unit: z.string().min(1),
  source: z.string().url(),
  read: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: "expected the date the price was read, YYYY-MM-DD" }),
  thirdParty: z.boolean().optional(),
  note: z.string().optional(),
  missing: z.string().optional(),
}).superRefine((e, ctx) => {
  if (e.usd === undefined && e.byInstanceType === undefined) ctx.addIssue({ code: "custom", message: "expected usd (a number, or null with 'missing') or byInstanceType" });
  if (e.usd === null && !e.missing) ctx.addIssue({ code: "custom", path: ["missing"], message: "an entry without a figure (usd null) must say in 'missing' why" });
});

const priceFileSchema = z.object({
  about: z.string().optional(),
  hoursPerMonth: z.literal(HOURS_PER_MONTH),
  free: z.object({ note: z.string().optional(), types: z.array(z.string().min(1)) }),
  regions: z.record(z.string().regex(REGION_NAME, { error: "expected a region name such as us-east-1" }), z.record(z.string().regex(/^[a-z0-9_-]+$/), entrySchema)),
});

export type PriceEntry = z.infer<typeof entrySchema>;
export type PriceFile = z.infer<typeof priceFileSchema>;

/** Validates a price file's content; the error names the file and the key at fault. */
export function parsePrices(data: unknown, file = "plan/prices.json"): PriceFile {
  const r = priceFileSchema.safeParse(data);
  if (!r.success) {
    throw new Error(r.error.issues.map((i) => `${file}: ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n"));
  }
  return r.data;
}

let pinned: PriceFile | undefined;
/** The repository's pinned price file (read once). */
export function loadPrices(file = PRICES_FILE): PriceFile {
  if (file === PRICES_FILE && pinned) return pinned;
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  const prices = parsePrices(data, path.relative(process.cwd(), file) || file);
  if (file === PRICES_FILE) pinned = prices;
  return prices;
}




/** Formats dollars for bases and messages: `$0.01`, `$4`, `$0.0000166667`, `$2,920.00`. */
export function usd(n: number, fractionDigits?: number): string {
  if (fractionDigits !== undefined) return `$${n.toLocaleString("en-US", { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits })}`;
  return `$${n.toLocaleString("en-US", { maximumFractionDigits: 10 })}`;
}

/** A resource's type for pricing: a dynamic resource is known by its `kind` input. */
export function costType(r: PlannedResource): string {
  if (r.type === "pulumi-nodejs:dynamic:Resource" && typeof r.inputs.kind === "string") return r.inputs.kind;
  return r.type;
}

/** Actions that reach usage-priced services without a resource of their own. */
const SERVICE_ACTIONS: { type: string; action: RegExp; entries: string[] }[] = [
  { type: "polly:SynthesizeSpeech", action: /^polly:(SynthesizeSpeech|StartSpeechSynthesisTask|\*)$/i, entries: ["polly-standard-characters", "polly-neural-characters"] },
  { type: "translate:TranslateText", action: /^translate:(TranslateText|TranslateDocument|StartTextTranslationJob|\*)$/i, entries: ["translate-characters"] },
];

/** Usage entries by resource type (types that also have a fixed part list them too). */
const USAGE_BY_TYPE: Record<string, string[]> = {
  "aws:lambda/function:Function": ["lambda-requests"],
  "aws:s3/bucket:Bucket": ["s3-standard-storage", "s3-put-requests"],
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": ["firehose-ingestion"],
  "aws:cloudwatch/logGroup:LogGroup": ["cloudwatch-logs-ingestion"],
  "aws:kms/key:Key": ["kms-requests"],
  "aws:cfg/recorder:Recorder": ["config-configuration-items"],
  "aws:cfg/rule:Rule": ["config-rule-evaluations"],
  "aws:cfg/organizationManagedRule:OrganizationManagedRule": ["config-rule-evaluations"],
  "aws:cfg/organizationCustomRule:OrganizationCustomRule": ["config-rule-evaluations"],
  "aws:cloudtrail/trail:Trail": ["cloudtrail-data-events", "cloudtrail-additional-management-events"],
  "aws:cloudfront/distribution:Distribution": ["cloudfront-data-transfer"],
};

/** Fixed-part entries whose price is per resource (one unit each). */
const FIXED_BY_TYPE: Record<string, { entry: string; what: string }> = {
  "aws:kms/key:Key": { entry: "kms-key-month", what: "key" },
  "aws:kms/replicaKey:ReplicaKey": { entry: "kms-key-month", what: "key" },
  "aws:cloudfront/distribution:Distribution": { entry: "cloudfront-distribution-fixed", what: "distribution" },
  "aws:cfg/recorder:Recorder": { entry: "config-recorder-fixed", what: "recorder" },
  "aws:cloudtrail/trail:Trail": { entry: "cloudtrail-trail-fixed", what: "trail" },
};

type Outcome =
  | { kind: "free" }
  | { kind: "fixed"; entry: string; units: number; what: string; instanceType?: string; usage?: string[] }
  | { kind: "usage"; entries: string[] }
  | { kind: "unpriced" };

function hourlyOf(e: PriceEntry, price: number): number {
  return e.per === "month" ? price / HOURS_PER_MONTH : price;
}

/** The cost of one stack's plan. */
export function stackCost(plan: StackPlan, prices: PriceFile = loadPrices()): StackCost {
  const free = new Set(prices.free.types);
  const items: CostItem[] = [];
  const unpriced = new Set<string>();
  const usage = new Map<string, UsagePrice>();
  const addUsage = (type: string, region: string, ids: string[]) => {
    const entries = prices.regions[region];
    for (const id of ids) {
      const e = entries?.[id];
      if (!e) {
        unpriced.add(type);
        continue;
      }
      const u: UsagePrice = { type, unit: e.unit, usd: e.usd ?? null };
      usage.set(`${type}\u0000${e.unit}`, u);
    }
  };
  const subnetAz = new Map<string, string>();
  const configsByName = new Map<string, PlannedResource>();
  for (const r of plan.resources) {
    if (r.type === "aws:ec2/subnet:Subnet") {
      const id = String(r.outputs.id ?? r.id ?? "");
      const az = r.inputs.availabilityZone ?? r.inputs.availabilityZoneId;
      if (id && typeof az === "string") subnetAz.set(id, az);
    }
    if (r.type === "aws:sagemaker/endpointConfiguration:EndpointConfiguration") {
      for (const n of [r.outputs.name, r.inputs.name, r.outputs.id, r.id]) if (typeof n === "string") configsByName.set(n, r);
    }
  }

  for (const r of plan.resources) {
    if (!r.custom || r.type.startsWith("pulumi:")) continue;
    const type = costType(r);
    const region = r.region ?? plan.region ?? "";
    const entries = prices.regions[region];
    const outcome = classify(r, type, free, configsByName, subnetAz);
    if (outcome.kind === "free") continue;
    if (outcome.kind === "unpriced") {
      unpriced.add(type);
      continue;
    }
    if (outcome.kind === "usage") {
      addUsage(type, region, outcome.entries);
      continue;
    }
    const e = entries?.[outcome.entry];
    const price = outcome.instanceType !== undefined ? e?.byInstanceType?.[outcome.instanceType] : e?.usd;
    if (!e || price === undefined || price === null) {
      unpriced.add(type);
      continue;
    }
    const hourly = outcome.units * hourlyOf(e, price);
    const perLabel = e.per === "month" ? "/month" : "/h";
    items.push({
      urn: r.urn,
      type,
      hourlyUsd: hourly,
      monthlyUsd: hourly * HOURS_PER_MONTH,
      basis: `${outcome.units} ${outcome.what} × ${usd(price)}${perLabel}`,
      priceEntry: `${region}/${outcome.entry}`,
    });
    if (outcome.usage) addUsage(type, region, outcome.usage);
  }

  // Services reached only through IAM actions (Polly, Translate): their use is priced per request.
  const actions = allowedActions(plan);
  for (const s of SERVICE_ACTIONS) {
    if ([...actions].some((a) => s.action.test(a))) addUsage(s.type, plan.region ?? "", s.entries);
  }

  items.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  const hourlyUsd = items.reduce((n, i) => n + i.hourlyUsd, 0);
  const usagePriced = [...usage.values()].sort((a, b) => (a.type === b.type ? (a.unit < b.unit ? -1 : 1) : a.type < b.type ? -1 : 1));
  return { hourlyUsd, monthlyUsd: hourlyUsd * HOURS_PER_MONTH, items, unpriced: [...unpriced].sort(), usagePriced };
}

function classify(r: PlannedResource, type: string, free: Set<string>, configs: Map<string, PlannedResource>, subnetAz: Map<string, string>): Outcome {
  const i = r.inputs;
  switch (type) {
    case "aws:ec2/vpcEndpoint:VpcEndpoint": {
      const kind = typeof i.vpcEndpointType === "string" ? i.vpcEndpointType : "Gateway";
      if (kind === "Gateway") return free.has(`${type}#Gateway`) ? { kind: "free" } : { kind: "unpriced" };
      if (kind !== "Interface") return { kind: "unpriced" };
      const subnets = Array.isArray(i.subnetIds) ? (i.subnetIds as unknown[]).map(String) : [];
      const azs = new Set(subnets.map((s) => subnetAz.get(s) ?? s));
      // An interface endpoint without subnets is placed by AWS in one subnet per AZ: count it as unknown.
      if (azs.size === 0) return { kind: "unpriced" };
      return { kind: "fixed", entry: "vpce-interface-az-hour", units: azs.size, what: "AZ", usage: ["vpce-interface-data"] };
    }
    case "mlz:rekognition:ProjectVersionRunner": {
      if (i.desiredState === "STOPPED") return free.has(`${type}#STOPPED`) ? { kind: "free" } : { kind: "unpriced" };
      const units = typeof i.minInferenceUnits === "number" ? i.minInferenceUnits : 1;
      return { kind: "fixed", entry: "rekognition-custom-labels-inference-unit-hour", units, what: units === 1 ? "inference unit" : "inference units" };
    }
    case "aws:sagemaker/endpoint:Endpoint":
      return sagemakerEndpoint(r, configs);
    case "aws:accessanalyzer/analyzer:Analyzer":
      return /UNUSED_ACCESS$/.test(String(i.type ?? "")) ? { kind: "usage", entries: ["access-analyzer-unused-access"] } : free.has(`${type}#external`) ? { kind: "free" } : { kind: "unpriced" };
    case "aws:ssm/parameter:Parameter": {
      const tier = typeof i.tier === "string" ? i.tier : "Standard";
      return free.has(`${type}#${tier}`) ? { kind: "free" } : { kind: "unpriced" };
    }
    case "aws:lambda/function:Function": {
      const arch = Array.isArray(i.architectures) && i.architectures[0] === "arm64" ? "arm64" : "x86_64";
      return { kind: "usage", entries: ["lambda-requests", `lambda-duration-${arch}`] };
    }
  }
  if (free.has(type)) return { kind: "free" };
  const fixed = FIXED_BY_TYPE[type];
  if (fixed) return { kind: "fixed", entry: fixed.entry, units: 1, what: fixed.what, usage: USAGE_BY_TYPE[type] };
  const usage = USAGE_BY_TYPE[type];
  if (usage) return { kind: "usage", entries: usage };
  return { kind: "unpriced" };
}

/** A SageMaker endpoint costs its configuration's instances; serverless variants are usage-priced. */
function sagemakerEndpoint(r: PlannedResource, configs: Map<string, PlannedResource>): Outcome {
  const config = configs.get(String(r.inputs.endpointConfigName ?? ""));
  const variants = config ? (decodeJson(config.inputs.productionVariants) as unknown) : undefined;
  if (!Array.isArray(variants) || variants.length === 0) return { kind: "unpriced" };
  const typed = variants as { instanceType?: string; initialInstanceCount?: number; serverlessConfig?: unknown }[];
  if (typed.some((v) => v.serverlessConfig !== undefined || typeof v.instanceType !== "string")) return { kind: "unpriced" };
  const types = [...new Set(typed.map((v) => v.instanceType!))];
  if (types.length !== 1) return { kind: "unpriced" }; // one basis line per item: mixed instance types are not priced
  const count = typed.reduce((n, v) => n + (typeof v.initialInstanceCount === "number" ? v.initialInstanceCount : 1), 0);
  return { kind: "fixed", entry: "sagemaker-realtime-instance-hour", units: count, what: `${types[0]} instance${count === 1 ? "" : "s"}`, instanceType: types[0] };
}

/** Every action an Allow statement of the stack's IAM documents grants (except the bare `*`). */
function allowedActions(plan: StackPlan): Set<string> {
  const docs: unknown[] = [];
  for (const r of plan.resources) {
    if (r.type === "aws:iam/rolePolicy:RolePolicy" || r.type === "aws:iam/policy:Policy") docs.push(r.inputs.policy);
    if (r.type === "aws:iam/role:Role" && Array.isArray(r.inputs.inlinePolicies)) {
      for (const p of r.inputs.inlinePolicies as { policy?: unknown }[]) docs.push(p?.policy);
    }
  }
  const out = new Set<string>();
  for (const d of docs) {
    const doc = decodeJson(d) as { Statement?: unknown } | undefined;
    const statements = Array.isArray(doc?.Statement) ? doc!.Statement : doc?.Statement ? [doc.Statement] : [];
    for (const s of statements as { Effect?: string; Action?: unknown }[]) {
      if (s?.Effect !== "Allow") continue;
      const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
      for (const a of actions) if (typeof a === "string" && a !== "*") out.add(a);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Delta against a base plan
// ---------------------------------------------------------------------------------------------


/** Types that hold a running model version, kept until the promotion's revoke step. */
export const MODEL_HOSTING_TYPES = new Set(["mlz:rekognition:ProjectVersionRunner", "aws:sagemaker/endpoint:Endpoint"]);

export function costDelta(base: StackCost | undefined, head: StackCost): CostDelta {
  const before = new Map((base?.items ?? []).map((i) => [i.urn, i]));
  const after = new Map(head.items.map((i) => [i.urn, i]));
  const added = head.items.filter((i) => !before.has(i.urn));
  const removed = (base?.items ?? []).filter((i) => !after.has(i.urn));
  const changed = head.items
    .filter((i) => before.has(i.urn) && before.get(i.urn)!.monthlyUsd !== i.monthlyUsd)
    .map((i) => ({ ...i, baseMonthlyUsd: before.get(i.urn)!.monthlyUsd }));
  const untilRevoke = added.some((i) => MODEL_HOSTING_TYPES.has(i.type)) ? removed.filter((i) => MODEL_HOSTING_TYPES.has(i.type)) : [];
  return {
    hourlyUsd: head.hourlyUsd - (base?.hourlyUsd ?? 0),
    monthlyUsd: head.monthlyUsd - (base?.monthlyUsd ?? 0),
    added,
    removed,
    changed,
    untilRevoke,
  };
}

// ---------------------------------------------------------------------------------------------
// Versions still running although no stack file asks for them (not yet revoked)
// ---------------------------------------------------------------------------------------------

/**
 * Running model versions no workload stack file asks for: a promotion between its target step and
 * the revoke step (the ML stack grants and runs the union of the stack files' and the live
 * versions). Their cost is the double cost that ends with the revoke step.
 */
export function pendingRevoke(plans: StackPlan[], costs: Map<string, StackCost>): { stack: string; item: CostItem; versionArn: string }[] {
  const asked = new Set<string>();
  for (const p of plans) {
    if (p.role !== "workload") continue;
    const models = decodeJson(p.config?.models) as Record<string, { versionArn?: string }> | undefined;
    for (const m of Object.values(models ?? {})) if (typeof m?.versionArn === "string") asked.add(m.versionArn);
  }
  const out: { stack: string; item: CostItem; versionArn: string }[] = [];
  for (const p of plans) {
    const cost = costs.get(p.stack);
    if (!cost) continue;
    const byUrn = new Map(p.resources.map((r) => [r.urn, r]));
    for (const item of cost.items) {
      const arn = hostedVersionArn(byUrn.get(item.urn), p);
      if (arn && !asked.has(arn)) out.push({ stack: p.stack, item, versionArn: arn });
    }
  }
  return out;
}

function hostedVersionArn(r: PlannedResource | undefined, plan: StackPlan): string | undefined {
  if (!r) return undefined;
  if (costType(r) === "mlz:rekognition:ProjectVersionRunner") return typeof r.inputs.projectVersionArn === "string" ? r.inputs.projectVersionArn : undefined;
  if (r.type === "aws:sagemaker/endpoint:Endpoint") {
    const config = plan.resources.find((c) => c.type === "aws:sagemaker/endpointConfiguration:EndpointConfiguration" && [c.outputs.name, c.inputs.name, c.outputs.id, c.id].includes(r.inputs.endpointConfigName as string));
    const variants = decodeJson(config?.inputs.productionVariants) as { modelName?: string }[] | undefined;
    const model = Array.isArray(variants) ? variants[0]?.modelName : undefined;
    const region = r.region ?? plan.region;
    const account = r.account ?? plan.account;
    return model && region && account ? `arn:aws:sagemaker:${region}:${account}:model/${model}` : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Budget
// ---------------------------------------------------------------------------------------------

export const BUDGET_RULE = "stack-monthly-budget";

/** The stack's `costBudget.monthlyUsd`, validated with the part schema (the config was checked before planning). */
export function stackBudget(plan: StackPlan): number | undefined {
  const raw = decodeJson(plan.config.costBudget);
  if (raw === undefined) return undefined;
  const parsed = costBudgetConfigSchema.shape.costBudget.safeParse(raw);
  if (!parsed.success) throw new Error(`${plan.configFile}: costBudget: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  return parsed.data?.monthlyUsd;
}

/** Short label of a priced resource: its logical name (the URN's last part). */
export function itemName(i: CostItem): string {
  return i.urn.slice(i.urn.lastIndexOf("::") + 2);
}

/** A mandatory violation when the stack's always-on monthly cost exceeds its budget. */
export function budgetViolation(plan: StackPlan, cost: StackCost): PolicyResult | undefined {
  const budget = stackBudget(plan);
  if (budget === undefined || cost.monthlyUsd <= budget) return undefined;
  const top = [...cost.items].sort((a, b) => b.monthlyUsd - a.monthlyUsd || (a.urn < b.urn ? -1 : 1)).slice(0, 3);
  const unpriced = cost.unpriced.length > 0 ? ` (not priced, so not counted: ${cost.unpriced.join(", ")})` : "";
  return {
    policy: BUDGET_RULE,
    enforcementLevel: "mandatory",
    stack: plan.stack,
    message: `stack ${plan.stack}'s always-on cost ${usd(cost.monthlyUsd, 2)}/month must not exceed its budget of ${usd(budget, 2)}/month (costBudget.monthlyUsd in ${plan.configFile})${unpriced}; top items: ${top.map((i) => `${itemName(i)} ${usd(i.monthlyUsd, 2)}/month (${i.basis})`).join("; ")}`,
  };
}
