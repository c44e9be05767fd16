import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson, type PolicyStatement } from "../iam/policy-document";
import {
  DEFAULT_DEPLOY_ROLE_NAME,
  DEFAULT_PREVIEW_ROLE_NAME,
  githubDeployRoleName,
  githubPreviewRoleName,
  githubPromoteRoleName,
} from "../naming";
import { PROMOTION_READER_ROLE_NAME } from "./promotion-reader";

/** Issuer of GitHub Actions OIDC tokens. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** Audience the AWS credentials action requests. */
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";
/**
 * GitHub environment the promotion workflow's job runs in (`.github/workflows/promote.yml`): the
 * promotion role trusts only `repo:<owner>/<repo>:environment:promotion`.
 */
export const PROMOTION_ENVIRONMENT = "promotion";

// GitHub owner (user or organization): letters, digits and single inner hyphens, at most 39.
export const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
// GitHub repository name: letters, digits, '.', '_', '-', at most 100, not '.' or '..'.
export const GITHUB_REPO = /^[A-Za-z0-9._-]{1,100}$/;
// Stack (= GitHub environment) name: also part of an IAM role name (`mlz-github-preview-<stack>` ≤ 64).
const STACK = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,44}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * Where the Pulumi DIY backend keeps everything in its bucket (pulumi/pulumi pkg/backend/diy:
 * `.pulumi/meta.yaml`, `.pulumi/stacks/<project>/<stack>.json`, `.pulumi/history/…`,
 * `.pulumi/backups/…`, `.pulumi/locks/organization/<project>/<stack>/<id>.json`).
 */
export const PULUMI_STATE_PREFIX = ".pulumi/";

/**
 * S3 general purpose bucket naming rules: 3-63 characters of lowercase letters, digits, '.' and
 * '-', beginning and ending with a letter or digit; no '..'; not an IP address; none of the
 * reserved prefixes (`xn--`, `sthree-`, `amzn-s3-demo-`) or suffixes (`-s3alias`, `--ol-s3`,
 * `.mrap`, `--x-s3`, `--table-s3`).
 */
export function isS3BucketName(name: string): boolean {
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)
    && !name.includes("..")
    && !/^\d+\.\d+\.\d+\.\d+$/.test(name)
    && !/^(xn--|sthree-|amzn-s3-demo-)/.test(name)
    && !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name);
}

