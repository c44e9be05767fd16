/**
 * Online promotion checks: the version exists, trained successfully, and its evaluation score (F1)
 * meets the target stack's `minF1` and is not below the version it replaces.
 *
 * - Rekognition Custom Labels: `DescribeProjects` (project name → project ARN), then
 *   `DescribeProjectVersions` for the version name; status must be TRAINING_COMPLETED, RUNNING or
 *   STOPPED; F1 is `EvaluationResult.F1Score`.
 * - SageMaker: `DescribeModel` (the model exists) and `ListTags` on the model ARN; F1 is the value
 *   of the tag `mlz:f1` (written by the model's evaluation), a number from 0 to 1.
 *
 * Clients are created per region from the ARN with the default credential chain.
 */
import {
  DescribeProjectsCommand,
  DescribeProjectVersionsCommand,
  RekognitionClient,
} from "@aws-sdk/client-rekognition";
import { DescribeModelCommand, ListTagsCommand, SageMakerClient } from "@aws-sdk/client-sagemaker";
import { ComprehendClient, DescribeEntityRecognizerCommand } from "@aws-sdk/client-comprehend";
import { parseModelVersionArn, type ModelKind } from "../components/models/arns";
import { PromotionError, type PlannedPromotion } from "./rules";

/** Rekognition project-version statuses a promotion accepts. */
export const ACCEPTED_REKOGNITION_STATUSES = ["TRAINING_COMPLETED", "RUNNING", "STOPPED"] as const;
/** Tag on a SageMaker model holding its evaluation F1 score. */
export const SAGEMAKER_F1_TAG = "mlz:f1";
/** The Comprehend recognizer status a promoted version must have. */
export const ACCEPTED_COMPREHEND_STATUS = "TRAINED";

export interface VersionMetrics {
  readonly arn: string;
  /** Rekognition status, or `EXISTS` for a SageMaker model. `NOT_FOUND` when AWS does not know it. */
  readonly status: string;
  readonly statusMessage?: string;
  /** Evaluation F1 score, when known. */
  readonly f1?: number;
}

export interface MetricsReport {
  readonly candidate: VersionMetrics;
  readonly replaced: VersionMetrics;
  readonly minF1?: number;
  /** Notes for the pull request (e.g. why a comparison was skipped). */
  readonly notes: string[];
}

/** Reads a version's status and F1 from AWS. */
export type DescribeVersion = (arn: string, kind: ModelKind) => Promise<VersionMetrics>;

/** Runs the online checks; returns the metrics for the pull request or throws `PromotionError`. */
export async function checkOnline(p: PlannedPromotion, describe: DescribeVersion = describeVersion): Promise<MetricsReport> {
  const candidate = await describe(p.newArn, p.kind);
  if (candidate.status === "NOT_FOUND") {
    throw new PromotionError(`version ${p.newArn} of model '${p.model}' does not exist${candidate.statusMessage ? `: ${candidate.statusMessage}` : ""}`);
  }
  if (p.kind === "rekognition" && !(ACCEPTED_REKOGNITION_STATUSES as readonly string[]).includes(candidate.status)) {
    throw new PromotionError(
      `version ${p.newArn} has status ${candidate.status}${candidate.statusMessage ? ` (${candidate.statusMessage})` : ""}; expected one of ${ACCEPTED_REKOGNITION_STATUSES.join(", ")}`,
    );
  }
  if (p.kind === "comprehend" && candidate.status !== ACCEPTED_COMPREHEND_STATUS) {
    throw new PromotionError(
      `recognizer version ${p.newArn} has status ${candidate.status}${candidate.statusMessage ? ` (${candidate.statusMessage})` : ""}; expected ${ACCEPTED_COMPREHEND_STATUS}`,
    );
  }
  if (candidate.f1 === undefined) {
    throw new PromotionError(
      p.kind === "rekognition"
        ? `version ${p.newArn} has no evaluation F1 score (EvaluationResult.F1Score)`
        : p.kind === "comprehend"
          ? `recognizer version ${p.newArn} has no evaluation F1 score (RecognizerMetadata.EvaluationMetrics.F1Score)`
          : `SageMaker model ${p.newArn} has no '${SAGEMAKER_F1_TAG}' tag with its evaluation F1 score`,
    );
  }
  if (p.minF1 !== undefined && candidate.f1 < p.minF1) {
    throw new PromotionError(
      `version ${p.newArn} has F1 ${candidate.f1}, below the minimum ${p.minF1} that stack '${p.stack}' requires (minF1 in ${p.file})`,
    );
  }
  const notes: string[] = [];
  const replaced = await describe(p.currentArn, p.kind);
  if (replaced.f1 === undefined) {
    notes.push(`The replaced version's F1 is unknown (${replaced.status === "NOT_FOUND" ? "AWS no longer knows the version" : "no score recorded"}): comparison skipped.`);
  } else if (candidate.f1 < replaced.f1) {
    throw new PromotionError(
      `version ${p.newArn} has F1 ${candidate.f1}, below the F1 ${replaced.f1} of the version it replaces (${p.currentArn})`,
    );
  }
  return { candidate, replaced, minF1: p.minF1, notes };
}

