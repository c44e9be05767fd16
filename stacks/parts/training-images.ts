/**
 * Lakehouse stack: the data-lake bucket holding the training images of the Rekognition Custom
 * Labels models. Encrypted, versioned, TLS-only, public access blocked (SecureBucket), and a bucket
 * policy that grants exactly ONE principal of the ML account, its trainer role
 * (`mlz-rekognition-trainer`, components/models/rekognition-trainer-role.ts): list and read
 * `images/`, write `results/`. Nothing else of the ML account, and no service principal.
 *
 * Why the caller and not the service: Rekognition Custom Labels now reads training data and writes
 * results with the permissions of the principal that calls it (Custom Labels Developer Guide,
 * "Set up SDK permissions", https://docs.aws.amazon.com/rekognition/latest/customlabels-dg/su-sdk-permissions.html:
 * you "no longer need to give Amazon Rekognition Custom Labels permissions to access the Amazon S3
 * bucket", and may remove statements whose principal is `rekognition.amazonaws.com`). Cross-account
 * access needs both the bucket owner's grant (here) and the caller's IAM policy (the ML stack)
 * (IAM User Guide, "Cross-account policy evaluation logic"; S3 User Guide, "Bucket owner granting
 * cross-account bucket permissions").
 *
 * How the role is named: the principal is the ML account, narrowed by `ArnEquals aws:PrincipalArn`
 * to the trainer role's exact ARN and by `aws:PrincipalOrgID` to the organization (the pattern of
 * components/identity/deploy-role.ts): S3 and KMS refuse a policy whose principal is a role ARN
 * that does not exist yet, and the lakehouse stack is applied before the ML stack creates the role.
 *
 * Writes: `s3:PutObject` on `results/*` only, WITHOUT the former `s3:x-amz-acl =
 * bucket-owner-full-control` condition. The bucket's Object Ownership is BucketOwnerEnforced (S3
 * User Guide, "Controlling ownership of objects and disabling ACLs"): ACLs are disabled, the bucket
 * owner owns every object whoever writes it, and S3 refuses any PUT carrying another ACL. The
 * condition therefore protects nothing, and would refuse the writes that send no ACL header.
 *
 * Encryption: SSE-KMS with a customer-managed key created here (unless `trainingImages.kmsKeyArn`
 * names another). The AWS-managed `aws/s3` key cannot serve: its key policy is managed by AWS,
 * cannot be changed, and admits only principals of its own account. "Step 5: (Optional) Encrypt
 * training files" (https://docs.aws.amazon.com/rekognition/latest/customlabels-dg/su-encrypt-bucket.html):
 * "add the IAM principal that calls Amazon Rekognition Custom Labels to the key policy of the KMS
 * key" with `kms:GenerateDataKey` and `kms:Decrypt` (`kms:CreateGrant`/`kms:DescribeKey` concern
 * only the optional, separate key of Rekognition's own copy of the images: not this key). So the
 * key policy grants exactly the trainer role (same pattern), only through S3 in this region
 * (`kms:ViaService`).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { z } from "zod";
import type { StackContext } from "../context";
import { SecureBucket } from "../../components/storage/secure-bucket";
import { policyDocument, policyJson, type PolicyDocument, type PolicyStatement } from "../../components/iam/policy-document";
import { REKOGNITION_TRAINER_ROLE_NAME } from "../../components/naming";
import {
  TRAINING_IMAGES_KEY_ACTIONS,
  TRAINING_IMAGES_LIST_PREFIXES,
  TRAINING_IMAGES_PREFIX,
  TRAINING_BUCKET_READ_ACTIONS,
  TRAINING_IMAGES_READ_ACTIONS,
  TRAINING_RESULTS_PREFIX,
  s3ViaService,
} from "../../components/models/rekognition-trainer-role";
import { KMS_KEY_ARN, accountRootArn, roleArn, s3Arn } from "../../components/aws";

/** Alias of the training-images key this part creates (one per lakehouse account and region). */
export const TRAINING_IMAGES_KEY_ALIAS = "alias/mlz-training-images";

/** Days a scheduled deletion of the key waits (the longest KMS allows), so a mistake can be undone. */
export const TRAINING_IMAGES_KEY_DELETION_WINDOW_DAYS = 30;

/** What the ML account's trainer role may do with the key (through S3 only). */
export const TRAINING_IMAGES_KEY_USE_ACTIONS = TRAINING_IMAGES_KEY_ACTIONS;

