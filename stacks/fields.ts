/**
 * Field schemas shared by the stack config schema (`config.ts`) and the stack parts' schemas.
 * Kept apart from config.ts so that parts can use them while config.ts composes the parts.
 */
import { z } from "zod";
import { REKOGNITION_PROJECT_ARN, parseModelVersionArn } from "../components/models/arns";
import { ACCOUNT_ID, DEFAULT_SESSION_SECONDS, IAM_ROLE_NAME, MAX_SESSION_SECONDS, MIN_SESSION_SECONDS, isAwsRegion } from "../components/aws";

const KEBAB = /^[a-z][a-z0-9-]{0,62}$/;
export const kebabName = (what: string) =>
  z.string({ error: `expected ${what} (lowercase letters, digits and '-', starting with a letter)` })
    .regex(KEBAB, { error: (i) => `expected ${what} (lowercase letters, digits and '-', starting with a letter); got '${String(i.input)}'` });

export const accountId = z.string({ error: "expected a 12-digit AWS account id in quotes" })
  .regex(ACCOUNT_ID, { error: (i) => `expected a 12-digit AWS account id; got '${String(i.input)}'` });

/** An IAM role name (the same pattern the components check). */
export const iamRoleName = z.string({ error: "expected an IAM role name" })
  .regex(IAM_ROLE_NAME, { error: (i) => `expected an IAM role name (1-64 of letters, digits and +=,.@_-); got '${String(i.input)}'` });

/** An IAM role's maximum session in seconds (900–43200), default 3600, as the components check it. */
export const sessionDurationSeconds = z.number().int().min(MIN_SESSION_SECONDS).max(MAX_SESSION_SECONDS).default(DEFAULT_SESSION_SECONDS);

export const email = z.email({ error: (i) => `expected an e-mail address; got '${String(i.input)}'` });

export const region = z.string({ error: "expected an AWS region such as 'us-east-1'" })
  .refine(isAwsRegion, { error: (i) => `expected an AWS region such as 'us-east-1'; got '${String(i.input)}'` });

/** `<organization>/<project>/<stack>` as `pulumi.StackReference` takes it. */
export const stackReferenceName = z.string({ error: "expected a stack reference '<organization>/ml-landing-zone/<stack>'" })
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, {
    error: (i) => `expected a stack reference '<organization>/ml-landing-zone/<stack>'; got '${String(i.input)}'`,
  });

/**
 * The Pulumi backend the stacks' state lives in, which decides the form of stack references:
 * `diy` (a self-managed backend such as the S3 bucket of the workflows' `PULUMI_BACKEND_URL`) names
 * every stack `organization/<project>/<stack>` and rejects any other organization; `cloud` (Pulumi
 * Cloud) names it `<your organization>/<project>/<stack>`.
 */
export const STATE_BACKENDS = ["diy", "cloud"] as const;
export type StateBackend = (typeof STATE_BACKENDS)[number];
export const stateBackend = z.enum(STATE_BACKENDS, { error: (i) => `expected 'diy' (the S3 backend the workflows use) or 'cloud' (Pulumi Cloud); got '${String(i.input)}'` });
/** The organization segment every stack reference has on a DIY backend. */
export const DIY_ORGANIZATION = "organization";

/**
 * Why `reference` does not fit `backend` and `project` (undefined when it does): on a DIY backend
 * the organization must be `organization`; on Pulumi Cloud it must be your organization, never the
 * DIY placeholder; the project must be this project.
 */
export function stackReferenceMismatch(reference: string, backend: StateBackend, project: string): string | undefined {
  const [org, refProject, stack] = reference.split("/");
  if (refProject !== project) return `expected a stack of project '${project}' ('<organization>/${project}/<stack>'); got '${reference}'`;
  if (backend === "diy" && org !== DIY_ORGANIZATION) {
    return `expected '${DIY_ORGANIZATION}/${project}/${stack}': the DIY (S3) backend of stateBackend 'diy' names every stack '${DIY_ORGANIZATION}/<project>/<stack>' and rejects the organization '${org}'`;
  }
  if (backend === "cloud" && org === DIY_ORGANIZATION) {
    return `expected '<your Pulumi Cloud organization>/${project}/${stack}': '${DIY_ORGANIZATION}/…' is the DIY backend's form, and stateBackend is 'cloud'`;
  }
  return undefined;
}

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
  /**
   * SageMaker: model versions (model ARNs) that exist in the ML account although this stack declares
   * none of them (created by an earlier training run, whose models are retained, or by hand). The
   * hosting part serves a version an environment references only when it is listed here: it reads
   * the model (`aws.sagemaker.Model.get`), so a missing one fails the deploy naming it. Defaults to none.
   */
  existingVersions: z.array(z.string().superRefine((arn, ctx) => {
    try {
      parseModelVersionArn(arn, "sagemaker");
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
    }
  })).optional(),
  /**
   * Rekognition: ARN of the model's existing project (`arn:aws:rekognition:<region>:<account>:
   * project/<model>/<timestamp>`), adopted (imported) instead of created: CreateProject fails for
   * a project that exists. Defaults to creating the project.
   */
  projectArn: z.string().regex(REKOGNITION_PROJECT_ARN, {
    error: (i) => `expected a Rekognition project ARN (arn:aws:rekognition:<region>:<account>:project/<name>/<timestamp>); got '${String(i.input)}'`,
  }).optional(),
  /** Human description. */
  description: z.string().optional(),
}).superRefine((m, ctx) => {
  if (m.kind !== "rekognition" && m.projectArn !== undefined) {
    ctx.addIssue({ code: "custom", path: ["projectArn"], message: "only rekognition models have projects; remove projectArn or set kind: rekognition" });
  }
  if (m.kind !== "sagemaker") {
    for (const key of ["instanceType", "instanceCount", "existingVersions"] as const) {
      if (m[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: `only sagemaker models have endpoints; remove ${key} or set kind: sagemaker` });
    }
  }
});

/** A map of model name → settings (`models` of the ml and workload stacks). */
export const modelsMap = <T extends z.ZodType>(model: T) =>
  z.record(kebabName("a model name"), model, { error: "expected a map of model name → settings" });

/** A consumer environment of the ML stack (`consumers.<stack>`). */
export const consumerEnvironment = z.strictObject({
  /** Stack reference to the consumer's stack (its live `modelVersionArns` and endpoint ids). */
  stack: stackReferenceName,
  /** Calls must come through the consumer's VPC endpoint (`aws:SourceVpce`). Defaults to false. */
  requireVpcEndpoint: z.boolean().default(false),
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

