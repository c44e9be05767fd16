/**
 * The offline plan's data model: what a stack program asked for, as recorded by the mock
 * runtime and answered by the simulated AWS, and the reports made of it. Below both `plan/` and
 * `policies/`: policies, cross-stack checks and renderers read it without importing the planner.
 */

/** Marker for values only a real deployment can produce (the simulated AWS answers it for them). */
export const KNOWN_AFTER_APPLY = "[known after apply]";

export interface PlannedResource {
  /** URN as the Pulumi engine would compute it. */
  urn: string;
  /** Type token, e.g. `aws:iam/role:Role`, `mlz:network:PrivateNetwork`, `pulumi:providers:aws`. */
  type: string;
  /** Logical name. */
  name: string;
  /** `true` for provider-backed resources, `false` for components. */
  custom: boolean;
  /** URN of the parent (component or stack), if any. */
  parent?: string;
  /** URN of the explicit provider the resource uses, if any (custom resources only). */
  provider?: string;
  /** Account and region the resource goes to, from its provider. */
  account?: string;
  region?: string;
  /** Inputs the program passed (secrets replaced by "[secret]"). */
  inputs: Record<string, unknown>;
  /** Simulated outputs (inputs plus computed fields such as `arn`, `id`). */
  outputs: Record<string, unknown>;
  /** Simulated physical id. */
  id?: string;
  /** URNs of explicit `dependsOn` dependencies. */
  dependencies: string[];
  /** Property paths of inputs marked secret. */
  secretInputs?: string[];
  /** Id of an existing resource adopted with `import` (shown as an import, not a create). */
  importId?: string;
}

export interface StackPlan {
  /** Stack name, e.g. `qa`. */
  stack: string;
  /** Program role from config: management | cicd | lakehouse | ml | workload. */
  role: string;
  /** The stack's config file relative to the project root, e.g. `stacks/Pulumi.qa.yaml`. */
  configFile: string;
  /** Raw config values from the stack file (`ml-landing-zone:` namespace stripped; secrets as placeholders). */
  config: Record<string, unknown>;
  /** Account and region the stack deploys into (from its provider). */
  account?: string;
  region?: string;
  resources: PlannedResource[];
  /** Stack outputs (what StackReferences to this stack read). */
  outputs: Record<string, unknown>;
}

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

export interface PolicyResult {
  /** Policy pack rule name (kebab-case). */
  policy: string;
  enforcementLevel: EnforcementLevel;
  message: string;
  stack: string;
  /** The resource at fault, when the rule is a resource rule (or a stack rule that names one). */
  urn?: string;
  resourceName?: string;
  resourceType?: string;
}

// Differences between plans (plan/diff.ts)

/** How a changed resource changes (plan/replacements.ts decides from the changed inputs). */
export type ChangeKind = "update" | "replace" | "update-unknown";

export interface ResourceChange {
  urn: string;
  type: string;
  name: string;
  /** Changed input paths (`policy`, `tags.owner`, `containers[0].image`). */
  paths: string[];
  /** Update, replace, or update whose replacement the table does not know (plan/replacements.ts). */
  kind: ChangeKind;
  /** Inputs whose change forces the replacement. */
  replacedBy: string[];
  /** What the replacement destroys beyond configuration (data loss), if anything. */
  loss?: string;
  /** Old → new value of each changed path (secret inputs redacted). */
  values: { path: string; old: unknown; new: unknown }[];
}

export interface StackDiff {
  stack: string;
  /** The base had no plan for this stack. */
  newStack: boolean;
  /** New resources; `import: true` for existing resources the change adopts. */
  added: { urn: string; type: string; name: string; import?: boolean }[];
  removed: { urn: string; type: string; name: string }[];
  changed: ResourceChange[];
  /** Stack outputs whose values differ. */
  outputs: string[];
}

// Cost (plan/cost.ts computes it, plan/cost-render.ts renders it)

export interface CostItem {
  urn: string;
  /** Resource type (a dynamic resource's `kind`). */
  type: string;
  hourlyUsd: number;
  monthlyUsd: number;
  /** How the figure is made, e.g. `2 AZ × $0.01/h`. */
  basis: string;
  /** `<region>/<entry>` in the price file. */
  priceEntry: string;
}

export interface UsagePrice {
  type: string;
  unit: string;
  /** Null when the price file has no figure for it. */
  usd: number | null;
}

export interface StackCost {
  hourlyUsd: number;
  monthlyUsd: number;
  items: CostItem[];
  /** Types the price file cannot price (unknown, or its entry has no figure), sorted. */
  unpriced: string[];
  usagePriced: UsagePrice[];
}

export interface CostDelta {
  hourlyUsd: number;
  monthlyUsd: number;
  added: CostItem[];
  removed: CostItem[];
  /** Items on both sides whose figure differs: the head item with the base's monthly figure. */
  changed: (CostItem & { baseMonthlyUsd: number })[];
  /**
   * Model versions the change stops (removed running versions and endpoints of a model-hosting
   * stack): the deploy keeps them running next to their successors until the revoke step.
   */
  untilRevoke: CostItem[];
}

export interface OrganizationCost {
  hourlyUsd: number;
  monthlyUsd: number;
  /** Against the base plans (`--diff`). */
  delta?: { hourlyUsd: number; monthlyUsd: number };
  /** Model versions running although no workload stack file asks for them (not yet revoked). */
  pendingRevoke: { stack: string; urn: string; type: string; monthlyUsd: number; versionArn: string }[];
}


// Reports (plan/checks.ts makes the checks, plan/render.ts renders the report)

export interface CheckResult {
  /** Check name (kebab-case). */
  check: string;
  ok: boolean;
  message: string;
  stacks: string[];
}

export interface StackReport {
  plan: StackPlan;
  policies: PolicyResult[];
  diff?: StackDiff;
  /** Resource types the simulation answered generically (id only). */
  genericTypes: string[];
  /** Stack references and whether the referenced stack's outputs were available. */
  stackReferences: { name: string; stack: string; resolved: boolean }[];
  /** Warnings the program logged. */
  warnings: string[];
  /** Always-on cost from plan/prices.json (plan/cost.ts). */
  cost?: StackCost;
  /** Cost against the base plan (`--diff`). */
  costDelta?: CostDelta;
}

export interface OrganizationReport {
  stacks: StackReport[];
  checks: CheckResult[];
  passes: number;
  unconverged: string[];
  /** Stacks that failed to plan, with their error. */
  errors: { stack: string; file: string; message: string }[];
  /** Stacks of the base plans (`--diff`) that have no stack file any more: all their resources go. */
  removedStacks?: { stack: string; resources: number }[];
  /** The reported stacks' always-on cost (plan/cost.ts). */
  cost?: OrganizationCost;
  /** The organization's picture, a Mermaid flowchart (plan/topology.ts); with --diff, changes highlighted. */
  topology?: string;
}
