/**
 * Lakehouse stack: the data-lake bucket holding the training images of the Rekognition Custom
 * Labels models. Encrypted, versioned, TLS-only, public access blocked (SecureBucket), and a bucket
 * policy that lets the Rekognition service read the bucket and objects and write its results with
 * `bucket-owner-full-control`, only on behalf of the ML account (`aws:SourceAccount`), so no other
 * account can use the service as a confused deputy.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { StackContext } from "../context";
import { SecureBucket } from "../../components/storage/secure-bucket";
import type { PolicyStatement } from "../../components/iam/policy-document";

/** S3 bucket names: 3–63 lower-case letters, digits, dots and hyphens, starting and ending alphanumeric. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Config keys of this part (`ml-landing-zone:<key>` in `Pulumi.<stack>.yaml`). */
export const trainingImagesConfigSchema = z.object({
  /** The training-images bucket. Defaults to all defaults below. */
  trainingImages: z.strictObject({
    /** Physical bucket name. Defaults to `mlz-training-images-<lakehouse account id>`. */
    bucketName: z.string().regex(BUCKET_NAME, { error: (i) => `expected an S3 bucket name (3–63 of a-z, 0-9, '.', '-'); got '${String(i.input)}'` }).optional(),
    /** Customer-managed KMS key for SSE-KMS. Defaults to the AWS-managed `aws/s3` key (see SecureBucket). */
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
  const bucket = new SecureBucket("training-images", {
    bucketName,
    versioning: true,
    kmsKeyArn: c.kmsKeyArn,
    forceDestroy: c.forceDestroy,
    policyStatements: rekognitionBucketStatements(bucketArn, mlAccountId),
    tags: { purpose: "rekognition-training-images" },
  }, { provider: ctx.provider });
  return { trainingImagesBucketName: bucket.bucketName, trainingImagesBucketArn: bucket.arn };
}
