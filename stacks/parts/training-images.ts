/**
 * Lakehouse stack: the data-lake bucket holding the training images of the Rekognition Custom
 * Labels models. Encrypted, versioned, TLS-only, public access blocked (SecureBucket), and a bucket
 * policy that lets the Rekognition service read the bucket and objects and write its results with
 * `bucket-owner-full-control`, only on behalf of the ML account (`aws:SourceAccount`), so no other
 * account can use the service as a confused deputy.
 *
 * Encryption: SSE-KMS with a customer-managed key created here (unless `trainingImages.kmsKeyArn`
 * names another). The AWS-managed `aws/s3` key cannot serve: its key policy is managed by AWS, cannot
 * be changed, and admits only principals of its own account, so Rekognition Custom Labels training
 * run from the ML account could not decrypt the images. AWS documents what the key must allow:
 * - Rekognition Custom Labels Developer Guide, "Step 5: (Optional) Encrypt training files"
 *   (https://docs.aws.amazon.com/rekognition/latest/customlabels-dg/su-encrypt-bucket.html): "add
 *   the IAM principal that calls Amazon Rekognition Custom Labels to the key policy of the KMS key",
 *   with `kms:GenerateDataKey` and `kms:Decrypt` (and, in "Training an Amazon Rekognition Custom
 *   Labels model", `kms:CreateGrant` and `kms:DescribeKey` only for the separate, optional key that
 *   encrypts Rekognition's own copy of the images: not this key).
 * - AWS KMS Developer Guide, "Change a key policy" (key-policy-modifying.html): only a customer
 *   managed key's policy can be changed; an external account in a key policy must also grant its
 *   principals the key in their IAM policies (the ML account's caller role, ML side).
 * So the key policy lets the ML account use the key only through S3 in this region
 * (`kms:ViaService`, `kms:CallerAccount`), and lets the Rekognition service use it only on behalf of
 * the ML account (`aws:SourceAccount`), matching the bucket policy's service statements.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { z } from "zod";
import type { StackContext } from "../context";
import { SecureBucket } from "../../components/storage/secure-bucket";
import { policyDocument, policyJson, type PolicyDocument, type PolicyStatement } from "../../components/iam/policy-document";

/** Alias of the training-images key this part creates (one per lakehouse account and region). */
export const TRAINING_IMAGES_KEY_ALIAS = "alias/mlz-training-images";

/** Days a scheduled deletion of the key waits (the longest KMS allows), so a mistake can be undone. */
export const TRAINING_IMAGES_KEY_DELETION_WINDOW_DAYS = 30;

/** What the ML account (through S3) and Rekognition (for the ML account) may do with the key. */
export const TRAINING_IMAGES_KEY_USE_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"];

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
     * account and Rekognition as this part's key does. Defaults to a key this part creates
     * (`alias/mlz-training-images`, yearly rotation, 30-day deletion window).
     */
    kmsKeyArn: z.string().regex(/^arn:[^:]+:kms:[^:]+:\d{12}:key\/.+$/, { error: (i) => `expected a KMS key ARN; got '${String(i.input)}'` }).optional(),
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
}

/**
 * Key policy of the training-images key: the lakehouse account administers it (its root, so IAM
 * policies in the account decide who may manage it, and the key can never become unmanageable);
 * the ML account may use it only through S3 in `region`; Rekognition may use it only for the ML
 * account.
 */
export function trainingImagesKeyPolicy(
  lakehouseAccountId: pulumi.Input<string>,
  mlAccountId: pulumi.Input<string>,
  region: string,
  partition: string,
): PolicyDocument<pulumi.Input<string>> {
  const dnsSuffix = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  const statements: PolicyStatement<pulumi.Input<string>>[] = [
    {
      Sid: "AccountAdministersTheKey",
      Effect: "Allow",
      Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${lakehouseAccountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "MlAccountUsesTheKeyThroughS3",
      Effect: "Allow",
      Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${mlAccountId}:root` },
      Action: TRAINING_IMAGES_KEY_USE_ACTIONS,
      Resource: "*",
      Condition: { StringEquals: { "kms:ViaService": `s3.${region}.${dnsSuffix}`, "kms:CallerAccount": mlAccountId } },
    },
    {
      Sid: "RekognitionUsesTheKeyForTheMlAccount",
      Effect: "Allow",
      Principal: { Service: "rekognition.amazonaws.com" },
      Action: TRAINING_IMAGES_KEY_USE_ACTIONS,
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": mlAccountId } },
    },
  ];
  return policyDocument(statements);
}

/**
 * Bucket-policy statements letting Rekognition Custom Labels, acting for `mlAccountId` only, read
 * training images and write results (objects owned by the bucket owner).
 */
export function rekognitionBucketStatements(
  bucketArn: pulumi.Input<string>,
  mlAccountId: pulumi.Input<string>,
): PolicyStatement<pulumi.Input<string>>[] {
  const principal = { Service: "rekognition.amazonaws.com" };
  const objects = pulumi.interpolate`${bucketArn}/*`;
  return [
    {
      Sid: "RekognitionReadBucket",
      Effect: "Allow",
      Principal: principal,
      Action: ["s3:GetBucketAcl", "s3:GetBucketLocation"],
      Resource: bucketArn,
      Condition: { StringEquals: { "aws:SourceAccount": mlAccountId } },
    },
    {
      Sid: "RekognitionReadObjects",
      Effect: "Allow",
      Principal: principal,
      Action: ["s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion", "s3:GetObjectTagging"],
      Resource: objects,
      Condition: { StringEquals: { "aws:SourceAccount": mlAccountId } },
    },
    {
      Sid: "RekognitionWriteResults",
      Effect: "Allow",
      Principal: principal,
      Action: "s3:PutObject",
      Resource: objects,
      Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": mlAccountId } },
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
  const bucketName: pulumi.Input<string> = c.bucketName ?? pulumi.interpolate`mlz-training-images-${ctx.accountId}`;
  const bucketArn = pulumi.interpolate`arn:${ctx.partition}:s3:::${bucketName}`;
  const opts = { provider: ctx.provider };

  let kmsKeyArn: pulumi.Output<string>;
  if (c.kmsKeyArn !== undefined) {
    kmsKeyArn = pulumi.output(c.kmsKeyArn);
  } else {
    const key = new aws.kms.Key("training-images-key", {
      description: "SSE-KMS key of the Rekognition training-images bucket; usable by the ML account through S3 and by Rekognition for it",
      enableKeyRotation: true,
      deletionWindowInDays: TRAINING_IMAGES_KEY_DELETION_WINDOW_DAYS,
      policy: policyJson(trainingImagesKeyPolicy(ctx.accountId, mlAccountId, ctx.region, ctx.partition)),
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
    policyStatements: rekognitionBucketStatements(bucketArn, mlAccountId),
    tags: { purpose: "rekognition-training-images" },
  }, opts);
  return { trainingImagesBucketName: bucket.bucketName, trainingImagesBucketArn: bucket.arn, trainingImagesKmsKeyArn: kmsKeyArn };
}
