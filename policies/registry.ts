/**
 * Every rule of the pack, collected from the domain modules. Importing this module does not start
 * the policy server (only index.ts constructs the PolicyPack), so tests and the offline plan use it.
 */
import type { MlzPolicy } from "./config";
import { functionPolicies } from "./functions";
import { iamPolicies } from "./iam";
import { iamReferencePolicies } from "./iam-reference";
import { languagePolicies } from "./language";
import { modelPolicies } from "./models";
import { networkPolicies } from "./network";
import { organizationPolicies } from "./organization";
import { s3Policies } from "./s3";
import { accessPointPolicies } from "./access-points";
import { stackPolicies } from "./stack";
import { tagPolicies } from "./tags";

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Checks the rules' metadata and refuses duplicate names (the engine would reject the pack). */
export function buildRegistry(policies: readonly MlzPolicy[]): MlzPolicy[] {
  const seen = new Set<string>();
  for (const p of policies) {
    if (!KEBAB.test(p.name)) throw new Error(`policy name '${p.name}' must be kebab-case`);
    if (p.name === "all") throw new Error("policy name 'all' is reserved for the pack-wide config entry");
    if (seen.has(p.name)) throw new Error(`duplicate policy name '${p.name}'`);
    if (!p.description.startsWith("Checks whether ")) throw new Error(`policy '${p.name}': description must start with 'Checks whether'`);
    if (p.enforcementLevel === undefined) throw new Error(`policy '${p.name}' must declare a default enforcementLevel`);
    if (p.configSchema?.properties && "enforcementLevel" in p.configSchema.properties) {
      throw new Error(`policy '${p.name}': enforcementLevel cannot be a config schema property`);
    }
    seen.add(p.name);
  }
  return [...policies];
}

export const allPolicies: MlzPolicy[] = buildRegistry([
  ...s3Policies,
  ...accessPointPolicies,
  ...iamPolicies,
  ...iamReferencePolicies,
  ...modelPolicies,
  ...organizationPolicies,
  ...networkPolicies,
  ...functionPolicies,
  ...tagPolicies,
  ...stackPolicies,
  ...languagePolicies,
]);
