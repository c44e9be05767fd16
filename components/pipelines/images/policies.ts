/**
 * Pure pieces of the image-normalization pipeline: argument checks and the policy documents of
 * both delivery modes, built as typed data (tests read them statement by statement).
 *
 * Who reads: exactly the configured training roles, which may live in other accounts and may not
 * exist yet when the lakehouse stack is applied. S3, S3 Control and KMS refuse a policy naming a
 * role ARN that does not exist, so each grant names the role's ACCOUNT as principal and narrows it
 * with `ArnEquals aws:PrincipalArn` to the exact role ARNs of that account, and with
 * `aws:PrincipalOrgID` to the organization (the pattern of stacks/parts/training-images.ts).
 *
 * object-lambda (S3 User Guide, "Configuring IAM policies for Object Lambda Access Points"): four
 * resources must allow the caller: the Object Lambda access point (`s3-object-lambda:GetObject`),
 * the supporting access point (`s3:GetObject`, only when called via `s3-object-lambda.amazonaws.com`),
 * the bucket (here: delegating to exactly that access point with `s3:DataAccessPointArn`, a
 * condition S3 treats as non-public, so Block Public Access accepts it) and the function
 * (`lambda:InvokeFunction`: a Lambda permission per caller account). The caller's own IAM policy,
 * in its account, must allow the same actions; the KMS key policy lets the roles decrypt through S3
 * (the function reads the original through a presigned URL signed with the CALLER's identity).
 *
 * on-upload: the roles list the derived prefix and read its objects (bucket policy), and decrypt
 * through S3 (key policy). The function's own role reads the raw prefix and writes the derived one.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../../iam/policy-document";
import { IAM_ROLE_ARN, accountRootArn } from "../../aws";

export const MODES = ["object-lambda", "on-upload"] as const;
export type NormalizationMode = (typeof MODES)[number];

/** S3 access point names: 3–50 lower-case letters, digits, hyphens; Object Lambda access point names: 3–45. */
export const ACCESS_POINT_NAME = /^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$/;
export const OBJECT_LAMBDA_ACCESS_POINT_NAME = /^[a-z0-9][a-z0-9-]{1,43}[a-z0-9]$/;
/** Object Lambda waits at most 60 s for the function (S3 User Guide, Object Lambda quotas). */
export const OBJECT_LAMBDA_MAX_TIMEOUT_SECONDS = 60;

/** Actions the training roles get on the supporting access point and the bucket (object-lambda). */
export const OBJECT_READ_ACTIONS = ["s3:GetObject"];
/** KMS actions the training roles need to read SSE-KMS objects through S3. */
export const KEY_READ_ACTIONS = ["kms:Decrypt"];
/** What the on-upload function does with the key (read raw objects, write derived ones). */
export const FUNCTION_KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"];

export interface NormalizationSettings {
  mode: NormalizationMode;
  rawPrefix: string;
  derivedPrefix: string;
  trainingRoleArns: string[];
  accessPointName: string;
  objectLambdaAccessPointName: string;
  timeoutSeconds: number;
  memoryMb: number;
  maxInputBytes: number;
  maxInputPixels: number;
}

