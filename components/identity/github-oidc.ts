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
import { KMS_KEY_ARN, isAccountId, isRoleName, roleArn, s3Arn, sessionDuration } from "../aws";

/** Issuer of GitHub Actions OIDC tokens. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** Audience the AWS credentials action requests. */
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";
/**
 * GitHub environment the promotion workflow's job runs in (`.github/workflows/promote.yml`): the
 * promotion role trusts only `repo:<owner>/<repo>:environment:promotion`.
 */
export const PROMOTION_ENVIRONMENT = "promotion";
/**
 * GitHub environment of the drift workflow's preview jobs (`.github/workflows/drift.yml`): the
 * read-only preview roles trust it besides pull requests. No stack may bear this name.
 */
export const DRIFT_ENVIRONMENT = "drift";

// GitHub owner (user or organization): letters, digits and single inner hyphens, at most 39.
export const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
// GitHub repository name: letters, digits, '.', '_', '-', at most 100, not '.' or '..'.
export const GITHUB_REPO = /^[A-Za-z0-9._-]{1,100}$/;
// Stack (= GitHub environment) name: also part of an IAM role name (`mlz-github-preview-<stack>` ≤ 64).
const STACK = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,44}$/;

/**
 * Root of the Pulumi DIY backend's bookkeeping in its bucket (`workspace.BookkeepingDir`). Inside
 * it, the project-scoped layout (meta.yaml version 1) that `stateObjects` grants, read in the
 * pulumi/pulumi source, `pkg/backend/diy/`:
 * - `meta.go`: `.pulumi/meta.yaml` (layout version; read at every login, written only when missing);
 * - `store.go` (`projectReferenceStore`): checkpoint `.pulumi/stacks/<project>/<stack>.json`, or
 *   `.json.gz` / `.json.zst` when compressed; `HistoryDir` `.pulumi/history/<project>/<stack>/`,
 *   `BackupDir` `.pulumi/backups/<project>/<stack>/`, `JournalDir` `.pulumi/journal/<project>/<stack>/`;
 * - `state.go`: `saveCheckpoint`/`backupTarget` copy the checkpoint to `<checkpoint>.bak` before
 *   overwriting it; `backupStack` writes into the backups dir; `removeStack` deletes all of them;
 *   `stackPath` lists the prefix `.pulumi/stacks/<project>/<stack>.json` to find the variant;
 * - `stack_tags.go`: tags in `.pulumi/stacks/<project>/<stack>.pulumi-tags`, read by every update;
 * - `lock.go`: lock `.pulumi/locks/organization/<project>/<stack>/<lock id>.json` (the fully
 *   qualified name, whose organization is always `organization`), `checkForLock` lists that dir;
 * - `bucket.go`: `listBucket(dir)` lists with prefix `<dir>/` and delimiter `/`.
 * A stack reference (`pulumi.StackReference`) reads only the other stack's checkpoint.
 * `PULUMI_RETAIN_CHECKPOINTS` (`<checkpoint>.<unix nanos>` copies) is not supported by these grants.
 */
export const PULUMI_STATE_PREFIX = ".pulumi/";
/** Pulumi project names (`tokens.ValidateProjectName`): no '/', no wildcard. */
const PROJECT_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** A stack in the state bucket: its project and name. */
export interface StateStack {
  readonly project: string;
  readonly stack: string;
}

/**
 * The state objects of one stack, as key names relative to the bucket (see `PULUMI_STATE_PREFIX`).
 * `checkpoints`: the checkpoint in its three encodings (what a stack reference reads);
 * `own`: everything an update of the stack reads, writes or deletes (checkpoints and their `.bak`
 * copies, tags, and the history, backups, journal and lock folders);
 * `listPrefixes`: the exact `s3:prefix` values the CLI lists for the stack (`ownListPrefixes`) or
 * for a referenced stack (`referenceListPrefix`).
 */
