import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { stackFilesIn, type ManagementConfig, type StackFiles } from "./config";
import { memberStackAccounts } from "./topology";
import { declareConfigRecorders, declareGuardrails } from "./parts/guardrails";
import { defaultTags, type StackContext } from "./context";
import { partitionOf, roleArn } from "../components/aws";
import { AdoptedOrganizationPolicy } from "../components/organization/adopted-policy";
import { Organization } from "../components/organization/organization";
import { DeployRole } from "../components/identity/deploy-role";
import { PLATFORM_ROLE_NAMES, WorkloadBoundary } from "../components/identity/workload-boundary";
import { PromotionReader, PROMOTION_READER_ROLE_NAME } from "../components/identity/promotion-reader";
import { promotionReaderAccounts } from "./promotion-readers";
import {
  DEFAULT_PREVIEW_ROLE_NAME,
  ORGANIZATION_ACCESS_ROLE_NAME,
  githubDeployRoleName,
  githubPreviewRoleName,
  githubPromoteRoleName,
} from "../components/naming";

/**
 * The management account: the organization, its OUs and accounts, and in each member account the
 * deploy and preview roles that the account's own stack assumes from CI/CD; in each account holding
 * models (the ML stacks'), the read-only `mlz-promotion-reader` that the CI/CD promotion role chains
 * into for the online promotion checks.
 */
