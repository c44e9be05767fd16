/**
 * The offline plan's data model: what a stack program asked for, as recorded by the mock
 * runtime and answered by the simulated AWS. Policies, cross-stack checks and renderers read it.
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