export function stateObjects(ref: StateStack): { checkpoints: string[]; own: string[]; ownListPrefixes: string[]; referenceListPrefix: string } {
  const base = `${PULUMI_STATE_PREFIX}stacks/${ref.project}/${ref.stack}`;
  const checkpoints = [".json", ".json.gz", ".json.zst"].map((ext) => `${base}${ext}`);
  const dirs = [
    `${PULUMI_STATE_PREFIX}history/${ref.project}/${ref.stack}/`,
    `${PULUMI_STATE_PREFIX}backups/${ref.project}/${ref.stack}/`,
    `${PULUMI_STATE_PREFIX}journal/${ref.project}/${ref.stack}/`,
    `${PULUMI_STATE_PREFIX}locks/organization/${ref.project}/${ref.stack}/`,
  ];
  return {
    checkpoints,
    own: [...checkpoints.flatMap((c) => [c, `${c}.bak`]), `${base}.pulumi-tags`, ...dirs.map((d) => `${d}*`)],
    ownListPrefixes: [`${base}.json`, ...dirs],
    referenceListPrefix: `${base}.json`,
  };
}

/**
 * Parses a stack reference as the DIY backend does (`store.go`, `ParseReference`): `<stack>`,
 * `<org>/<stack>` or `<org>/<project>/<stack>`; a missing project is `project`. Wildcards refused.
 */
export function parseStateReference(reference: string, project: string, arg = "readsStacks"): StateStack {
  const parts = reference.split("/");
  const stack = parts[parts.length - 1];
  const refProject = parts.length === 3 ? parts[1] : project;
  const org = parts.length > 1 ? parts[0] : "organization";
  if (parts.length > 3 || !STACK.test(stack) || !PROJECT_NAME.test(refProject) || !PROJECT_NAME.test(org)) {
    throw new Error(`[${arg}] must hold stack references '<stack>' or '<organization>/<project>/<stack>' (letters, digits, '.', '_', '-'; no wildcards); got '${reference}'`);
  }
  return { project: refProject, stack };
}

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
    /**
     * Stacks whose state this stack's program reads through `pulumi.StackReference` (the
     * management stack, consumers, …): `<stack>` or `<organization>/<project>/<stack>`. The stack's
     * deploy and preview roles may read (never write) their checkpoints. Defaults to none.
     */
    readonly readsStacks?: string[];
  }>;
  /**
   * Pulumi project of the stacks (the `<project>` of the state layout `.pulumi/stacks/<project>/…`;
   * references without a project resolve to it). Defaults to the project of the running program
   * (`pulumi.getProject()`), the one all stacks of this landing zone share.
   */
  readonly stateProject?: string;
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
   * workflows `pulumi login` to with the GitHub role's own credentials. Each deploy role may read,
   * write and delete only its own stack's state objects, and read `.pulumi/meta.yaml` and the
   * checkpoints of the stacks in its `readsStacks`; each preview role may only read its own stack's
   * checkpoints and tags, the metadata and the `readsStacks` checkpoints (see `stackStateStatements`).
   * Listing is limited to the exact prefixes the CLI lists for those stacks. Required.
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
   * reader roles) and the union of the deploy roles' state-backend statements (see `stateBucket`,
   * `stateBoundaryStatements`). A boundary given here must allow those itself.
   */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
  /** AWS partition. Defaults to `aws`. */
  readonly partition?: string;
  /** Tags for the provider, roles and boundary. Defaults to none. */
  readonly tags?: Record<string, string>;
}

/** The validated args of `GithubOidc` with their defaults applied. */
export interface GithubOidcSettings {
  stackNames: string[];
  targetDeploy: string;
  targetPreview: string;
  duration: number;
  stateProject: string;
  /** Per stack, the other stacks' state it reads (sorted, without itself). */
  reads: Record<string, StateStack[]>;
  partition: string;
  promotion: GithubOidcArgs["promotion"];
  promotionEnvironment: string;
  readerRoleName: string;
}

/**
 * Checks `GithubOidc`'s args (pure: no resources) and applies their defaults; throws naming the
 * argument and the rule. `stateProject` is the project whose state the roles may touch
 * (`args.stateProject`, else the running Pulumi project).
 */
