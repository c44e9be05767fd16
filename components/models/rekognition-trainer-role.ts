/**
 * The role in the ML account that starts Rekognition Custom Labels training on the lakehouse's
 * training-images bucket.
 *
 * Why a role of its own: Custom Labels reads the manifest and images, and writes its results, with
 * the permissions of the principal that CALLS `CreateProjectVersion`, not with a service principal
 * (Rekognition Custom Labels Developer Guide, "Set up SDK permissions",
 * https://docs.aws.amazon.com/rekognition/latest/customlabels-dg/su-sdk-permissions.html: "you no
 * longer need to give Amazon Rekognition Custom Labels permissions to access the Amazon S3 bucket
 * that contains your training and testing images"), and the caller needs `kms:GenerateDataKey` and
 * `kms:Decrypt` on the bucket's key ("Step 5: (Optional) Encrypt training files",
 * https://docs.aws.amazon.com/rekognition/latest/customlabels-dg/su-encrypt-bucket.html). The
 * bucket is in another account, so BOTH sides must allow each request (IAM User Guide,
 * "Cross-account policy evaluation logic"): this role's policy here, and the lakehouse bucket and
 * key policies (stacks/parts/training-images.ts), which name exactly this role.
 *
 * Layout of the bucket this role relies on: manifests and images under `images/`
 * (`TRAINING_IMAGES_PREFIX`), training output (`CreateProjectVersion` `OutputConfig.S3KeyPrefix`)
 * under `results/` (`TRAINING_RESULTS_PREFIX`).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson, type PolicyStatement } from "../iam/policy-document";
import { REKOGNITION_TRAINER_ROLE_NAME } from "../naming";
import { IAM_PRINCIPAL_ARN, KMS_KEY_ARN_OR_ANY_KEY, PARTITIONS, REGION_NAME, accountRootArn, arn, isAccountId, s3Arn, sessionDuration } from "../aws";

/** Prefix of the training manifests and images in the training-images bucket. */
export const TRAINING_IMAGES_PREFIX = "images/";
/** Prefix under which training writes its results (the only place the trainer may write). */
export const TRAINING_RESULTS_PREFIX = "results/";
/**
 * Object reads training needs: the object actions of the Custom Labels external-bucket policy
 * (Custom Labels Developer Guide, "Set up Amazon Rekognition Custom Labels console permissions",
 * "Accessing external Amazon S3 Buckets"; also the AWS managed policy
 * AmazonRekognitionCustomLabelsFullAccess). `s3:GetObjectAcl` is asked for even though the bucket
 * disables ACLs (S3 then answers with the owner's full control).
 */
export const TRAINING_IMAGES_READ_ACTIONS = ["s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectTagging", "s3:GetObjectVersion"];
/** Bucket reads of the same external-bucket policy: its ACL (owner check) and its region. */
export const TRAINING_BUCKET_READ_ACTIONS = ["s3:GetBucketAcl", "s3:GetBucketLocation"];
/** Key use the calling principal needs ("Encrypt training files"). */
export const TRAINING_IMAGES_KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"];
/** `s3:prefix` values `s3:ListBucket` is limited to. */
export const TRAINING_IMAGES_LIST_PREFIXES = [TRAINING_IMAGES_PREFIX, `${TRAINING_IMAGES_PREFIX}*`];

export interface RekognitionTrainerRoleArgs {
  /** The ML account (where the role and the projects live). Required. */
  readonly mlAccountId: pulumi.Input<string>;
  /** Region of the Rekognition projects and of the bucket (scopes `kms:ViaService`). Required. */
  readonly region: string;
  /** Partition of `region`. Defaults to `aws`. */
  readonly partition?: "aws" | "aws-cn" | "aws-us-gov";
  /** Rekognition Custom Labels projects the role may train (project names). At least one is required. */
  readonly projectNames: readonly string[];
  /** Physical name of the training-images bucket (in the lakehouse account). Required. */
  readonly trainingBucketName: pulumi.Input<string>;
  /**
   * The bucket's SSE-KMS key: its exact key ARN, or, when the ML stack cannot know it,
   * `arn:<partition>:kms:<region>:<lakehouse account>:key/*` (every key of that account and region;
   * the key policies there decide: only the training-images key admits this role). Required.
   */
  readonly trainingKmsKeyArn: pulumi.Input<string>;
  /**
   * The exact principals of the ML account allowed to assume the role (`ArnEquals
   * aws:PrincipalArn`; no wildcards): the MLOps engineers' role (e.g. their IAM Identity Center
   * permission set's role, `arn:aws:iam::<ml>:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_MLOps_<suffix>`)
   * and the training pipeline's role. Principals of other accounts are refused. At least one is required.
   */
  readonly trustedPrincipalArns: readonly pulumi.Input<string>[];
  /** Maximum session duration in seconds (900–43200). Defaults to 3600. */
  readonly maxSessionDurationSeconds?: number;
}

