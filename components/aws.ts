/**
 * AWS facts in one place: regions and their partitions, the shapes of account ids, IAM names and
 * ARNs, the session-duration bounds of IAM roles, and ARN builders that always take the partition.
 * Pure data and functions (no resources), used by components, stacks (the zod fields reuse the same
 * patterns), the offline plan and the policies.
 */
import type * as pulumi from "@pulumi/pulumi";

// ---------------------------------------------------------------------------------------------
// Regions and partitions
// ---------------------------------------------------------------------------------------------

/** Partitions this project deploys to. */
export type Partition = "aws" | "aws-cn" | "aws-us-gov";
export const PARTITIONS: readonly Partition[] = ["aws", "aws-cn", "aws-us-gov"];

/**
 * AWS regions a stack may name (commercial, China and GovCloud partitions), from the AWS General
 * Reference "Regional endpoints" table. A region outside this list is refused by the config schema.
 */
export const AWS_REGIONS: Record<string, { partition: Partition }> = Object.fromEntries([
  ...[
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "af-south-1",
    "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
    "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ca-central-1", "ca-west-1",
    "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1",
    "il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1",
  ].map((r) => [r, { partition: "aws" as const }]),
  ...["cn-north-1", "cn-northwest-1"].map((r) => [r, { partition: "aws-cn" as const }]),
  ...["us-gov-east-1", "us-gov-west-1"].map((r) => [r, { partition: "aws-us-gov" as const }]),
]);

/**
 * Region prefixes of the isolated and sovereign partitions, which this project does not support;
 * named so that a region there is refused with its partition rather than as unknown.
 */
const UNSUPPORTED_PARTITIONS: readonly [prefix: string, partition: string][] = [
  ["us-isob-", "aws-iso-b"],
  ["us-isof-", "aws-iso-f"],
  ["us-iso-", "aws-iso"],
  ["eu-isoe-", "aws-iso-e"],
  ["eusc-", "aws-eusc"],
];

export function isAwsRegion(value: string): boolean {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(AWS_REGIONS, value);
}

/** The partition of `region`; throws for a region outside `AWS_REGIONS`, naming an unsupported partition. */
export function partitionOf(region: string): Partition {
  const r = isAwsRegion(region) ? AWS_REGIONS[region] : undefined;
  if (r) return r.partition;
  const unsupported = typeof region === "string" ? UNSUPPORTED_PARTITIONS.find(([prefix]) => region.startsWith(prefix)) : undefined;
  if (unsupported) {
    throw new Error(`'${region}' is in partition '${unsupported[1]}', which is not supported; supported partitions: ${PARTITIONS.join(", ")}`);
  }
  throw new Error(`'${region}' is not an AWS region`);
}

// ---------------------------------------------------------------------------------------------
// Shapes of ids, names and ARNs
// ---------------------------------------------------------------------------------------------

/** Pattern source of a supported partition (`aws`, `aws-cn`, `aws-us-gov`), for building ARN patterns. */
export const PARTITION_PATTERN = "aws|aws-cn|aws-us-gov";
/**
 * Pattern source of a region name in a supported partition (`us-east-1`, `cn-north-1`,
 * `us-gov-west-1`): the shape only; `isAwsRegion` checks the list of regions.
 */
export const REGION_PATTERN = "[a-z]{2}(?:-gov)?-[a-z]+-\\d";
/** A region name in a supported partition (shape only, see `REGION_PATTERN`). */
export const REGION_NAME = new RegExp(`^${REGION_PATTERN}$`);
/** Pattern source of a 12-digit account id. */
export const ACCOUNT_PATTERN = "\\d{12}";

/** A 12-digit AWS account id. */
export const ACCOUNT_ID = new RegExp(`^${ACCOUNT_PATTERN}$`);
/** An IAM role name (IAM `CreateRole` RoleName: 1–64 of `\w+=,.@-`). */
export const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** Pattern source of an IAM path and name (`a/b/name`): path segments, then a name of 1–64 characters, no wildcards. */
const IAM_PATH_AND_NAME = "(?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}";
/**
 * An exact IAM role ARN in a supported partition (paths allowed, no wildcards); captures the
 * partition, the account and the path with the name.
 */