export function validateGithubOidcArgs(args: GithubOidcArgs, stateProject: string): GithubOidcSettings {
  validateGithubNames(args.owner, args.repo);
  const stackNames = Object.keys(args.stacks);
  if (stackNames.length === 0) throw new Error("[stacks] must name at least one stack");
  stackNames.forEach(validateStackName);
  const targetDeploy = args.targetDeployRoleName ?? DEFAULT_DEPLOY_ROLE_NAME;
  const targetPreview = args.targetPreviewRoleName ?? DEFAULT_PREVIEW_ROLE_NAME;
  for (const [arg, value] of [["targetDeployRoleName", targetDeploy], ["targetPreviewRoleName", targetPreview]]) {
    if (!isRoleName(value)) {
      throw new Error(`[${arg}] must be an IAM role name (1-64 of letters, digits and +=,.@_-; no wildcards); got '${value}'`);
    }
  }
  const duration = sessionDuration(args.maxSessionDurationSeconds);
  if (typeof args.stateBucket !== "string" || !isS3BucketName(args.stateBucket)) {
    throw new Error(`[stateBucket] must be an S3 bucket name (${S3_BUCKET_RULE}; no wildcards, no s3:// or path); got '${String(args.stateBucket)}'`);
  }
  if (typeof args.stateKmsKeyArn === "string" && !KMS_KEY_ARN.test(args.stateKmsKeyArn)) {
    throw new Error(`[stateKmsKeyArn] must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>; not an alias); got '${args.stateKmsKeyArn}'`);
  }
  if (typeof stateProject !== "string" || !PROJECT_NAME.test(stateProject)) {
    throw new Error(`[stateProject] must be a Pulumi project name (1-100 letters, digits, '.', '_' and '-'; no wildcards); got '${String(stateProject)}'`);
  }
  const reads: Record<string, StateStack[]> = {};
  for (const [stack, target] of Object.entries(args.stacks)) {
    const own = `${stateProject}/${stack}`;
    reads[stack] = [...new Map((target.readsStacks ?? [])
      .map((r) => parseStateReference(r, stateProject, `stacks.${stack}.readsStacks`))
      .filter((r) => `${r.project}/${r.stack}` !== own)
      .map((r) => [`${r.project}/${r.stack}`, r] as const)).values()]
      .sort((x, y) => `${x.project}/${x.stack}`.localeCompare(`${y.project}/${y.stack}`));
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
    if (!isRoleName(readerRoleName)) {
      throw new Error(`[promotion.readerRoleName] must be an IAM role name (1-64 of letters, digits and +=,.@_-; no wildcards); got '${readerRoleName}'`);
    }
    if (promotion.readerAccountIds.length === 0) throw new Error("[promotion.readerAccountIds] must name at least one account");
    for (const id of promotion.readerAccountIds) {
      if (typeof id === "string" && !isAccountId(id)) {
        throw new Error(`[promotion.readerAccountIds] must hold 12-digit account ids; got '${id}'`);
      }
    }
  }
  for (const [stack, target] of Object.entries(args.stacks)) {
    if (typeof target.accountId === "string" && !isAccountId(target.accountId)) {
      throw new Error(`[stacks] '${stack}' must have a 12-digit accountId; got '${target.accountId}'`);
    }
    if (target.deployRoleName !== undefined && !isRoleName(target.deployRoleName)) {
      throw new Error(`[stacks] '${stack}' must have a deployRoleName that is an IAM role name (1-64 of letters, digits and +=,.@_-; no wildcards); got '${target.deployRoleName}'`);
    }
  }
  return { stackNames, targetDeploy, targetPreview, duration, stateProject, reads, partition, promotion, promotionEnvironment, readerRoleName };
}