/** Who in the ML account is granted the training images: the trainer role, named by ARN condition. */
export interface TrainerPrincipal {
  /** The ML account id. */
  mlAccountId: pulumi.Input<string>;
  /** Organization id (`aws:PrincipalOrgID`). */
  organizationId: pulumi.Input<string>;
  /** Partition of the accounts. */
  partition: string;
}

/** Principal + conditions naming exactly the trainer role (the role need not exist yet). */
function trainerGrant(t: TrainerPrincipal): Pick<PolicyStatement<pulumi.Input<string>>, "Principal" | "Condition"> & { Condition: NonNullable<PolicyStatement<pulumi.Input<string>>["Condition"]> } {
  return {
    Principal: { AWS: accountRootArn(t.partition, t.mlAccountId) },
    Condition: {
      ArnEquals: { "aws:PrincipalArn": roleArn(t.partition, t.mlAccountId, REKOGNITION_TRAINER_ROLE_NAME) },
      StringEquals: { "aws:PrincipalOrgID": t.organizationId },
    },
  };
}

/** Default physical name of the bucket in the lakehouse account `lakehouseAccountId` (the ML stack computes it the same way). */
export function defaultTrainingImagesBucketName(lakehouseAccountId: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.interpolate`mlz-training-images-${lakehouseAccountId}`;
}

/** S3 bucket names: 3–63 lower-case letters, digits, dots and hyphens, starting and ending alphanumeric. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Config keys of this part (`ml-landing-zone:<key>` in `Pulumi.<stack>.yaml`). */
export const trainingImagesConfigSchema = z.object({
  /** The training-images bucket. Defaults to all defaults below. */
  trainingImages: z.strictObject({
    /** Physical bucket name. Defaults to `mlz-training-images-<lakehouse account id>`. */
    bucketName: z.string().regex(BUCKET_NAME, { error: (i) => `expected an S3 bucket name (3–63 of a-z, 0-9, '.', '-'); got '${String(i.input)}'` }).optional(),
    /**
     * Customer-managed KMS key (key ARN) for SSE-KMS, managed elsewhere; its policy must admit the ML
     * account's trainer role as this part's key does (`trainingImagesKeyPolicy`). Defaults to a key this part creates
     * (`alias/mlz-training-images`, yearly rotation, 30-day deletion window).
     */
    kmsKeyArn: z.string().regex(KMS_KEY_ARN, { error: (i) => `expected a KMS key ARN; got '${String(i.input)}'` }).optional(),
    /** Key of the ML account in the organization's account ids. Defaults to `ml`. */
    mlAccountKey: z.string().default("ml"),
    /** Let `pulumi destroy` empty the bucket. Defaults to false. */
    forceDestroy: z.boolean().default(false),
  }).prefault({}),
});

export type TrainingImagesConfig = z.infer<typeof trainingImagesConfigSchema>;

export interface TrainingImagesOutputs {
  trainingImagesBucketName: pulumi.Output<string>;
  trainingImagesBucketArn: pulumi.Output<string>;
  /** ARN of the bucket's SSE-KMS key (the created key, or `trainingImages.kmsKeyArn`). */
  trainingImagesKmsKeyArn: pulumi.Output<string>;
  /** The one ML-account role the bucket and key policies grant (`mlz-rekognition-trainer`). */
  trainingImagesTrainerRoleArn: pulumi.Output<string>;
}

/**
 * Key policy of the training-images key: the lakehouse account administers it (its root, so IAM
 * policies in the account decide who may manage it, and the key can never become unmanageable);
 * the ML account's trainer role, and no other principal of another account, may use it, only
 * through S3 in `region`.
 */
export function trainingImagesKeyPolicy(
  lakehouseAccountId: pulumi.Input<string>,
  trainer: TrainerPrincipal,
  region: string,
): PolicyDocument<pulumi.Input<string>> {
  const grant = trainerGrant(trainer);
  const statements: PolicyStatement<pulumi.Input<string>>[] = [
    {
      Sid: "AccountAdministersTheKey",
      Effect: "Allow",
      Principal: { AWS: accountRootArn(trainer.partition, lakehouseAccountId) },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "TrainerRoleUsesTheKeyThroughS3",
      Effect: "Allow",
      Principal: grant.Principal,
      Action: TRAINING_IMAGES_KEY_USE_ACTIONS,
      Resource: "*",
      Condition: {
        ...grant.Condition,
        StringEquals: { ...grant.Condition.StringEquals, "kms:ViaService": s3ViaService(region, trainer.partition) },
      },
    },
  ];
  return policyDocument(statements);
}

