/**
 * ML stack: the IAM side of reading the lakehouse's normalized images (stacks/parts/image-normalization.ts).
 * The lakehouse's resource policies (bucket or access points, key, Lambda permission) name the
 * training roles; cross-account access also needs each role's OWN account to allow the same actions
 * in IAM. The lakehouse publishes that document (`imageNormalizationTrainingRolePolicy`, built with
 * the resource policies from the same resources); this part declares it as the customer managed
 * policy `mlz-normalized-images-reader` in the ML account and attaches it to the training role this
 * stack declares (`mlz-rekognition-trainer`, present with Rekognition models). Training roles this
 * project does not declare get nothing here: their owners attach the same document (the policy's
 * ARN is an output; the offline plan's cross-stack check `normalized-image-readers` lists them).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { z } from "zod";
import type { StackContext } from "../context";
import { stackReferenceName } from "../fields";
import { IAM_ROLE_ARN } from "../../components/aws";

/** Name of the managed policy in the ML account. */
export const NORMALIZED_IMAGES_READER_POLICY = "mlz-normalized-images-reader";

/** Config keys of this part (`ml-landing-zone:<key>` in `Pulumi.<stack>.yaml`). */
export const normalizedImagesConfigSchema = z.object({
  /** Read the lakehouse's normalized images (its `imageNormalization`). Defaults to off. */
  normalizedImages: z.strictObject({
    /** Stack reference to the lakehouse stack that normalizes the images. */
    lakehouseStack: stackReferenceName,
  }).optional(),
});

export type NormalizedImagesConfig = z.infer<typeof normalizedImagesConfigSchema>;

export interface NormalizedImagesOutputs {
  /** ARN of `mlz-normalized-images-reader` (attach it to any other training role of this account). */
  normalizedImagesReaderPolicyArn?: pulumi.Output<string>;
}

/** The role name of an IAM role ARN (the last path segment). */
export function roleNameOf(roleArn: string): string {
  const m = IAM_ROLE_ARN.exec(roleArn);
  if (!m) throw new Error(`expected an IAM role ARN; got '${roleArn}'`);
  return m[3].split("/").pop()!;
}

/**
 * Declares the reader policy from the lakehouse's output and attaches it to `trainerRoleArn` (the
 * ML stack's own training role) when given; nothing without `normalizedImages`.
 */
export function declareNormalizedImageReaders(
  ctx: StackContext,
  cfg: NormalizedImagesConfig,
  trainerRoleArn: pulumi.Output<string> | undefined,
): NormalizedImagesOutputs {
  const c = cfg.normalizedImages;
  if (!c) return {};
  const lakehouse = new pulumi.StackReference("lakehouse-normalized-images", { name: c.lakehouseStack });
  const document = lakehouse.requireOutput("imageNormalizationTrainingRolePolicy") as pulumi.Output<string>;
  const policy = new aws.iam.Policy("normalized-images-reader", {
    name: NORMALIZED_IMAGES_READER_POLICY,
    description: "Read the lakehouse's normalized training images (the lakehouse stack's imageNormalizationTrainingRolePolicy)",
    policy: document,
  }, { provider: ctx.provider });
  if (trainerRoleArn) {
    new aws.iam.RolePolicyAttachment("normalized-images-reader-trainer", {
      role: trainerRoleArn.apply(roleNameOf),
      policyArn: policy.arn,
    }, { provider: ctx.provider });
  }
  return { normalizedImagesReaderPolicyArn: policy.arn };
}