/**
 * GitHub Actions federation for the CI/CD account: the OIDC identity provider and, per stack, a
 * deploy role (assumable only from this repository's matching GitHub environment) and a preview role
 * (assumable only from this repository's pull requests). Each role may only assume its target
 * account's deploy (resp. read-only preview) role, and use the Pulumi state bucket (deploy: read and
 * write its own stack's state only, read the stacks it references; preview: read them); no access
 * key is ever created.
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
    const { stackNames, targetDeploy, targetPreview, duration, stateProject, reads, partition, promotion, promotionEnvironment, readerRoleName } =
      validateGithubOidcArgs(args, args.stateProject ?? pulumi.getProject());

    const targetArn = (accountId: pulumi.Input<string>, role: string) => pulumi.output(roleArn(partition, accountId, role));
    const assumeOnly = (sid: string, resources: pulumi.Input<string>[]): PolicyStatement<pulumi.Input<string>> => ({
      Sid: sid,
      Effect: "Allow",
      Action: ["sts:AssumeRole", "sts:TagSession"],
      Resource: resources,
    });

    const state = (stack: string) => {
      const own = { project: stateProject, stack };
      const chunks = referenceChunks(partition, args.stateBucket, reads[stack]);
      if (chunks.length <= 1) {
        const all = stackStateStatements(partition, args.stateBucket, own, reads[stack], args.stateKmsKeyArn);
        return { deploy: { inline: all.deploy, managed: [] }, preview: { inline: all.preview, managed: [] } };
      }
      if (chunks.length > IAM_ATTACHED_POLICIES_PER_ROLE) {
        throw new Error(`[stacks] '${stack}' reads ${reads[stack].length} stacks: their state grants need ${chunks.length} managed policies, more than the ${IAM_ATTACHED_POLICIES_PER_ROLE} IAM attaches to a role by default`);
      }
      const mine = stackStateStatements(partition, args.stateBucket, own, [], args.stateKmsKeyArn);
      const managed = chunks.map((c) => referenceStateStatements(partition, args.stateBucket, c));
      return { deploy: { inline: mine.deploy, managed }, preview: { inline: mine.preview, managed } };
    };

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
        policy: policyJson(policyDocument([
          assumeOnly("AssumeTargetRolesOnly", targets),
          ...stateBoundaryStatements(partition, args.stateBucket, stackNames.map((stack) => ({ own: { project: stateProject, stack }, reads: reads[stack] })), args.stateKmsKeyArn),
        ])),
        tags: args.tags,
      }, { parent: this });
      boundaryArn = this.boundary.arn;
    }

    const trust = (subject: string | string[]) => policyJson(policyDocument<pulumi.Input<string>>([{
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

    const role = (key: string, roleName: string, description: string, subject: string | string[], target: pulumi.Output<string>, state: RoleState) => {
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
        policy: policyJson(policyDocument(state.inline)),
      }, { parent: this });
      // Read access to many referenced stacks (the ML stack reads every consumer): managed
      // policies of at most IAM_MANAGED_POLICY_MAX characters each, attached to this role only.
      state.managed.forEach((statements, i) => {
        const policy = new aws.iam.Policy(`${key}-reads-${i + 1}`, {
          name: `${roleName}-reads-${i + 1}`,
          description: `Read access of ${roleName} to the Pulumi state of the stacks it references (part ${i + 1} of ${state.managed.length})`,
          policy: policyJson(policyDocument(statements)),
          tags: args.tags,
        }, { parent: this });
        new aws.iam.RolePolicyAttachment(`${key}-reads-${i + 1}`, { role: r.name, policyArn: policy.arn }, { parent: this });
      });
      return r;
    };

    this.deployRoles = {};
    this.previewRoles = {};
    if (stackNames.includes(DRIFT_ENVIRONMENT)) {
      throw new Error(`[stacks] must not hold a stack named '${DRIFT_ENVIRONMENT}': that is the drift workflow's environment, which the preview roles trust`);
    }
    // Pull requests, and the nightly drift check (environment drift, main only: repository settings).
    const previewSubjects = [pullRequestSubject(args.owner, args.repo), environmentSubject(args.owner, args.repo, DRIFT_ENVIRONMENT)];
    for (const [stack, target] of Object.entries(args.stacks)) {
      this.deployRoles[stack] = role(
        `${name}-deploy-${stack}`,
        githubDeployRoleName(stack),
        `GitHub Actions deploys stack ${stack} from environment ${stack} of ${args.owner}/${args.repo}`,
        environmentSubject(args.owner, args.repo, stack),
        targetArn(target.accountId, target.deployRoleName ?? targetDeploy),
        state(stack).deploy,
      );
      this.previewRoles[stack] = role(
        `${name}-preview-${stack}`,
        githubPreviewRoleName(stack),
        `GitHub Actions previews stack ${stack} for pull requests and drift checks of ${args.owner}/${args.repo}`,
        previewSubjects,
        targetArn(target.accountId, targetPreview),
        state(stack).preview,
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
 * What the stack operations of ONE stack need in the Pulumi DIY backend's bucket (object layout:
 * see `PULUMI_STATE_PREFIX`):
 * - `deploy` (`pulumi up`/`refresh`/`destroy` of `own`): list exactly the prefixes the CLI lists for
 *   `own` and for each referenced stack; read `.pulumi/meta.yaml`; read, write and delete `own`'s
 *   state objects only; read (never write) the referenced stacks' checkpoints.
 * - `preview`: list the checkpoint prefixes of `own` and the referenced stacks; read the metadata,
 *   `own`'s checkpoints and tags, and the referenced checkpoints (a preview takes no lock and writes
 *   nothing).
 * With a key: Decrypt/Encrypt/GenerateDataKey resp. Decrypt. No statement names another stack's
 * objects for writing, so no deploy role can change the management stack's outputs.
 */