export function managementProgram(stack: string, config: ManagementConfig, stackFiles: StackFiles = stackFilesIn()): Record<string, unknown> {
  const partition = partitionOf(config.region);
  const tags = defaultTags(stack, config.environment, config.owner);
  const stackAccounts = memberStackAccounts(stackFiles, Object.keys(config.accounts));
  const readerAccounts = promotionReaderAccounts(stackFiles);

  const provider = new aws.Provider("management", {
    region: config.region as aws.Region,
    allowedAccountIds: [config.managementAccountId],
    defaultTags: { tags },
  });
  const org = new Organization("org", {
    id: config.organizationId,
    organizationalUnits: config.organizationalUnits,
    accounts: config.accounts,
  }, { provider });
  // Policies that existed before the landing zone, imported as they are (npm run adopt -- --adopt-policies).
  for (const [key, p] of Object.entries(config.adoptedPolicies ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    new AdoptedOrganizationPolicy(`adopted-${key}`, {
      policyId: p.id,
      policyName: p.name,
      type: p.type,
      content: p.content,
      description: p.description,
      targetIds: p.targets,
    }, { provider, dependsOn: [org] });
  }

  const accountIds = pulumi.output(org.accountIds);
  const ctx: StackContext = {
    stack,
    role: "management",
    region: config.region,
    partition,
    accountId: pulumi.output(config.managementAccountId),
    accountIds: pulumi.all([accountIds, config.managementAccountId]).apply(([ids, mgmt]): Record<string, string> => ({ management: mgmt, ...ids })),
    organizationId: org.organizationId,
    provider,
    tags,
    stackFiles,
  };

  // Bootstrap, through each account's bootstrap role (OrganizationAccountAccessRole unless the
  // account was invited and names another), the roles each member stack assumes.
  const bootstrapRoleOf = (account: string) => config.accounts[account]?.bootstrapRoleName ?? ORGANIZATION_ACCESS_ROLE_NAME;
  const cicdAccountId = org.accountIds["cicd"];
  const deployRoleArns: Record<string, pulumi.Output<string>> = {};
  const previewRoleArns: Record<string, pulumi.Output<string>> = {};
  const promotionReaderRoleArns: Record<string, pulumi.Output<string>> = {};
  const workloadBoundaryArns: Record<string, pulumi.Output<string>> = {};
  const accountProviders: Record<string, aws.Provider> = {};
  for (const account of Object.keys(config.accounts).sort()) {
    const stacksHere = stackAccounts.filter((s) => s.account === account);
    if (stacksHere.length === 0) continue;
    const accountProvider = new aws.Provider(`account-${account}`, {
      region: config.region as aws.Region,
      assumeRoles: [{
        roleArn: roleArn(partition, org.accountIds[account], bootstrapRoleOf(account)),
        sessionName: "mlz-bootstrap",
      }],
      allowedAccountIds: [org.accountIds[account]],
      defaultTags: { tags },
    });
    accountProviders[account] = accountProvider;
    // The boundary every role of this account's stacks carries (stacks/member.ts gives it to each
    // role); the deploy roles may create no role without it and may not change it.
    const workloadBoundary = new WorkloadBoundary(`${account}-workload-boundary`, {
      accountId: org.accountIds[account],
      partition,
      ...(bootstrapRoleOf(account) !== ORGANIZATION_ACCESS_ROLE_NAME ? { bootstrapRoleName: bootstrapRoleOf(account) } : {}),
    }, { provider: accountProvider });
    workloadBoundaryArns[account] = workloadBoundary.arn;
    const deployRoleNames = [...new Set(stacksHere.map((s) => s.deployRoleName))].sort();
    for (const roleName of deployRoleNames) {
      const stacks = stacksHere.filter((s) => s.deployRoleName === roleName).map((s) => s.stack);
      const role = new DeployRole(`${account}-${roleName}`, {
        roleName,
        access: "deploy",
        workloadBoundaryArn: workloadBoundary.arn,
        platformRoleNames: [...new Set([...PLATFORM_ROLE_NAMES, bootstrapRoleOf(account), ...deployRoleNames])],
        partition,
        organizationId: org.organizationId,
        trustedRoleArns: stacks.map((s) => roleArn(partition, cicdAccountId, githubDeployRoleName(s))),
      }, { provider: accountProvider });
      for (const s of stacks) deployRoleArns[s] = role.arn;
    }
    const preview = new DeployRole(`${account}-${DEFAULT_PREVIEW_ROLE_NAME}`, {
      roleName: DEFAULT_PREVIEW_ROLE_NAME,
      access: "read-only",
      partition,
      organizationId: org.organizationId,
      trustedRoleArns: stacksHere.map((s) => roleArn(partition, cicdAccountId, githubPreviewRoleName(s.stack))),
    }, { provider: accountProvider });
    for (const s of stacksHere) previewRoleArns[s.stack] = preview.arn;
    // Bootstrap (not the ML stack): the reader exists before the ML stack's first deployment, and
    // every role trusting a CI/CD role is declared in one place, next to mlz-deploy and mlz-preview.
    const reader = readerAccounts.find((r) => r.account === account);
    if (reader) {
      const promotionReader = new PromotionReader(`${account}-${PROMOTION_READER_ROLE_NAME}`, {
        trustedRoleArn: roleArn(partition, cicdAccountId, githubPromoteRoleName()),
        organizationId: org.organizationId,
        accountId: org.accountIds[account],
        regions: reader.regions,
        partition,
      }, { provider: accountProvider });
      promotionReaderRoleArns[account] = promotionReader.arn;
    }
  }

  const accountOus = Object.fromEntries(Object.entries(config.accounts).map(([k, a]) => [k, a.ou]));
  const orgFacts = {
    organizationId: org.organizationId,
    rootId: org.rootId,
    organizationalUnitIds: org.organizationalUnitIds,
    accountOus,
    accountIds: org.accountIds,
    trustedAccess: org.organization,
    bootstrapRoleNames: [...new Set([ORGANIZATION_ACCESS_ROLE_NAME, ...Object.keys(config.accounts).map(bootstrapRoleOf)])].sort(),
  };
  // AWS Config recorders in every account (through its bootstrap provider), before the
  // organization's Config rules, which fail in an account without one.
  const configRecorders = declareConfigRecorders(ctx, config, orgFacts, accountProviders);
  const guardrails = declareGuardrails(ctx, config, orgFacts, configRecorders);

  return {
    ...guardrails,
    configRecorderNames: Object.fromEntries(Object.entries(configRecorders).map(([k, r]) => [k, r.recorderName])),
    managementAccountId: config.managementAccountId,
    organizationId: org.organizationId,
    rootId: org.rootId,
    organizationalUnitIds: org.organizationalUnitIds,
    accountIds: ctx.accountIds,
    accountOus,
    deployRoleArns,
    previewRoleArns,
    promotionReaderRoleArns,
    workloadBoundaryArns,
  };
}