const PROJECT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;

/** DNS suffix of S3 endpoints in `partition` (for `kms:ViaService`). */
function dnsSuffix(partition: string): string {
  return partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
}

/** `kms:ViaService` value of S3 in `region`. */
export function s3ViaService(region: string, partition: string): string {
  return `s3.${region}.${dnsSuffix(partition)}`;
}

/**
 * The trainer's permission statements (pure, for tests and the plan): train the named projects,
 * list and read `images/`, write `results/`, use the key through S3.
 */
export function trainerStatements(input: {
  mlAccountId: pulumi.Input<string>;
  region: string;
  partition: string;
  projectNames: readonly string[];
  trainingBucketName: pulumi.Input<string>;
  trainingKmsKeyArn: pulumi.Input<string>;
}): PolicyStatement<pulumi.Input<string>>[] {
  const { mlAccountId, region, partition } = input;
  const bucketArn = s3Arn(partition, input.trainingBucketName);
  return [
    {
      // DescribeProjects names no project (Service Authorization Reference: no resource type).
      Sid: "FindProjects",
      Effect: "Allow",
      Action: "rekognition:DescribeProjects",
      Resource: "*",
    },
    {
      // `project/<name>/*` matches the project ARN and its version ARNs.
      Sid: "TrainProjects",
      Effect: "Allow",
      Action: ["rekognition:CreateProjectVersion", "rekognition:DescribeProjectVersions"],
      Resource: [...input.projectNames].sort().map((p) => arn(partition, "rekognition", region, mlAccountId, `project/${p}/*`)),
    },
    {
      Sid: "ListTrainingImages",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn,
      Condition: { StringLike: { "s3:prefix": TRAINING_IMAGES_LIST_PREFIXES } },
    },
    {
      // Region and ACL of the bucket (the service checks both on an external bucket); reveal nothing else.
      Sid: "LocateTrainingBucket",
      Effect: "Allow",
      Action: TRAINING_BUCKET_READ_ACTIONS,
      Resource: bucketArn,
    },
    {
      Sid: "ReadTrainingImages",
      Effect: "Allow",
      Action: TRAINING_IMAGES_READ_ACTIONS,
      Resource: pulumi.interpolate`${bucketArn}/${TRAINING_IMAGES_PREFIX}*`,
    },
    {
      Sid: "WriteTrainingResults",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: pulumi.interpolate`${bucketArn}/${TRAINING_RESULTS_PREFIX}*`,
    },
    {
      Sid: "UseTrainingImagesKeyThroughS3",
      Effect: "Allow",
      Action: TRAINING_IMAGES_KEY_ACTIONS,
      Resource: input.trainingKmsKeyArn,
      Condition: { StringEquals: { "kms:ViaService": s3ViaService(region, partition) } },
    },
  ];
}

/** What is wrong with `arn` as the training key in `partition` and `region`, or undefined. */
export function trainingKeyProblem(arn: string, partition: string, region: string): string | undefined {
  const m = KMS_KEY_ARN_OR_ANY_KEY.exec(arn);
  if (!m || m[1] !== partition || m[2] !== region) {
    return `[trainingKmsKeyArn] must be a KMS key ARN (or key/*) in ${partition} ${region}; got '${arn}'`;
  }
  return undefined;
}

/**
 * Checks `RekognitionTrainerRole`'s args (pure: no resources; values given as Outputs are checked
 * when known) and applies their defaults; throws naming the argument and the rule.
 */