export function stackStateStatements(
  partition: string,
  bucket: string,
  own: StateStack,
  reads: StateStack[],
  kmsKeyArn?: pulumi.Input<string>,
): { deploy: PolicyStatement<pulumi.Input<string>>[]; preview: PolicyStatement<pulumi.Input<string>>[] } {
  const bucketArn = s3Arn(partition, bucket);
  const mine = stateObjects(own);
  const referenced = reads.map(stateObjects);
  const list = (prefixes: string[]): PolicyStatement<pulumi.Input<string>> => ({
    Sid: "ListPulumiState",
    Effect: "Allow",
    Action: "s3:ListBucket",
    Resource: bucketArn,
    Condition: { StringEquals: { "s3:prefix": prefixes } },
  });
  const objects = (sid: string, actions: string[], keys: string[]): PolicyStatement<pulumi.Input<string>> => ({
    Sid: sid, Effect: "Allow", Action: actions, Resource: keys.map((k) => `${bucketArn}/${k}`),
  });
  const meta = objects("ReadPulumiMeta", ["s3:GetObject"], [`${PULUMI_STATE_PREFIX}meta.yaml`]);
  const readRefs = referenced.length === 0 ? [] : [objects("ReadReferencedPulumiState", ["s3:GetObject"], referenced.flatMap((r) => r.checkpoints))];
  const refPrefixes = referenced.map((r) => r.referenceListPrefix);
  const key = (actions: string[]): PolicyStatement<pulumi.Input<string>>[] =>
    kmsKeyArn === undefined ? [] : [{ Sid: "UsePulumiStateKey", Effect: "Allow", Action: actions, Resource: kmsKeyArn }];
  return {
    deploy: [
      list([...mine.ownListPrefixes, ...refPrefixes]),
      meta,
      objects("ReadWriteOwnPulumiState", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], mine.own),
      ...readRefs,
      ...key(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]),
    ],
    preview: [
      list([mine.referenceListPrefix, ...refPrefixes]),
      meta,
      objects("ReadOwnPulumiState", ["s3:GetObject"], [...mine.checkpoints, `${PULUMI_STATE_PREFIX}stacks/${own.project}/${own.stack}.pulumi-tags`]),
      ...readRefs,
      ...key(["kms:Decrypt"]),
    ],
  };
}

/** IAM's quota of one customer managed policy document, in characters without white space. */
export const IAM_MANAGED_POLICY_MAX = 6144;
/** IAM's default quota of managed policies attached to one role. */
export const IAM_ATTACHED_POLICIES_PER_ROLE = 10;

