/**
 * Org-wide context for the rules that look across stacks. A `pulumi preview` sees one stack; the
 * offline plan sees every stack of the organization and hands a snapshot of them to the rules that
 * declare an `organization` option (it is plain JSON, so `--policy-pack-config` could pass one too).
 */
import type { StackPlan } from "../lib/plan-model";

export interface OrganizationResource {
  type: string;
  name: string;
  urn: string;
  /** Outputs over inputs, as the engine hands stack policies their outputs. */
  props: Record<string, any>;
}

export interface OrganizationSnapshot {
  stack: string;
  role: string;
  account?: string;
  region?: string;
  /** The stack's config (`ml-landing-zone:` stripped), e.g. `models`. */
  config: Record<string, unknown>;
  resources: OrganizationResource[];
}

/** Props a stack policy sees for a planned resource: simulated outputs over the inputs. */
export function stackProps(r: { inputs: Record<string, unknown>; outputs: Record<string, unknown> }): Record<string, any> {
  return { ...r.inputs, ...r.outputs };
}

export function snapshotOf(plan: StackPlan): OrganizationSnapshot {
  return {
    stack: plan.stack,
    role: plan.role,
    account: plan.account,
    region: plan.region,
    config: plan.config,
    resources: plan.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: stackProps(r) })),
  };
}
