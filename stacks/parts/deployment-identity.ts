/**
 * CI/CD stack: GitHub Actions federation. The OIDC provider, and per deployed stack a deploy role
 * (GitHub environment = stack name) and a pull-request preview role, each allowed to assume only its
 * target account's deploy / preview role; and the promotion role `mlz-github-promote` (GitHub
 * environment `promotion`, the job of promote.yml), allowed only to assume the ML account's
 * `mlz-promotion-reader` (declared by the management stack's bootstrap). The deploy and preview roles
 * may use the Pulumi state bucket (`github.stateBucket`). No IAM user, no access key.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { GITHUB_OWNER, GITHUB_REPO, isS3BucketName } from "../../components/identity/github-oidc";
import { IAM_PRINCIPAL_ARN, KMS_KEY_ARN } from "../../components/aws";
import { iamRoleName, kebabName } from "../fields";
import { DEPLOY_SESSION_SECONDS } from "../../components/deploy-limits";
import type { StackContext } from "../context";
import { GithubOidc } from "../../components/identity/github-oidc";
import { SecretsKeyPolicy } from "../../components/identity/secrets-key-policy";
import { workloadBoundaryArn } from "../../components/identity/workload-boundary";

/** Config keys of this part (`ml-landing-zone:<key>` in `Pulumi.cicd.yaml`). */
export const deploymentIdentityConfigSchema = z.object({
  /** The repository whose workflows deploy the landing zone. */
  github: z.strictObject({
    /** Owner (user or organization), exactly as GitHub spells it. No wildcards. */
    owner: z.string().regex(GITHUB_OWNER, { error: (i) => `expected a GitHub user or organization name (letters, digits, single inner hyphens; no wildcards); got '${String(i.input)}'` }),
    /** Repository name. No wildcards. */
    repo: z.string().regex(GITHUB_REPO, { error: (i) => `expected a GitHub repository name (letters, digits, '.', '_', '-'; no wildcards); got '${String(i.input)}'` }),
    /**
     * Name of the S3 bucket holding the Pulumi state: the bucket of the repository variable
     * `PULUMI_BACKEND_URL` (`s3://<stateBucket>`, no path prefix), which the workflows log in to with
     * the GitHub roles' own credentials. Required.
     */
    stateBucket: z.string().refine(isS3BucketName, { error: (i) => `expected an S3 bucket name (3-63 lowercase letters, digits, '.', '-'; no s3://, path or wildcard); got '${String(i.input)}'` }),
    /**
     * ARN of the KMS key of the state (the bucket's SSE-KMS key and/or the `awskms://` secrets
     * provider's key). Defaults to none: an SSE-S3 bucket and the passphrase secrets provider need none.
     */
    stateKmsKeyArn: z.string().regex(KMS_KEY_ARN, { error: (i) => `expected a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>; not an alias); got '${String(i.input)}'` }).optional(),
    /**
     * Principals besides the GitHub roles that run `pulumi` on these stacks and so must use the
     * secrets provider's key (`stateKmsKeyArn`): the administrators who apply the management stack,
     * as exact role or user ARNs. Defaults to none.
     */
    stateKeyAdministratorArns: z.array(z.string().regex(IAM_PRINCIPAL_ARN, { error: (i) => `expected an exact IAM role or user ARN (no wildcards); got '${String(i.input)}'` })).default([]),
    /**
     * Maximum session of the GitHub roles in seconds: at least the session the deploy jobs request
     * (DEPLOY_SESSION_SECONDS, 5400 = their 90-minute timeout), at most 43200. Defaults to 5400.
     */
    maxSessionDurationSeconds: z.number().int()
      .min(DEPLOY_SESSION_SECONDS, { error: (i) => `expected at least ${DEPLOY_SESSION_SECONDS} seconds: the deploy workflows request role-duration-seconds ${DEPLOY_SESSION_SECONDS} (their ${DEPLOY_SESSION_SECONDS / 60}-minute timeout); got ${String(i.input)}` })
      .max(43200).default(DEPLOY_SESSION_SECONDS),
  }),
  /**
   * Stacks GitHub deploys: stack name (= GitHub environment) → account key, the stack's
   * `deployRoleName` when it is not mlz-deploy, and the stacks it references (`readsStacks`). Each
   * stack's GitHub roles may write only that stack's Pulumi state. At least one.
   */
  deployStacks: z.record(
    z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,44}$/, { error: (i) => `expected a stack name without wildcards; got '${String(i.input)}'` }),
    z.strictObject({
      /** Key of the account the stack deploys into (management stack's `accounts`). */
      account: kebabName("an account key"),
      /** Role the stack's provider assumes there. Defaults to mlz-deploy. */
      deployRoleName: iamRoleName.optional(),
      /**
       * Stack references the stack's program reads (`<organization>/<project>/<stack>` or
       * `<stack>`): its GitHub roles may read those stacks' checkpoints, never write them.
       * Defaults to none.
       */
      readsStacks: z.array(z.string().regex(/^(?:[A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9][A-Za-z0-9_.-]{0,44}$/, { error: (i) => `expected a stack reference without wildcards; got '${String(i.input)}'` })).default([]),
    }),
  ).refine((m) => Object.keys(m).length > 0, { error: "expected at least one stack" }),
  /**
   * Keys of the accounts holding models (the ML stacks' accounts): the promotion role may assume the
   * `mlz-promotion-reader` role in each. Defaults to none, and then no promotion role is created.
   */
  promotionReaderAccounts: z.array(kebabName("an account key")).default([]),
});

