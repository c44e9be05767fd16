/**
 * The offline plan's data model: what a stack program asked for, as recorded by the mock
 * runtime and answered by the simulated AWS, and the reports made of it. Below both `plan/` and
 * `policies/`: policies, cross-stack checks and renderers read it without importing the planner.
 */

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

export interface ResourceChange {
  urn: string;
  type: string;
  name: string;
  /** Changed input paths (`policy`, `tags.owner`, `containers[0].image`). */
  paths: string[];
}

export interface StackDiff {
  stack: string;
  /** The base had no plan for this stack. */
  newStack: boolean;
  added: { urn: string; type: string; name: string }[];
  removed: { urn: string; type: string; name: string }[];
  changed: ResourceChange[];
  /** Stack outputs whose values differ. */
  outputs: string[];
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
}
