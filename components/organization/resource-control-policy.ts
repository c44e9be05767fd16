import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_RCP_SIZE_QUOTA, checkRcpSize, validateRcp, validateRcpStructure } from "./rcp";
import { OrganizationPolicyComponent, type OrganizationPolicyArgs, type PolicyGrammar } from "./organization-policy";

/** The policy's args (see `OrganizationPolicyArgs`). */
export type ResourceControlPolicyArgs = OrganizationPolicyArgs;

/** Resource control policies: the RCP grammar of `./rcp.ts`. */
export const RCP_GRAMMAR: PolicyGrammar = {
  type: "RESOURCE_CONTROL_POLICY",
  label: "resource control policy",
  defaultQuota: DEFAULT_RCP_SIZE_QUOTA,
  validateStructure: validateRcpStructure,
  validate: validateRcp,
  checkSize: checkRcpSize,
};

/**
 * A resource control policy built from typed statements: validated against the RCP grammar
 * (`./rcp.ts`: Deny, `Principal: "*"`, services RCPs apply to), serialized minified, refused when
 * larger than the size quota, and attached to each target. The organization must have the
 * `RESOURCE_CONTROL_POLICY` policy type enabled.
 */
export class ResourceControlPolicy extends OrganizationPolicyComponent {
  constructor(name: string, args: ResourceControlPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:organization:ResourceControlPolicy", name, args, RCP_GRAMMAR, opts);
  }
}