export const IAM_ROLE_ARN = new RegExp(`^arn:(${PARTITION_PATTERN}):iam::(${ACCOUNT_PATTERN}):role/(${IAM_PATH_AND_NAME})$`);
/** An exact IAM role or user ARN (no wildcards); captures the partition, the account, `role` or `user`, and the path with the name. */
export const IAM_PRINCIPAL_ARN = new RegExp(`^arn:(${PARTITION_PATTERN}):iam::(${ACCOUNT_PATTERN}):(role|user)/(${IAM_PATH_AND_NAME})$`);
/** An exact customer managed IAM policy ARN in a supported partition (paths allowed). */
export const IAM_POLICY_ARN = new RegExp(`^arn:(${PARTITION_PATTERN}):iam::(${ACCOUNT_PATTERN}):policy/(${IAM_PATH_AND_NAME})$`);
/**
 * An IAM role as a policy's resource or principal pattern, which may hold wildcards (`role/mlz-*`);
 * captures the partition, the account and what follows `role/`.
 */
export const IAM_ROLE_RESOURCE = new RegExp(`^arn:(${PARTITION_PATTERN}):iam::(${ACCOUNT_PATTERN}):role/(.+)$`);
/** `arn:<partition>:iam::<account>:root`, the account as a principal; captures the partition and the account. */
export const ACCOUNT_ROOT_ARN = new RegExp(`^arn:(${PARTITION_PATTERN}):iam::(${ACCOUNT_PATTERN}):root$`);

/** Pattern source of a KMS key id: a UUID, or `mrk-` and 32 hex digits for a multi-Region key. */
export const KMS_KEY_ID_PATTERN = "mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
/** A KMS key ARN (not an alias); captures the partition, the region, the account and the key id. */
export const KMS_KEY_ARN = new RegExp(`^arn:(${PARTITION_PATTERN}):kms:(${REGION_PATTERN}):(${ACCOUNT_PATTERN}):key/(${KMS_KEY_ID_PATTERN})$`);
/** A KMS key ARN or `key/*` (every key of an account and region); same captures as `KMS_KEY_ARN`. */
export const KMS_KEY_ARN_OR_ANY_KEY = new RegExp(`^arn:(${PARTITION_PATTERN}):kms:(${REGION_PATTERN}):(${ACCOUNT_PATTERN}):key/(${KMS_KEY_ID_PATTERN}|\\*)$`);
/** A KMS alias ARN; captures the partition, the region, the account and `alias/<name>`. */
export const KMS_ALIAS_ARN = new RegExp(`^arn:(${PARTITION_PATTERN}):kms:(${REGION_PATTERN}):(${ACCOUNT_PATTERN}):(alias/[A-Za-z0-9/_-]{1,250})$`);
/** The shape of a KMS key ARN, for error messages. */
export const KMS_KEY_ARN_SHAPE = "arn:<partition>:kms:<region>:<account>:key/<key id>";

/**
 * An ACM certificate ARN in us-east-1, the region CloudFront takes certificates from; captures the
 * partition and the account. Certificate ids are UUIDs.
 */
export const CLOUDFRONT_CERTIFICATE_ARN = new RegExp(
  `^arn:(${PARTITION_PATTERN}):acm:us-east-1:(${ACCOUNT_PATTERN}):certificate/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`,
);

/**
 * A standard (not FIFO) SNS topic ARN, the kind CloudWatch alarms notify and the narration topic
 * is; captures the partition, the region, the account and the topic name (1–256 letters, digits,
 * `-` or `_`).
 */
export const SNS_TOPIC_ARN = new RegExp(`^arn:(${PARTITION_PATTERN}):sns:(${REGION_PATTERN}):(${ACCOUNT_PATTERN}):([A-Za-z0-9_-]{1,256})$`);

export function isAccountId(value: unknown): value is string {
  return typeof value === "string" && ACCOUNT_ID.test(value);
}

export function isRoleName(value: unknown): value is string {
  return typeof value === "string" && IAM_ROLE_NAME.test(value);
}

/** `123456789012` or `arn:<partition>:iam::123456789012:root`: a whole account as a principal. */
export function isAccountPrincipal(value: unknown): value is string {
  return typeof value === "string" && (ACCOUNT_ID.test(value) || ACCOUNT_ROOT_ARN.test(value));
}

/** The region of an ARN (`arn:<partition>:<service>:<region>:…`; empty for a global resource), or undefined for a string that is not an ARN. */
export function regionOfArn(arn: string): string | undefined {
  return /^arn:[^:]*:[^:]*:([^:]*):/.exec(arn)?.[1];
}