/** Checks the settings; throws naming the argument and the rule. */
export function validateNormalizationSettings(s: NormalizationSettings): void {
  if (!MODES.includes(s.mode)) throw new Error(`[mode] must be one of ${MODES.join(", ")}; got '${String(s.mode)}'`);
  for (const key of ["rawPrefix", "derivedPrefix"] as const) {
    const p = s[key];
    if (!/^[^/*?][^*?]*\/$/.test(p)) throw new Error(`[${key}] must be a key prefix ending in '/', without '*' or '?', not starting with '/'; got '${p}'`);
  }
  if (s.rawPrefix.startsWith(s.derivedPrefix) || s.derivedPrefix.startsWith(s.rawPrefix)) {
    throw new Error(`[derivedPrefix] must not overlap [rawPrefix] (a derived write would trigger the function again); got '${s.derivedPrefix}' and '${s.rawPrefix}'`);
  }
  if (s.trainingRoleArns.length === 0) throw new Error("[trainingRoleArns] must name at least one IAM role ARN");
  for (const arn of s.trainingRoleArns) {
    if (!IAM_ROLE_ARN.test(arn)) throw new Error(`[trainingRoleArns] must hold IAM role ARNs (arn:aws:iam::<12 digits>:role/<name>); got '${arn}'`);
  }
  if (new Set(s.trainingRoleArns).size !== s.trainingRoleArns.length) throw new Error("[trainingRoleArns] must not repeat a role");
  if (!ACCESS_POINT_NAME.test(s.accessPointName)) throw new Error(`[accessPointName] must be 3–50 of a-z, 0-9, '-' (starting and ending alphanumeric); got '${s.accessPointName}'`);
  if (!OBJECT_LAMBDA_ACCESS_POINT_NAME.test(s.objectLambdaAccessPointName)) {
    throw new Error(`[objectLambdaAccessPointName] must be 3–45 of a-z, 0-9, '-' (starting and ending alphanumeric); got '${s.objectLambdaAccessPointName}'`);
  }
  const maxTimeout = s.mode === "object-lambda" ? OBJECT_LAMBDA_MAX_TIMEOUT_SECONDS : 900;
  if (!Number.isInteger(s.timeoutSeconds) || s.timeoutSeconds < 1 || s.timeoutSeconds > maxTimeout) {
    throw new Error(`[timeoutSeconds] must be a whole number from 1 to ${maxTimeout} in mode ${s.mode}; got ${s.timeoutSeconds}`);
  }
  if (!Number.isInteger(s.memoryMb) || s.memoryMb < 128 || s.memoryMb > 10240) throw new Error(`[memoryMb] must be a whole number from 128 to 10240; got ${s.memoryMb}`);
  for (const key of ["maxInputBytes", "maxInputPixels"] as const) {
    if (!Number.isSafeInteger(s[key]) || s[key] < 1) throw new Error(`[${key}] must be a whole number ≥ 1; got ${s[key]}`);
  }
}

/** The training roles grouped by account (sorted), for one statement per account. */
export function rolesByAccount(roleArns: readonly string[]): Map<string, { partition: string; arns: string[] }> {
  const out = new Map<string, { partition: string; arns: string[] }>();
  for (const arn of [...roleArns].sort()) {
    const m = IAM_ROLE_ARN.exec(arn);
    if (!m) throw new Error(`[trainingRoleArns] must hold IAM role ARNs; got '${arn}'`);
    const entry = out.get(m[2]) ?? { partition: m[1], arns: [] };
    entry.arns.push(arn);
    out.set(m[2], entry);
  }
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

type Stmt = PolicyStatement<pulumi.Input<string>>;

/**
 * One statement per account of the training roles: principal the account, narrowed to the exact
 * role ARNs and the organization; `extra` adds conditions (merged per operator).
 */
export function trainingRoleStatements(
  sid: string,
  roleArns: readonly string[],
  organizationId: pulumi.Input<string>,
  base: Omit<Stmt, "Sid" | "Principal" | "Effect">,
): Stmt[] {
  return [...rolesByAccount(roleArns)].map(([account, { partition, arns }]) => {
    const extra = base.Condition ?? {};
    return {
      ...base,
      Sid: `${sid}${account}`,
      Effect: "Allow",
      Principal: { AWS: accountRootArn(partition, account) },
      Condition: {
        ...extra,
        ArnEquals: { ...(extra.ArnEquals ?? {}), "aws:PrincipalArn": arns.length === 1 ? arns[0] : arns },
        StringEquals: { ...(extra.StringEquals ?? {}), "aws:PrincipalOrgID": organizationId },
      },
    };
  });
}

/** Only requests S3 Object Lambda makes on the caller's behalf. */
export const CALLED_VIA_OBJECT_LAMBDA = { "ForAnyValue:StringEquals": { "aws:CalledVia": ["s3-object-lambda.amazonaws.com"] } };

export interface ResourceNames {
  partition: string;
  region: string;
  accountId: pulumi.Input<string>;
  bucketArn: pulumi.Input<string>;
  accessPointName: string;
  objectLambdaAccessPointName: string;
}

export function accessPointArn(n: ResourceNames): pulumi.Output<string> {
  return pulumi.interpolate`arn:${n.partition}:s3:${n.region}:${n.accountId}:accesspoint/${n.accessPointName}`;
}

export function objectLambdaAccessPointArn(n: ResourceNames): pulumi.Output<string> {
  return pulumi.interpolate`arn:${n.partition}:s3-object-lambda:${n.region}:${n.accountId}:accesspoint/${n.objectLambdaAccessPointName}`;
}

/** Bucket policy, object-lambda: the bucket delegates reads of the raw prefix to its one supporting access point. */
export function delegationStatements(n: ResourceNames, rawPrefix: string): Stmt[] {
  return [{
    Sid: "DelegateRawReadsToTheSupportingAccessPoint",
    Effect: "Allow",
    Principal: { AWS: "*" },
    Action: OBJECT_READ_ACTIONS,
    Resource: pulumi.interpolate`${n.bucketArn}/${rawPrefix}*`,
    Condition: { StringEquals: { "s3:DataAccessPointArn": accessPointArn(n), "s3:DataAccessPointAccount": n.accountId } },
  }];
}

/** Supporting access point policy: the training roles read the raw prefix, only via S3 Object Lambda. */
export function supportingAccessPointPolicy(n: ResourceNames, rawPrefix: string, roleArns: readonly string[], organizationId: pulumi.Input<string>): Stmt[] {
  return trainingRoleStatements("TrainingRolesReadViaObjectLambda", roleArns, organizationId, {
    Action: OBJECT_READ_ACTIONS,
    Resource: pulumi.interpolate`${accessPointArn(n)}/object/${rawPrefix}*`,
    Condition: CALLED_VIA_OBJECT_LAMBDA,
  });
}

/** Object Lambda access point policy: the training roles get normalized objects. */
export function objectLambdaAccessPointPolicy(n: ResourceNames, roleArns: readonly string[], organizationId: pulumi.Input<string>): Stmt[] {
  return trainingRoleStatements("TrainingRolesGetNormalizedImages", roleArns, organizationId, {
    Action: ["s3-object-lambda:GetObject"],
    Resource: objectLambdaAccessPointArn(n),
  });
}

/** Bucket policy, on-upload: the training roles list and read the derived prefix. */
export function derivedReadStatements(bucketArn: pulumi.Input<string>, derivedPrefix: string, roleArns: readonly string[], organizationId: pulumi.Input<string>): Stmt[] {
  return [
    ...trainingRoleStatements("TrainingRolesListNormalizedImages", roleArns, organizationId, {
      Action: ["s3:ListBucket"],
      Resource: bucketArn,
      Condition: { StringLike: { "s3:prefix": [derivedPrefix, `${derivedPrefix}*`] } },
    }),
    ...trainingRoleStatements("TrainingRolesReadNormalizedImages", roleArns, organizationId, {
      Action: OBJECT_READ_ACTIONS,
      Resource: pulumi.interpolate`${bucketArn}/${derivedPrefix}*`,
    }),
  ];
}

/** S3 in `region` as KMS names it (`kms:ViaService`). */
export function s3Service(region: string, partition: string): string {
  return partition === "aws-cn" ? `s3.${region}.amazonaws.com.cn` : `s3.${region}.amazonaws.com`;
}

/** Key policy: the account administers the key; the training roles decrypt through S3 in this region only. */
export function keyPolicyStatements(partition: string, region: string, accountId: pulumi.Input<string>, roleArns: readonly string[], organizationId: pulumi.Input<string>): Stmt[] {
  return [
    {
      Sid: "AccountAdministersTheKey",
      Effect: "Allow",
      Principal: { AWS: accountRootArn(partition, accountId) },
      Action: "kms:*",
      Resource: "*",
    },
    ...trainingRoleStatements("TrainingRolesDecryptThroughS3", roleArns, organizationId, {
      Action: KEY_READ_ACTIONS,
      Resource: "*",
      Condition: { StringEquals: { "kms:ViaService": s3Service(region, partition) } },
    }),
  ];
}

/** The on-upload function's own permissions. */
export function onUploadFunctionStatements(bucketArn: pulumi.Input<string>, keyArn: pulumi.Input<string>, rawPrefix: string, derivedPrefix: string): Stmt[] {
  return [
    { Sid: "ReadRawImages", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: pulumi.interpolate`${bucketArn}/${rawPrefix}*` },
    { Sid: "WriteNormalizedImages", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: pulumi.interpolate`${bucketArn}/${derivedPrefix}*` },
    // Without ListBucket, HEAD of a missing key answers 403 instead of 404.
    { Sid: "TellMissingFromForbidden", Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucketArn },
    { Sid: "UseTheBucketKey", Effect: "Allow", Action: FUNCTION_KEY_ACTIONS, Resource: keyArn },
  ];
}

/** The Object Lambda function's own permission: answer GetObject requests (S3 User Guide: `s3-object-lambda:WriteGetObjectResponse`). */
export function objectLambdaFunctionStatements(olapArn: pulumi.Input<string>): Stmt[] {
  return [{ Sid: "AnswerObjectLambdaRequests", Effect: "Allow", Action: ["s3-object-lambda:WriteGetObjectResponse"], Resource: olapArn }];
}

/** What a training role's own IAM policy must name to read the normalized images. */
export interface ReaderResources {
  mode: NormalizationMode;
  partition: string;
  region: string;
  bucketArn: pulumi.Input<string>;
  keyArn: pulumi.Input<string>;
  functionArn: pulumi.Input<string>;
  /** Supporting access point ARN (object-lambda). */
  accessPointArn: pulumi.Input<string>;
  /** Object Lambda access point ARN (object-lambda). */
  objectLambdaAccessPointArn: pulumi.Input<string>;
  rawPrefix: string;
  derivedPrefix: string;
}

/**
 * The training roles' identity-policy statements (in THEIR accounts): the same actions on the same
 * resources as the lakehouse's resource policies grant them, which cross-account access needs on
 * both sides. object-lambda follows the S3 User Guide ("Configuring IAM policies for Object Lambda
 * Access Points"): `s3-object-lambda:GetObject` on the Object Lambda access point, `s3:GetObject`
 * on the supporting access point and `lambda:InvokeFunction` on the function (the function ARN and
 * its qualified forms), both only when called via `s3-object-lambda.amazonaws.com`; on-upload:
 * list and read the derived prefix. Either way `kms:Decrypt` on the bucket's key through S3 only.
 */
export function trainingRoleReaderStatements(r: ReaderResources): Stmt[] {
  const decrypt: Stmt = {
    Sid: "DecryptNormalizedImagesThroughS3",
    Effect: "Allow",
    Action: KEY_READ_ACTIONS,
    Resource: r.keyArn,
    Condition: { StringEquals: { "kms:ViaService": s3Service(r.region, r.partition) } },
  };
  if (r.mode === "object-lambda") {
    return [
      { Sid: "GetNormalizedImages", Effect: "Allow", Action: ["s3-object-lambda:GetObject"], Resource: r.objectLambdaAccessPointArn },
      {
        Sid: "ReadRawImagesViaObjectLambda",
        Effect: "Allow",
        Action: OBJECT_READ_ACTIONS,
        Resource: pulumi.interpolate`${r.accessPointArn}/object/${r.rawPrefix}*`,
        Condition: CALLED_VIA_OBJECT_LAMBDA,
      },
      {
        Sid: "InvokeTheNormalizerViaObjectLambda",
        Effect: "Allow",
        Action: ["lambda:InvokeFunction"],
        Resource: [r.functionArn, pulumi.interpolate`${r.functionArn}:*`],
        Condition: CALLED_VIA_OBJECT_LAMBDA,
      },
      decrypt,
    ];
  }
  return [
    {
      Sid: "ListNormalizedImages",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: r.bucketArn,
      Condition: { StringLike: { "s3:prefix": [r.derivedPrefix, `${r.derivedPrefix}*`] } },
    },
    { Sid: "ReadNormalizedImages", Effect: "Allow", Action: OBJECT_READ_ACTIONS, Resource: pulumi.interpolate`${r.bucketArn}/${r.derivedPrefix}*` },
    decrypt,
  ];
}