/** A KMS key ARN (`arn:<partition>:kms:<region>:<account>:key/<key id or mrk-…>`), not an alias. */
export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:key\/(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

const S3_BUCKET_RULE = "3-63 lowercase letters, digits, '.' and '-', beginning and ending with a letter or digit, no '..', not an IP address, no reserved prefix or suffix";

/** `sub` of a job running in GitHub environment `environment` of `owner/repo`. */
export function environmentSubject(owner: string, repo: string, environment: string): string {
  validateGithubNames(owner, repo);
  validateStackName(environment);
  return `repo:${owner}/${repo}:environment:${environment}`;
}

/** `sub` of a job triggered by a pull request of `owner/repo`. */
export function pullRequestSubject(owner: string, repo: string): string {
  validateGithubNames(owner, repo);
  return `repo:${owner}/${repo}:pull_request`;
}

/** Refuses names that could widen a `sub` match (wildcards, separators) or that GitHub would not allow. */
export function validateGithubNames(owner: string, repo: string): void {
  if (!GITHUB_OWNER.test(owner)) {
    throw new Error(`[owner] must be a GitHub user or organization name (letters, digits and single inner hyphens, at most 39 characters; no wildcards); got '${owner}'`);
  }
  if (!GITHUB_REPO.test(repo) || repo === "." || repo === "..") {
    throw new Error(`[repo] must be a GitHub repository name (letters, digits, '.', '_' and '-', at most 100 characters; no wildcards); got '${repo}'`);
  }
}

function validateEnvironmentName(arg: string, environment: string): void {
  if (!STACK.test(environment)) {
    throw new Error(`[${arg}] must be a GitHub environment name (letters, digits, '.', '_' and '-', starting with a letter or digit, at most 45 characters; no wildcards); got '${environment}'`);
  }
}

function validateStackName(stack: string): void {
  if (!STACK.test(stack)) {
    throw new Error(`[stacks] keys must be stack names (letters, digits, '.', '_' and '-', starting with a letter or digit, at most 45 characters; no wildcards); got '${stack}'`);
  }
}

export interface GithubOidcArgs {
  /** GitHub user or organization that owns the repository (exact case as GitHub reports it). */
  readonly owner: string;
  /** Repository name. */
  readonly repo: string;
  /**
   * Stacks GitHub deploys, by stack name (= the GitHub environment the deploy job runs in) →
   * the account the stack deploys into. At least one.
   */
  readonly stacks: Record<string, {
    readonly accountId: pulumi.Input<string>;
    /** Role the stack's provider assumes in that account. Defaults to `targetDeployRoleName`. */
    readonly deployRoleName?: string;
  }>;
  /** Role each target account's stack provider assumes. Defaults to `mlz-deploy`. */
  readonly targetDeployRoleName?: string;
  /** Read-only role in each target account for previews. Defaults to `mlz-preview`. */
  readonly targetPreviewRoleName?: string;
  /**
   * The promotion workflow's role (`mlz-github-promote`): assumable only from the repository's GitHub
   * environment `environment` (the job of promote.yml), allowed only `sts:AssumeRole` on the
   * promotion reader role of each account in `readerAccountIds` (the ML account). Defaults to none.
   */
  readonly promotion?: {
    /** Accounts holding the models, whose reader role the promotion checks chain into. At least one. */
    readonly readerAccountIds: pulumi.Input<string>[];
    /** Reader role name in those accounts. Defaults to `mlz-promotion-reader`. */
    readonly readerRoleName?: string;
    /** GitHub environment of the promote job. Defaults to `promotion`; must not be a stack name. */
    readonly environment?: string;
  };
  /**
   * Bucket of the Pulumi state (`PULUMI_BACKEND_URL=s3://<stateBucket>`, no path prefix), which the
   * workflows `pulumi login` to with the GitHub role's own credentials. Deploy roles may list it
   * (only under `.pulumi/`) and read, write and delete `.pulumi/*`; preview roles may list and read.
   * Required.
   */
  readonly stateBucket: string;
  /**
   * KMS key of the state: the bucket's SSE-KMS key and/or the `awskms://` secrets provider's key.
   * Deploy roles get `kms:Decrypt`, `kms:Encrypt`, `kms:GenerateDataKey` on it, preview roles
   * `kms:Decrypt`. Defaults to none (a bucket encrypted with SSE-S3 and the passphrase secrets
   * provider need no key permission).
   */
  readonly stateKmsKeyArn?: pulumi.Input<string>;
  /** Maximum session duration of the GitHub roles, in seconds (900–43200). Defaults to 3600. */
  readonly maxSessionDurationSeconds?: number;
  /**
   * Permissions boundary of the GitHub roles. Defaults to a managed policy created here that allows
   * only `sts:AssumeRole`/`sts:TagSession` on the target deploy and preview roles (and the promotion
   * reader roles) and exactly the deploy roles' state-backend statements (see `stateBucket`). A
   * boundary given here must allow those itself.
   */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
  /** AWS partition. Defaults to `aws`. */
  readonly partition?: string;
  /** Tags for the provider, roles and boundary. Defaults to none. */
  readonly tags?: Record<string, string>;
}

/**
 * GitHub Actions federation for the CI/CD account: the OIDC identity provider and, per stack, a
 * deploy role (assumable only from this repository's matching GitHub environment) and a preview role
 * (assumable only from this repository's pull requests). Each role may only assume its target
 * account's deploy (resp. read-only preview) role, and use the Pulumi state bucket (deploy: read and
 * write under `.pulumi/`; preview: read); no access key is ever created.
 */
export class GithubOidc extends pulumi.ComponentResource {
  public readonly provider: aws.iam.OpenIdConnectProvider;
  public readonly boundary: aws.iam.Policy | undefined;
  public readonly deployRoles: Record<string, aws.iam.Role>;
  public readonly previewRoles: Record<string, aws.iam.Role>;
  /** The promotion role, when `promotion` is set. */
  public readonly promoteRole: aws.iam.Role | undefined;
  public readonly providerArn: pulumi.Output<string>;
  /** Deploy role ARNs by stack (what the workflows put in `role-to-assume`). */
  public readonly deployRoleArns: pulumi.Output<Record<string, string>>;
  /** Preview role ARNs by stack. */
  public readonly previewRoleArns: pulumi.Output<Record<string, string>>;
  /** ARN of the promotion role (the workflow's `MLZ_PROMOTION_ROLE_ARN`), when `promotion` is set. */
  public readonly promoteRoleArn: pulumi.Output<string> | undefined;

  constructor(name: string, args: GithubOidcArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:identity:GithubOidc", name, {}, opts);
    validateGithubNames(args.owner, args.repo);
    const stackNames = Object.keys(args.stacks);
    if (stackNames.length === 0) throw new Error("[stacks] must name at least one stack");
    stackNames.forEach(validateStackName);
    const targetDeploy = args.targetDeployRoleName ?? DEFAULT_DEPLOY_ROLE_NAME;
    const targetPreview = args.targetPreviewRoleName ?? DEFAULT_PREVIEW_ROLE_NAME;
    for (const [arg, value] of [["targetDeployRoleName", targetDeploy], ["targetPreviewRoleName", targetPreview]]) {
      if (!ROLE_NAME.test(value)) {
        throw new Error(`[${arg}] must be an IAM role name (1-64 of letters, digits and +=,.@_-; no wildcards); got '${value}'`);
      }
    }
    const duration = args.maxSessionDurationSeconds ?? 3600;
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
      throw new Error(`[maxSessionDurationSeconds] must be a whole number from 900 to 43200; got ${duration}`);
    }
    if (typeof args.stateBucket !== "string" || !isS3BucketName(args.stateBucket)) {
      throw new Error(`[stateBucket] must be an S3 bucket name (${S3_BUCKET_RULE}; no wildcards, no s3:// or path); got '${String(args.stateBucket)}'`);
    }
    if (typeof args.stateKmsKeyArn === "string" && !KMS_KEY_ARN.test(args.stateKmsKeyArn)) {
      throw new Error(`[stateKmsKeyArn] must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>; not an alias); got '${args.stateKmsKeyArn}'`);
    }
    const partition = args.partition ?? "aws";
    const promotion = args.promotion;
    const promotionEnvironment = promotion?.environment ?? PROMOTION_ENVIRONMENT;
    const readerRoleName = promotion?.readerRoleName ?? PROMOTION_READER_ROLE_NAME;
    if (promotion) {
      validateEnvironmentName("promotion.environment", promotionEnvironment);
      if (stackNames.includes(promotionEnvironment)) {
        throw new Error(`[promotion.environment] must not be the name of a deployed stack (its deploy job would present the same subject); got '${promotionEnvironment}'`);
      }
      if (!ROLE_NAME.test(readerRoleName)) {
        throw new Error(`[promotion.readerRoleName] must be an IAM role name (1-64 of letters, digits and +=,.@_-; no wildcards); got '${readerRoleName}'`);
      }
      if (promotion.readerAccountIds.length === 0) throw new Error("[promotion.readerAccountIds] must name at least one account");
      for (const id of promotion.readerAccountIds) {
        if (typeof id === "string" && !/^\d{12}$/.test(id)) {
          throw new Error(`[promotion.readerAccountIds] must hold 12-digit account ids; got '${id}'`);
        }
      }
    }
    for (const [stack, target] of Object.entries(args.stacks)) {
      if (typeof target.accountId === "string" && !/^\d{12}$/.test(target.accountId)) {
        throw new Error(`[stacks] '${stack}' must have a 12-digit accountId; got '${target.accountId}'`);
      }
      if (target.deployRoleName !== undefined && !ROLE_NAME.test(target.deployRoleName)) {
        throw new Error(`[stacks] '${stack}' must have a deployRoleName that is an IAM role name (1-64 of letters, digits and +=,.@_-; no wildcards); got '${target.deployRoleName}'`);
      }
    }

    const targetArn = (accountId: pulumi.Input<string>, role: string) =>
      pulumi.interpolate`arn:${partition}:iam::${accountId}:role/${role}`;
    const assumeOnly = (sid: string, resources: pulumi.Input<string>[]): PolicyStatement<pulumi.Input<string>> => ({
      Sid: sid,
      Effect: "Allow",
      Action: ["sts:AssumeRole", "sts:TagSession"],
      Resource: resources,
    });

    const state = stateBackendStatements(partition, args.stateBucket, args.stateKmsKeyArn);

    this.provider = new aws.iam.OpenIdConnectProvider(`${name}-provider`, {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIdLists: [GITHUB_OIDC_AUDIENCE],
      tags: args.tags,
    }, { parent: this });
    const providerArn = this.provider.arn;

    let boundaryArn: pulumi.Input<string>;
    if (args.permissionsBoundaryArn !== undefined) {
      this.boundary = undefined;
      boundaryArn = args.permissionsBoundaryArn;
    } else {
      const targets = [
        ...Object.values(args.stacks).flatMap((t) => [targetArn(t.accountId, t.deployRoleName ?? targetDeploy), targetArn(t.accountId, targetPreview)]),
        ...(promotion?.readerAccountIds ?? []).map((id) => targetArn(id, readerRoleName)),
      ];
      this.boundary = new aws.iam.Policy(`${name}-boundary`, {
        description: promotion
          ? "Ceiling of the GitHub Actions roles: assume the target accounts' deploy and preview roles and the promotion reader roles; the Pulumi state"
          : "Ceiling of the GitHub Actions roles: assume the target accounts' deploy and preview roles; the Pulumi state",
        policy: policyJson(policyDocument([assumeOnly("AssumeTargetRolesOnly", targets), ...state.deploy])),
        tags: args.tags,
      }, { parent: this });
      boundaryArn = this.boundary.arn;
    }

    const trust = (subject: string) => policyJson(policyDocument<pulumi.Input<string>>([{
      Sid: "GithubActions",
      Effect: "Allow",
      Principal: { Federated: providerArn },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: subject,
        },
      },
    }]));

    const role = (key: string, roleName: string, description: string, subject: string, target: pulumi.Output<string>, stateStatements: PolicyStatement<pulumi.Input<string>>[]) => {
      const r = new aws.iam.Role(key, {
        name: roleName,
        description,
        assumeRolePolicy: trust(subject),
        maxSessionDuration: duration,
        permissionsBoundary: boundaryArn,
        tags: args.tags,
      }, { parent: this });
      new aws.iam.RolePolicy(`${key}-assume-target`, {
        name: "assume-target",
        role: r.name,
        policy: policyJson(policyDocument([assumeOnly("AssumeTargetRole", [target])])),
      }, { parent: this });
      new aws.iam.RolePolicy(`${key}-pulumi-state`, {
        name: "pulumi-state",
        role: r.name,
        policy: policyJson(policyDocument(stateStatements)),
      }, { parent: this });
      return r;
    };

    this.deployRoles = {};
    this.previewRoles = {};
    const prSubject = pullRequestSubject(args.owner, args.repo);
    for (const [stack, target] of Object.entries(args.stacks)) {
      this.deployRoles[stack] = role(
        `${name}-deploy-${stack}`,
        githubDeployRoleName(stack),
        `GitHub Actions deploys stack ${stack} from environment ${stack} of ${args.owner}/${args.repo}`,
        environmentSubject(args.owner, args.repo, stack),
        targetArn(target.accountId, target.deployRoleName ?? targetDeploy),
        state.deploy,
      );
      this.previewRoles[stack] = role(
        `${name}-preview-${stack}`,
        githubPreviewRoleName(stack),
        `GitHub Actions previews stack ${stack} for pull requests of ${args.owner}/${args.repo}`,
        prSubject,
        targetArn(target.accountId, targetPreview),
        state.preview,
      );
    }

    if (promotion) {
      const key = `${name}-promote`;
      this.promoteRole = new aws.iam.Role(key, {
        name: githubPromoteRoleName(),
        description: `GitHub Actions runs the promotion checks from environment ${promotionEnvironment} of ${args.owner}/${args.repo}`,
        assumeRolePolicy: trust(environmentSubject(args.owner, args.repo, promotionEnvironment)),
        maxSessionDuration: duration,
        permissionsBoundary: boundaryArn,
        tags: args.tags,
      }, { parent: this });
      new aws.iam.RolePolicy(`${key}-assume-reader`, {
        name: "assume-reader",
        role: this.promoteRole.name,
        policy: policyJson(policyDocument<pulumi.Input<string>>([{
          Sid: "AssumePromotionReaderOnly",
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Resource: promotion.readerAccountIds.map((id) => targetArn(id, readerRoleName)),
        }])),
      }, { parent: this });
    } else {
      this.promoteRole = undefined;
    }

    this.providerArn = providerArn;
    this.deployRoleArns = pulumi.output(Object.fromEntries(Object.entries(this.deployRoles).map(([k, r]) => [k, r.arn])));
    this.previewRoleArns = pulumi.output(Object.fromEntries(Object.entries(this.previewRoles).map(([k, r]) => [k, r.arn])));
    this.promoteRoleArn = this.promoteRole?.arn;
    this.registerOutputs({
      provider: this.provider,
      boundary: this.boundary,
      deployRoles: this.deployRoles,
      previewRoles: this.previewRoles,
      providerArn: this.providerArn,
      deployRoleArns: this.deployRoleArns,
      previewRoleArns: this.previewRoleArns,
      promoteRole: this.promoteRole,
      promoteRoleArn: this.promoteRoleArn,
    });
  }
}