export function validateRekognitionTrainerRoleArgs(args: RekognitionTrainerRoleArgs): { partition: string; duration: number } {
  const partition = args.partition ?? "aws";
  if (!(PARTITIONS as readonly string[]).includes(partition)) {
    throw new Error(`[partition] must be 'aws', 'aws-cn' or 'aws-us-gov'; got '${String(partition)}'`);
  }
  if (!REGION_NAME.test(args.region)) {
    throw new Error(`[region] must be an AWS region such as 'us-east-1'; got '${args.region}'`);
  }
  if (typeof args.mlAccountId === "string" && !isAccountId(args.mlAccountId)) {
    throw new Error(`[mlAccountId] must be a 12-digit AWS account id; got '${args.mlAccountId}'`);
  }
  if (args.projectNames.length === 0) {
    throw new Error("[projectNames] must name at least one Rekognition Custom Labels project; got none");
  }
  for (const p of args.projectNames) {
    if (!PROJECT_NAME.test(p)) throw new Error(`[projectNames] must hold Rekognition project names (letters, digits, '_', '.', '-'); got '${p}'`);
  }
  if (typeof args.trainingKmsKeyArn === "string") {
    const problem = trainingKeyProblem(args.trainingKmsKeyArn, partition, args.region);
    if (problem) throw new Error(problem);
  }
  const duration = sessionDuration(args.maxSessionDurationSeconds);
  if (!args.trustedPrincipalArns || args.trustedPrincipalArns.length === 0) {
    throw new Error("[trustedPrincipalArns] must name at least one principal of the ML account; got none");
  }
  return { partition, duration };
}

/**
 * `mlz-rekognition-trainer`: assumed inside the ML account (never from another account), by the
 * exact principals named in `trustedPrincipalArns` only, to start and follow Custom Labels training
 * of the ML account's projects on the lakehouse's images.
 */
export class RekognitionTrainerRole extends pulumi.ComponentResource {
  public readonly role: aws.iam.Role;
  /** The role's inline permissions (`train-custom-labels`). */
  public readonly policy: aws.iam.RolePolicy;
  public readonly arn: pulumi.Output<string>;
  public readonly roleName: pulumi.Output<string>;

  constructor(name: string, args: RekognitionTrainerRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:models:RekognitionTrainerRole", name, {}, opts);
    const { partition, duration } = validateRekognitionTrainerRoleArgs(args);
    const checkKey = (arn: string) => trainingKeyProblem(arn, partition, args.region);
    const mlAccount = pulumi.output(args.mlAccountId);
    const trusted = args.trustedPrincipalArns.map((input) => pulumi.all([mlAccount, input]).apply(([account, arn]) => {
      const m = IAM_PRINCIPAL_ARN.exec(arn);
      if (!m || m[1] !== partition || m[2] !== account) {
        throw new pulumi.ResourceError(`[trustedPrincipalArns] must hold exact role or user ARNs of the ML account ${account} (no wildcards); got '${arn}'`, this);
      }
      return arn;
    }));

    // The account as principal, narrowed to exact ARNs by `aws:PrincipalArn`: IAM refuses a trust
    // naming a role that does not exist yet, and a recreated role keeps working.
    const trust: PolicyStatement<pulumi.Input<string>> = {
      Sid: "AssumeFromNamedMlPrincipalsOnly",
      Effect: "Allow",
      Principal: { AWS: accountRootArn(partition, mlAccount) },
      Action: "sts:AssumeRole",
      Condition: { ArnEquals: { "aws:PrincipalArn": trusted } },
    };

    this.role = new aws.iam.Role(`${name}-role`, {
      name: REKOGNITION_TRAINER_ROLE_NAME,
      description: "Starts Rekognition Custom Labels training of the ML account's projects on the lakehouse training images",
      assumeRolePolicy: policyJson(policyDocument([trust])),
      maxSessionDuration: duration,
    }, { parent: this });

    const keyArn = pulumi.output(args.trainingKmsKeyArn).apply((arn) => {
      const problem = checkKey(arn);
      if (problem) throw new pulumi.ResourceError(problem, this);
      return arn;
    });
    this.policy = new aws.iam.RolePolicy(`${name}-permissions`, {
      role: this.role.name,
      name: "train-custom-labels",
      policy: policyJson(policyDocument(trainerStatements({
        mlAccountId: mlAccount,
        region: args.region,
        partition,
        projectNames: args.projectNames,
        trainingBucketName: args.trainingBucketName,
        trainingKmsKeyArn: keyArn,
      }))),
    }, { parent: this });

    this.arn = this.role.arn;
    this.roleName = this.role.name;
    this.registerOutputs({ role: this.role, policy: this.policy, arn: this.arn, roleName: this.roleName });
  }
}