export type DeploymentIdentityConfig = z.infer<typeof deploymentIdentityConfigSchema>;

export interface DeploymentIdentityOutputs {
  githubOidcProviderArn: pulumi.Output<string>;
  /** Role ARN by stack for `role-to-assume` in deploy jobs. */
  githubDeployRoleArns: pulumi.Output<Record<string, string>>;
  /** Role ARN by stack for pull-request previews. */
  githubPreviewRoleArns: pulumi.Output<Record<string, string>>;
  /** The promotion role's ARN (repository variable `MLZ_PROMOTION_ROLE_ARN`), when there is one. */
  githubPromoteRoleArn?: pulumi.Output<string>;
}

export function declareDeploymentIdentity(ctx: StackContext, cfg: DeploymentIdentityConfig): DeploymentIdentityOutputs {
  const accountId = (key: string, account: string) => ctx.accountIds.apply((ids) => {
    const id = ids?.[account];
    if (!id) {
      throw new Error(`ml-landing-zone:${key}: expected an account of the management stack (${Object.keys(ids ?? {}).join(", ") || "none"}); got '${account}'`);
    }
    return id;
  });
  const stacks = Object.fromEntries(Object.entries(cfg.deployStacks).map(([stack, s]) => [stack, {
    accountId: accountId(`deployStacks.${stack}.account`, s.account),
    deployRoleName: s.deployRoleName,
    readsStacks: s.readsStacks,
  }]));
  const readers = [...new Set(cfg.promotionReaderAccounts)].sort();
  const github = new GithubOidc("github", {
    owner: cfg.github.owner,
    repo: cfg.github.repo,
    stacks,
    promotion: readers.length > 0 ? { readerAccountIds: readers.map((a) => accountId("promotionReaderAccounts", a)) } : undefined,
    stateBucket: cfg.github.stateBucket,
    stateKmsKeyArn: cfg.github.stateKmsKeyArn,
    maxSessionDurationSeconds: cfg.github.maxSessionDurationSeconds,
    partition: ctx.partition,
    // The CI/CD account's deploy role may create roles only with the workload boundary; the GitHub
    // roles' inline policies (assume the target roles, use the state bucket) confine them further.
    permissionsBoundaryArn: workloadBoundaryArn(ctx.accountId, ctx.partition),
  }, { provider: ctx.provider });
  // The secrets provider's key: only the GitHub deploy roles (and the named administrators) use it,
  // the preview roles only decrypt.
  if (cfg.github.stateKmsKeyArn !== undefined) {
    new SecretsKeyPolicy("state-key", {
      keyArn: cfg.github.stateKmsKeyArn,
      accountId: ctx.accountId,
      writerArns: Object.keys(github.deployRoles).sort().map((s) => github.deployRoles[s].arn),
      readerArns: Object.keys(github.previewRoles).sort().map((s) => github.previewRoles[s].arn),
      administratorArns: cfg.github.stateKeyAdministratorArns,
      partition: ctx.partition,
    }, { provider: ctx.provider });
  }
  return {
    githubOidcProviderArn: github.providerArn,
    githubDeployRoleArns: github.deployRoleArns,
    githubPreviewRoleArns: github.previewRoleArns,
    ...(github.promoteRoleArn ? { githubPromoteRoleArn: github.promoteRoleArn } : {}),
  };
}
