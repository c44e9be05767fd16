/**
 * Field schemas shared by the stack config schema (`config.ts`) and the stack parts' schemas.
 * Kept apart from config.ts so that parts can use them while config.ts composes the parts.
 */
import { z } from "zod";
import { parseModelVersionArn } from "../components/models/arns";
import { isAwsRegion } from "./regions";

const KEBAB = /^[a-z][a-z0-9-]{0,62}$/;
export const kebabName = (what: string) =>
  z.string({ error: `expected ${what} (lowercase letters, digits and '-', starting with a letter)` })
    .regex(KEBAB, { error: (i) => `expected ${what} (lowercase letters, digits and '-', starting with a letter); got '${String(i.input)}'` });

export const accountId = z.string({ error: "expected a 12-digit AWS account id in quotes" })
  .regex(/^\d{12}$/, { error: (i) => `expected a 12-digit AWS account id; got '${String(i.input)}'` });

export const email = z.email({ error: (i) => `expected an e-mail address; got '${String(i.input)}'` });

export const region = z.string({ error: "expected an AWS region such as 'us-east-1'" })
  .refine(isAwsRegion, { error: (i) => `expected an AWS region such as 'us-east-1'; got '${String(i.input)}'` });

/** `<organization>/<project>/<stack>` as `pulumi.StackReference` takes it. */
export const stackReferenceName = z.string({ error: "expected a stack reference '<organization>/ml-landing-zone/<stack>'" })
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, {
    error: (i) => `expected a stack reference '<organization>/ml-landing-zone/<stack>'; got '${String(i.input)}'`,
  });

/** Top-level numbers and booleans arrive as strings from Pulumi config. */
export const intFromConfig = (min: number, max: number) =>
  z.union([z.number(), z.string().regex(/^-?\d+$/).transform(Number)], { error: `expected a whole number from ${min} to ${max}` })
    .pipe(z.number().int().min(min, { error: `expected a whole number from ${min} to ${max}` }).max(max, { error: `expected a whole number from ${min} to ${max}` }));

export const modelKind = z.enum(["rekognition", "sagemaker", "comprehend"], { error: (i) => `expected 'rekognition', 'sagemaker' or 'comprehend'; got '${String(i.input)}'` });

/** A model as the ML account hosts it (`models` in the ml stack). */
export const hostedModel = z.strictObject({
  /** Which service trains and serves the model. */
  kind: modelKind,
  /** Rekognition: inference units each running version keeps. Defaults to 1. */
  minInferenceUnits: z.number().int().min(1).max(100).default(1),
  /** Rekognition: upper bound for auto-scaling of inference units. Defaults to none. */
  maxInferenceUnits: z.number().int().min(1).max(100).optional(),
  /**
   * SageMaker: instance type of the endpoint serving each version an environment references.
   * Defaults to `ml.m5.xlarge`.
   */
  instanceType: z.string().regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/, { error: (i) => `expected a SageMaker instance type such as 'ml.m5.xlarge'; got '${String(i.input)}'` }).optional(),
  /** SageMaker: instances of the endpoint serving each version an environment references (1–10). Defaults to 1. */
  instanceCount: z.number().int().min(1).max(10).optional(),
  /** Human description. */
  description: z.string().optional(),
}).superRefine((m, ctx) => {
  if (m.kind !== "sagemaker") {
    for (const key of ["instanceType", "instanceCount"] as const) {
      if (m[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: `only sagemaker models have endpoints; remove ${key} or set kind: sagemaker` });
    }
  }
});

/** A model as a consumer environment uses it (`models` in qa and prod): the version in use. */
export const consumedModel = z.strictObject({
  kind: modelKind,
  /** The model version this environment calls; what a promotion changes. */
  versionArn: z.string({ error: "expected a model-version ARN" }),
  /** Minimum F1 score a version must have to be promoted here. Defaults to no minimum. */
  minF1: z.number().min(0).max(1).optional(),
}).superRefine((m, ctx) => {
  try {
    parseModelVersionArn(m.versionArn, m.kind);
  } catch (e) {
    ctx.addIssue({ code: "custom", path: ["versionArn"], message: (e as Error).message });
  }
});

