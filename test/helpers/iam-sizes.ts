/**
 * IAM's size quotas, checked over planned resources (IAM and STS quotas page: role trust policy
 * 2,048 characters by default; all inline policies of a role together 10,240; a managed policy
 * 6,144; at most 10 managed policies attached to a role by default). IAM does not count white
 * space, so documents are measured minified.
 */
import type { StackPlan } from "../../lib/plan-model";

export const IAM_LIMITS = { trust: 2048, inlinePerRole: 10240, managed: 6144, attachedPerRole: 10 } as const;

export interface SizeFinding {
  stack: string;
  kind: keyof typeof IAM_LIMITS;
  /** Role name or policy resource name. */
  subject: string;
  size: number;
  limit: number;
}

const minified = (doc: unknown): number => (typeof doc === "string" ? JSON.stringify(JSON.parse(doc)).length : JSON.stringify(doc).length);

/** Every IAM document and attachment count of `plans`, with its limit; `over` are those past it. */
export function iamSizes(plans: StackPlan[]): { all: SizeFinding[]; over: SizeFinding[] } {
  const all: SizeFinding[] = [];
  for (const plan of plans) {
    const inline = new Map<string, number>();
    const attached = new Map<string, number>();
    for (const r of plan.resources) {
      const key = (role: unknown) => `${r.account}/${String(role)}`;
      if (r.type === "aws:iam/role:Role") {
        const name = String(r.inputs.name ?? r.outputs.name ?? r.name);
        all.push({ stack: plan.stack, kind: "trust", subject: name, size: minified(r.inputs.assumeRolePolicy), limit: IAM_LIMITS.trust });
        for (const p of (r.inputs.inlinePolicies as { policy?: string }[] | undefined) ?? []) {
          if (p.policy) inline.set(key(name), (inline.get(key(name)) ?? 0) + minified(p.policy));
        }
      } else if (r.type === "aws:iam/rolePolicy:RolePolicy") {
        inline.set(key(r.inputs.role), (inline.get(key(r.inputs.role)) ?? 0) + minified(r.inputs.policy));
      } else if (r.type === "aws:iam/policy:Policy") {
        all.push({ stack: plan.stack, kind: "managed", subject: String(r.inputs.name ?? r.name), size: minified(r.inputs.policy), limit: IAM_LIMITS.managed });
      } else if (r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
        attached.set(key(r.inputs.role), (attached.get(key(r.inputs.role)) ?? 0) + 1);
      }
    }
    for (const [k, size] of inline) all.push({ stack: plan.stack, kind: "inlinePerRole", subject: k.split("/").slice(1).join("/"), size, limit: IAM_LIMITS.inlinePerRole });
    for (const [k, size] of attached) all.push({ stack: plan.stack, kind: "attachedPerRole", subject: k.split("/").slice(1).join("/"), size, limit: IAM_LIMITS.attachedPerRole });
  }
  return { all, over: all.filter((f) => f.size > f.limit) };
}
