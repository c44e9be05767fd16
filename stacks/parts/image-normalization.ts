/**
 * Lakehouse stack: image normalization for training (components/pipelines/images). Off unless
 * `imageNormalization` is set. The training roles (exact ARNs, any account of the organization)
 * read 256 × 256 grayscale JPEGs either through an S3 Object Lambda access point
 * (`mode: object-lambda`, only for accounts that already used S3 Object Lambda: AWS closed it to
 * new accounts in November 2025) or as copies kept under the derived prefix (`mode: on-upload`).
 * Their own accounts must also allow them the reads in IAM (the ML stack's roles).
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { StackContext } from "../context";
import { ImageNormalization, IMAGE_NORMALIZATION_DEFAULTS } from "../../components/pipelines/images/image-normalization";
import { MODES, validateNormalizationSettings } from "../../components/pipelines/images/policies";
import { IAM_ROLE_ARN } from "../../components/aws";

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const d = IMAGE_NORMALIZATION_DEFAULTS;

/** Config keys of this part (`ml-landing-zone:<key>` in `Pulumi.<stack>.yaml`). */
export const imageNormalizationConfigSchema = z.object({
  /** Image normalization for training. Defaults to off. */
  imageNormalization: z.strictObject({
    /** `object-lambda` (just-in-time view) or `on-upload` (derived copies). */
    mode: z.enum(MODES, { error: (i) => `expected one of ${MODES.join(", ")}; got '${String(i.input)}'` }),
    /** Exact IAM role ARNs that read the normalized images. */
    trainingRoleArns: z.array(
      z.string().regex(IAM_ROLE_ARN, { error: (i) => `expected an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>); got '${String(i.input)}'` }),
    ).min(1, { error: "expected at least one IAM role ARN" }),
    /** Physical name of the raw-images bucket. Defaults to `mlz-raw-images-<lakehouse account id>`. */
    bucketName: z.string().regex(BUCKET_NAME, { error: (i) => `expected an S3 bucket name (3–63 of a-z, 0-9, '.', '-'); got '${String(i.input)}'` }).optional(),
    /** Prefix of the raw images. Defaults to `raw/`. */
    rawPrefix: z.string().default(d.rawPrefix),
    /** Prefix of the normalized copies (on-upload). Defaults to `normalized/`. */
    derivedPrefix: z.string().default(d.derivedPrefix),
    /** Supporting access point name (object-lambda). Defaults to `mlz-raw-images`. */
    accessPointName: z.string().default(d.accessPointName),
    /** Object Lambda access point name (object-lambda). Defaults to `mlz-normalized-images`. */
    objectLambdaAccessPointName: z.string().default(d.objectLambdaAccessPointName),
    /** Function memory in MB. Defaults to 1024. */
    memoryMb: z.number().int().min(128).max(10240).default(d.memoryMb),
    /** Function timeout in seconds (at most 60 for object-lambda). Defaults to 30. */
    timeoutSeconds: z.number().int().min(1).max(900).default(d.timeoutSeconds),
    /** Function architecture. Defaults to `arm64`. */
    architecture: z.enum(["arm64", "x86_64"]).default(d.architecture),
    /** Largest object normalized, in bytes. Defaults to 52428800 (50 MiB). */
    maxInputBytes: z.number().int().min(1).default(d.maxInputBytes),
    /** Largest image normalized, in pixels. Defaults to 40000000. */
    maxInputPixels: z.number().int().min(1).default(d.maxInputPixels),
    /** Let `pulumi destroy` empty the bucket. Defaults to false. */
    forceDestroy: z.boolean().default(false),
  }).superRefine((c, ctx) => {
    // The component's own checks (prefix overlap, names, the 60 s Object Lambda timeout), here so a
    // bad config fails before any resource is declared. (Fields already refused above are not repeated.)
    if (!MODES.includes(c.mode) || !c.trainingRoleArns.every((a) => IAM_ROLE_ARN.test(a))) return;
    try {
      validateNormalizationSettings(c);
    } catch (e) {
      const key = /^\[(\w+)\]/.exec((e as Error).message)?.[1];
      ctx.addIssue({ code: "custom", path: key ? [key] : [], message: (e as Error).message.replace(/^\[\w+\] /, "") });
    }
  }).optional(),
});

export type ImageNormalizationConfig = z.infer<typeof imageNormalizationConfigSchema>;

export interface ImageNormalizationOutputs {
  imageNormalizationBucketName?: pulumi.Output<string>;
  /** Object Lambda access point ARN (object-lambda) or `s3://<bucket>/<derived prefix>` (on-upload). */
  imageNormalizationReadLocation?: pulumi.Output<string>;
  /** The training roles, as configured (the ML stack attaches the reader policy to those it declares). */
  imageNormalizationTrainingRoleArns?: string[];
  /** The IAM policy (JSON) each training role's own account must allow it. */
  imageNormalizationTrainingRolePolicy?: pulumi.Output<string>;
}

/** Default physical name of the raw-images bucket in the lakehouse account. */
export function defaultRawImagesBucketName(accountId: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.interpolate`mlz-raw-images-${accountId}`;
}

/** Declares the image normalization when configured; nothing otherwise. */
export function declareImageNormalization(ctx: StackContext, cfg: ImageNormalizationConfig): ImageNormalizationOutputs {
  const c = cfg.imageNormalization;
  if (!c) return {};
  const component = new ImageNormalization("image-normalization", {
    mode: c.mode,
    bucketName: c.bucketName ?? defaultRawImagesBucketName(ctx.accountId),
    trainingRoleArns: c.trainingRoleArns,
    accountId: ctx.accountId,
    organizationId: ctx.organizationId,
    region: ctx.region,
    partition: ctx.partition,
    rawPrefix: c.rawPrefix,
    derivedPrefix: c.derivedPrefix,
    accessPointName: c.accessPointName,
    objectLambdaAccessPointName: c.objectLambdaAccessPointName,
    memoryMb: c.memoryMb,
    timeoutSeconds: c.timeoutSeconds,
    architecture: c.architecture,
    maxInputBytes: c.maxInputBytes,
    maxInputPixels: c.maxInputPixels,
    forceDestroy: c.forceDestroy,
    tags: { purpose: "image-normalization" },
  }, { provider: ctx.provider });
  return {
    imageNormalizationBucketName: component.bucketName,
    imageNormalizationReadLocation: component.readLocation,
    imageNormalizationTrainingRoleArns: [...c.trainingRoleArns],
    imageNormalizationTrainingRolePolicy: component.trainingRolePolicy,
  };
}