/** A GitHub role's state grants: the inline `pulumi-state` policy, and managed policies (if any). */
export interface RoleState {
  inline: PolicyStatement<pulumi.Input<string>>[];
  /** Documents of the managed policies holding the referenced stacks' read grants (empty: inline). */
  managed: PolicyStatement<pulumi.Input<string>>[][];
}

/**
 * Read access to referenced stacks only (what `stackStateStatements` grants for `reads`): list
 * their exact checkpoint prefixes, read their checkpoints.
 */
export function referenceStateStatements(partition: string, bucket: string, reads: StateStack[]): PolicyStatement<string>[] {
  const bucketArn = s3Arn(partition, bucket);
  const objects = reads.map(stateObjects);
  return [
    { Sid: "ListReferencedPulumiState", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn, Condition: { StringEquals: { "s3:prefix": objects.map((o) => o.referenceListPrefix) } } },
    { Sid: "ReadReferencedPulumiState", Effect: "Allow", Action: "s3:GetObject", Resource: objects.flatMap((o) => o.checkpoints).map((k) => `${bucketArn}/${k}`) },
  ];
}

/**
 * Splits `reads` into groups whose `referenceStateStatements` document fits a managed policy
 * (`IAM_MANAGED_POLICY_MAX`, minified). One group (or none) when they all fit: the grants then stay
 * in the role's inline policy, as for the example organization; more when a role reads many stacks
 * (the ML stack's roles at a few dozen consumers would pass the 10,240 characters of a role's
 * inline policies).
 */
export function referenceChunks(partition: string, bucket: string, reads: StateStack[]): StateStack[][] {
  const size = (group: StateStack[]) => JSON.stringify(policyDocument(referenceStateStatements(partition, bucket, group))).length;
  const chunks: StateStack[][] = [];
  let current: StateStack[] = [];
  for (const r of reads) {
    if (current.length > 0 && size([...current, r]) > IAM_MANAGED_POLICY_MAX) {
      chunks.push(current);
      current = [];
    }
    current.push(r);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * The state part of the default permissions boundary: a ceiling over every deploy role's
 * `stackStateStatements` (the roles' inline policies stay the exact grants). Compact, to stay
 * within a managed policy's size: per deploying stack, its checkpoints and their copies
 * (`<stack>.json*`), tags and folders; the referenced checkpoints read-only; the union of the
 * listed prefixes. Nothing of a stack that is not deployed here (e.g. management) is writable.
 */
export function stateBoundaryStatements(
  partition: string,
  bucket: string,
  stacks: { own: StateStack; reads: StateStack[] }[],
  kmsKeyArn?: pulumi.Input<string>,
): PolicyStatement<pulumi.Input<string>>[] {
  const bucketArn = s3Arn(partition, bucket);
  const uniq = (xs: string[]) => [...new Set(xs)];
  const writable = uniq(stacks.flatMap(({ own }) => [
    `${PULUMI_STATE_PREFIX}stacks/${own.project}/${own.stack}.json*`,
    `${PULUMI_STATE_PREFIX}stacks/${own.project}/${own.stack}.pulumi-tags`,
    ...stateObjects(own).ownListPrefixes.slice(1).map((d) => `${d}*`),
  ]));
  const readable = uniq([`${PULUMI_STATE_PREFIX}meta.yaml`, ...stacks.flatMap(({ reads }) => reads.flatMap((r) => stateObjects(r).checkpoints))]);
  const prefixes = uniq(stacks.flatMap(({ own, reads }) => [...stateObjects(own).ownListPrefixes, ...reads.map((r) => stateObjects(r).referenceListPrefix)]));
  return [
    { Sid: "ListPulumiState", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn, Condition: { StringEquals: { "s3:prefix": prefixes } } },
    { Sid: "ReadPulumiState", Effect: "Allow", Action: "s3:GetObject", Resource: readable.map((k) => `${bucketArn}/${k}`) },
    { Sid: "ReadWriteOwnPulumiState", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: writable.map((k) => `${bucketArn}/${k}`) },
    ...(kmsKeyArn === undefined ? [] : [{ Sid: "UsePulumiStateKey", Effect: "Allow" as const, Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], Resource: kmsKeyArn }]),
  ];
}