export interface AwsClients {
  rekognition(region: string): RekognitionClient;
  sagemaker(region: string): SageMakerClient;
  comprehend?(region: string): ComprehendClient;
}

const defaultClients: AwsClients = {
  rekognition: (region) => new RekognitionClient({ region }),
  sagemaker: (region) => new SageMakerClient({ region }),
  comprehend: (region) => new ComprehendClient({ region }),
};

/** `DescribeVersion` against AWS. */
export async function describeVersion(arn: string, kind: ModelKind, clients: AwsClients = defaultClients): Promise<VersionMetrics> {
  const parsed = parseModelVersionArn(arn, kind);
  try {
    if (parsed.kind === "rekognition") {
      const rk = clients.rekognition(parsed.region);
      const projects = await rk.send(new DescribeProjectsCommand({ ProjectNames: [parsed.project] }));
      const project = projects.ProjectDescriptions?.find((d) => d.ProjectArn?.startsWith(`${parsed.projectArnPrefix}/`));
      if (!project?.ProjectArn) {
        return { arn, status: "NOT_FOUND", statusMessage: `Rekognition project '${parsed.project}' not found in ${parsed.region}` };
      }
      const versions = await rk.send(new DescribeProjectVersionsCommand({ ProjectArn: project.ProjectArn, VersionNames: [parsed.version] }));
      const v = versions.ProjectVersionDescriptions?.find((d) => d.ProjectVersionArn === arn);
      if (!v) {
        return { arn, status: "NOT_FOUND", statusMessage: `project '${parsed.project}' has no version '${parsed.version}' with this ARN` };
      }
      return { arn, status: v.Status ?? "UNKNOWN", statusMessage: v.StatusMessage, f1: v.EvaluationResult?.F1Score };
    }
    if (parsed.kind === "comprehend") {
      const cm = (clients.comprehend ?? defaultClients.comprehend!)(parsed.region);
      try {
        const out = await cm.send(new DescribeEntityRecognizerCommand({ EntityRecognizerArn: arn }));
        const p = out.EntityRecognizerProperties;
        const raw = p?.RecognizerMetadata?.EvaluationMetrics?.F1Score;
        // Comprehend reports recognizer metrics in percent (e.g. 92.4); promotion thresholds are 0–1.
        const f1 = raw === undefined ? undefined : raw > 1 ? raw / 100 : raw;
        return { arn, status: p?.Status ?? "UNKNOWN", statusMessage: p?.Message, f1 };
      } catch (e) {
        if ((e as Error).name === "ResourceNotFoundException") return { arn, status: "NOT_FOUND", statusMessage: (e as Error).message };
        throw e;
      }
    }
    const sm = clients.sagemaker(parsed.region);
    try {
      await sm.send(new DescribeModelCommand({ ModelName: parsed.name }));
    } catch (e) {
      if ((e as Error).name === "ValidationException" && /could not find/i.test((e as Error).message)) {
        return { arn, status: "NOT_FOUND", statusMessage: (e as Error).message };
      }
      throw e;
    }
    const tags = await sm.send(new ListTagsCommand({ ResourceArn: arn }));
    const raw = tags.Tags?.find((t) => t.Key === SAGEMAKER_F1_TAG)?.Value;
    const f1 = raw !== undefined && /^(0(\.\d+)?|1(\.0+)?)$/.test(raw.trim()) ? Number(raw) : undefined;
    return { arn, status: "EXISTS", f1, statusMessage: raw !== undefined && f1 === undefined ? `tag ${SAGEMAKER_F1_TAG}='${raw}' is not a number from 0 to 1` : undefined };
  } catch (e) {
    const name = (e as Error).name;
    if (name === "CredentialsProviderError" || /credential/i.test((e as Error).message)) {
      throw new PromotionError(`cannot run the online checks: no AWS credentials (${(e as Error).message}); run with --offline to skip them`);
    }
    throw new PromotionError(`cannot read ${arn} from AWS: ${name}: ${(e as Error).message}`);
  }
}