/**
 * Bucket-policy statements granting the ML account's trainer role (exact ARN, same organization):
 * list `images/`, locate the bucket, read `images/*`, write `results/*`.
 */
export function trainerBucketStatements(
  bucketArn: pulumi.Input<string>,
  trainer: TrainerPrincipal,
): PolicyStatement<pulumi.Input<string>>[] {
  const grant = () => trainerGrant(trainer);
  return [
    {
      Sid: "TrainerListsTrainingImages",
      Effect: "Allow",
      ...grant(),
      Action: "s3:ListBucket",
      Resource: bucketArn,
      Condition: { ...grant().Condition, StringLike: { "s3:prefix": TRAINING_IMAGES_LIST_PREFIXES } },
    },
    {
      Sid: "TrainerLocatesTheBucket",
      Effect: "Allow",
      ...grant(),
      Action: TRAINING_BUCKET_READ_ACTIONS,
      Resource: bucketArn,
    },
    {
      Sid: "TrainerReadsTrainingImages",
      Effect: "Allow",
      ...grant(),
      Action: TRAINING_IMAGES_READ_ACTIONS,
      Resource: pulumi.interpolate`${bucketArn}/${TRAINING_IMAGES_PREFIX}*`,
    },
    {
      Sid: "TrainerWritesResults",
      Effect: "Allow",
      ...grant(),
      Action: "s3:PutObject",
      Resource: pulumi.interpolate`${bucketArn}/${TRAINING_RESULTS_PREFIX}*`,
    },
  ];
}

/** Declares the training-images bucket in the lakehouse account. */
export function declareTrainingImages(ctx: StackContext, cfg: TrainingImagesConfig): TrainingImagesOutputs {
  const c = cfg.trainingImages;
  const key = c.mlAccountKey;
  const mlAccountId = ctx.accountIds.apply((ids) => {
    const id = ids?.[key];
    if (!id) {
      throw new Error(`${ctx.stack}: ml-landing-zone:trainingImages.mlAccountKey names '${key}', but the organization has no such account; it has: ${Object.keys(ids ?? {}).sort().join(", ") || "none"}`);
    }
    return id;
  });
  // The statements need the bucket ARN, known only from the bucket's name: build it from the name
  // so the policy can be passed to the component that creates the bucket.
  const bucketName: pulumi.Input<string> = c.bucketName ?? defaultTrainingImagesBucketName(ctx.accountId);
  const bucketArn = pulumi.output(s3Arn(ctx.partition, bucketName));
  const opts = { provider: ctx.provider };
  const trainer: TrainerPrincipal = { mlAccountId, organizationId: ctx.organizationId, partition: ctx.partition };

  let kmsKeyArn: pulumi.Output<string>;
  if (c.kmsKeyArn !== undefined) {
    kmsKeyArn = pulumi.output(c.kmsKeyArn);
  } else {
    const key = new aws.kms.Key("training-images-key", {
      description: "SSE-KMS key of the Rekognition training-images bucket; usable by the ML account's trainer role through S3",
      enableKeyRotation: true,
      deletionWindowInDays: TRAINING_IMAGES_KEY_DELETION_WINDOW_DAYS,
      policy: policyJson(trainingImagesKeyPolicy(ctx.accountId, trainer, ctx.region)),
      tags: { purpose: "rekognition-training-images" },
    }, opts);
    new aws.kms.Alias("training-images-key-alias", { name: TRAINING_IMAGES_KEY_ALIAS, targetKeyId: key.keyId }, opts);
    kmsKeyArn = key.arn;
  }

  const bucket = new SecureBucket("training-images", {
    bucketName,
    versioning: true,
    kmsKeyArn,
    forceDestroy: c.forceDestroy,
    policyStatements: trainerBucketStatements(bucketArn, trainer),
    tags: { purpose: "rekognition-training-images" },
  }, opts);
  return {
    trainingImagesBucketName: bucket.bucketName,
    trainingImagesBucketArn: bucket.arn,
    trainingImagesKmsKeyArn: kmsKeyArn,
    trainingImagesTrainerRoleArn: pulumi.output(roleArn(ctx.partition, mlAccountId, REKOGNITION_TRAINER_ROLE_NAME)),
  };
}
