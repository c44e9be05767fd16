import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_SCP_SIZE_QUOTA, checkScpSize, validateScp, validateScpStructure } from "./scp";
import { OrganizationPolicyComponent, type OrganizationPolicyArgs, type PolicyGrammar } from "./organization-policy";

export { isPlain } from "./organization-policy";

/** The policy's args (see `OrganizationPolicyArgs`). */
export type ServiceControlPolicyArgs = OrganizationPolicyArgs;

/** Service control policies: the SCP grammar of `./scp.ts`. */
export const SCP_GRAMMAR: PolicyGrammar = {
  type: "SERVICE_CONTROL_POLICY",
  label: "service control policy",
  defaultQuota: DEFAULT_SCP_SIZE_QUOTA,
  validateStructure: validateScpStructure,
  validate: validateScp,
  checkSize: checkScpSize,
};

/**
 * A service control policy built from typed statements: validated against the SCP grammar,
 * serialized minified, refused when larger than the size quota, and attached to each target.
 */
export class ServiceControlPolicy extends OrganizationPolicyComponent {
  constructor(name: string, args: ServiceControlPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:organization:ServiceControlPolicy", name, args, SCP_GRAMMAR, opts);
  }
}
