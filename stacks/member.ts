import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { stackFilesIn, type CicdConfig, type LakehouseConfig, type MlConfig, type StackFiles, type WorkloadConfig } from "./config";
import { defaultTags, type StackContext } from "./context";
import { partitionOf, roleArn } from "../components/aws";
import { DEFAULT_DEPLOY_ROLE_NAME } from "../components/naming";
import { workloadBoundaryArn, workloadBoundaryTransformation } from "../components/identity/workload-boundary";

type MemberConfig = CicdConfig | LakehouseConfig | MlConfig | WorkloadConfig;

/**
 * Common start of every member-account stack: a StackReference to the management stack for the
 * account ids, and the explicit provider that assumes the account's deploy role. Registers, before
 * any resource, the stack transformation that gives every IAM role without a permissions boundary
 * the account's `mlz-workload-boundary` (declared by the management stack's bootstrap): the deploy
 * role may create no role without it.
 */
export function memberContext(stack: string, config: MemberConfig, stackFiles: StackFiles = stackFilesIn()): StackContext & { management: pulumi.StackReference } {
  const management = new pulumi.StackReference("management", { name: config.managementStack });
  const accountIds = management.requireOutput("accountIds") as pulumi.Output<Record<string, string>>;
  const organizationId = management.requireOutput("organizationId") as pulumi.Output<string>;
  const accountId = accountIds.apply((ids) => {
    const id = ids?.[config.account];
    if (!id) {
      throw new Error(`${stack}: ml-landing-zone:account names '${config.account}', but the management stack (${config.managementStack}) exports no such account; it has: ${Object.keys(ids ?? {}).join(", ") || "none"}`);
    }
    return id;
  });
  const partition = partitionOf(config.region);
  // SDK-side transformation (applied as each resource is constructed, also under the runtime mocks
  // of the offline plan), registered before the provider and every resource of the stack's parts.
  pulumi.runtime.registerStackTransformation(workloadBoundaryTransformation(workloadBoundaryArn(accountId, partition)));
  const tags = defaultTags(stack, config.environment, config.owner);
  // Pull-request previews run with the read-only role instead (preview.yml sets MLZ_ASSUME_ROLE_NAME=mlz-preview).
  const assumeRoleName = process.env.MLZ_ASSUME_ROLE_NAME || config.deployRoleName || DEFAULT_DEPLOY_ROLE_NAME;
  const provider = new aws.Provider("account", {
    region: config.region as aws.Region,
    assumeRoles: [{
      roleArn: roleArn(partition, accountId, assumeRoleName),
      sessionName: `mlz-${stack}`,
    }],
    allowedAccountIds: [accountId],
    defaultTags: { tags },
  });
  return { stack, role: config.role, region: config.region, partition, accountId, accountIds, organizationId, provider, tags, stackFiles, management };
}