/** The account id of an ARN (`arn:<partition>:<service>:<region>:<account>:…`). */
export function accountOfArn(arn: string): string {
  return arn.split(":")[4];
}

// ---------------------------------------------------------------------------------------------
// IAM role session duration
// ---------------------------------------------------------------------------------------------

/** Bounds of an IAM role's `MaxSessionDuration`, in seconds, and the default AWS applies. */
export const MIN_SESSION_SECONDS = 900;
export const MAX_SESSION_SECONDS = 43200;
export const DEFAULT_SESSION_SECONDS = 3600;

/**
 * `value` (default 3600) when it is a whole number of seconds from 900 to 43200, the bounds of an
 * IAM role's `MaxSessionDuration`; throws naming the argument otherwise.
 */
export function sessionDuration(value: number | undefined, arg = "maxSessionDurationSeconds"): number {
  const duration = value ?? DEFAULT_SESSION_SECONDS;
  if (!Number.isInteger(duration) || duration < MIN_SESSION_SECONDS || duration > MAX_SESSION_SECONDS) {
    throw new Error(`[${arg}] must be a whole number from ${MIN_SESSION_SECONDS} to ${MAX_SESSION_SECONDS}; got ${duration}`);
  }
  return duration;
}

// ---------------------------------------------------------------------------------------------
// ARN builders: every one takes the partition
// ---------------------------------------------------------------------------------------------

type Part = pulumi.Input<string>;

/**
 * Joins ARN pieces: a string when every piece is a string at run time, else an Output; hence the
 * builders' `pulumi.Input<string>` result for Input pieces (wrap in `pulumi.output` to `apply`).
 */
function join(pieces: Part[]): any {
  if (pieces.every((p) => typeof p === "string")) return (pieces as string[]).join("");
  // The Pulumi SDK is loaded only for Input pieces, so that the patterns and string builders
  // serve command-line tools without loading it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { all } = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
  return all(pieces).apply((ps) => ps.join(""));
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>` (region and account may be empty or `*`). */
export function arn(partition: string, service: string, region: string, account: string, resource: string): string;
export function arn(partition: Part, service: Part, region: Part, account: Part, resource: Part): pulumi.Input<string>;
export function arn(partition: Part, service: Part, region: Part, account: Part, resource: Part): any {
  return join(["arn:", partition, ":", service, ":", region, ":", account, ":", resource]);
}

/** `arn:<partition>:iam::<account>:role/<name>` */
export function roleArn(partition: string, account: string, roleName: string): string;
export function roleArn(partition: Part, account: Part, roleName: Part): pulumi.Input<string>;
export function roleArn(partition: Part, account: Part, roleName: Part): any {
  return arn(partition, "iam", "", account, join(["role/", roleName]));
}

/** `arn:<partition>:iam::<account>:policy/<name>` (a customer managed policy). */
export function policyArn(partition: string, account: string, policyName: string): string;
export function policyArn(partition: Part, account: Part, policyName: Part): pulumi.Input<string>;
export function policyArn(partition: Part, account: Part, policyName: Part): any {
  return arn(partition, "iam", "", account, join(["policy/", policyName]));
}

/** `arn:<partition>:iam::aws:policy/<path and name>` (an AWS managed policy). */
export function awsManagedPolicyArn(partition: string, name: string): string;
export function awsManagedPolicyArn(partition: Part, name: Part): pulumi.Input<string>;
export function awsManagedPolicyArn(partition: Part, name: Part): any {
  return arn(partition, "iam", "", "aws", join(["policy/", name]));
}

/** `arn:<partition>:iam::<account>:root`: the account as a principal. */
export function accountRootArn(partition: string, account: string): string;
export function accountRootArn(partition: Part, account: Part): pulumi.Input<string>;
export function accountRootArn(partition: Part, account: Part): any {
  return arn(partition, "iam", "", account, "root");
}

/** `arn:<partition>:s3:::<bucket><suffix>` (suffix e.g. `/*` or `/<key>`). */
export function s3Arn(partition: string, bucket: string, suffix?: string): string;
export function s3Arn(partition: Part, bucket: Part, suffix?: Part): pulumi.Input<string>;
export function s3Arn(partition: Part, bucket: Part, suffix: Part = ""): any {
  return arn(partition, "s3", "", "", join([bucket, suffix]));
}