/**
 * What `pulumi login s3://<bucket>` and the stack operations need in the Pulumi DIY backend's
 * bucket: `deploy` (update: list, read, write and delete under `.pulumi/`, which holds the stack
 * checkpoints, history, backups and locks) and `preview` (list and read only: a preview takes no
 * lock and writes nothing). With a key: Decrypt/Encrypt/GenerateDataKey resp. Decrypt.
 */
export function stateBackendStatements(partition: string, bucket: string, kmsKeyArn?: pulumi.Input<string>): {
  deploy: PolicyStatement<pulumi.Input<string>>[];
  preview: PolicyStatement<pulumi.Input<string>>[];
} {
  const bucketArn = `arn:${partition}:s3:::${bucket}`;
  const list: PolicyStatement<pulumi.Input<string>> = {
    Sid: "ListPulumiState",
    Effect: "Allow",
    Action: "s3:ListBucket",
    Resource: bucketArn,
    Condition: { StringLike: { "s3:prefix": [`${PULUMI_STATE_PREFIX}*`] } },
  };
  const objects = (sid: string, actions: string[]): PolicyStatement<pulumi.Input<string>> => ({
    Sid: sid, Effect: "Allow", Action: actions, Resource: `${bucketArn}/${PULUMI_STATE_PREFIX}*`,
  });
  const key = (actions: string[]): PolicyStatement<pulumi.Input<string>>[] =>
    kmsKeyArn === undefined ? [] : [{ Sid: "UsePulumiStateKey", Effect: "Allow", Action: actions, Resource: kmsKeyArn }];
  return {
    deploy: [list, objects("ReadWritePulumiState", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]), ...key(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"])],
    preview: [list, objects("ReadPulumiState", ["s3:GetObject"]), ...key(["kms:Decrypt"])],
  };
}
