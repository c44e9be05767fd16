import * as assert from "node:assert/strict";
import {
  DescribeProjectsCommand,
  DescribeProjectVersionsCommand,
  RekognitionClient,
} from "@aws-sdk/client-rekognition";
import { DescribeModelCommand, ListTagsCommand, SageMakerClient } from "@aws-sdk/client-sagemaker";
import type { DescribeProjectVersionsCommandOutput } from "@aws-sdk/client-rekognition";
import { mockClient } from "aws-sdk-client-mock";
import { checkOnline, describeVersion } from "../../promotion/checks";
import { planPromotion, PromotionError, type PlannedPromotion } from "../../promotion/rules";
import { workingTreeSource } from "../../promotion/stack-source";
import { makeProject, NEW_BIKE, NEW_DEFECT, PROD_BIKE, QA_DEFECT } from "./fixture";

const PROJECT_ARN = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/1761000000000";

describe("promotion/checks (online, against aws-sdk-client-mock)", () => {
  const rk = mockClient(RekognitionClient);
  const sm = mockClient(SageMakerClient);
  let qaPromotion: PlannedPromotion;
  let prodBikePromotion: PlannedPromotion;

  before(() => {
    const { root, cleanup } = makeProject();
    try {
      qaPromotion = planPromotion({ model: "defect-detector", to: "qa", version: NEW_DEFECT }, workingTreeSource(root));
      // prod takes only what qa holds: give qa the new bikeshare version first.
      const src = workingTreeSource(root);
      src.write("qa", src.read("qa").replace("bikeshare-classifier-20261108", "bikeshare-classifier-20261120"));
      prodBikePromotion = planPromotion({ model: "bikeshare-classifier", to: "prod", from: "qa" }, src);
    } finally {
      cleanup();
    }
  });
  beforeEach(() => {
    rk.reset();
    sm.reset();
  });
  after(() => {
    rk.restore();
    sm.restore();
  });

  function versionDescription(arn: string, status: string, f1?: number): Partial<DescribeProjectVersionsCommandOutput> {
    return {
      ProjectVersionDescriptions: [{
        ProjectVersionArn: arn,
        Status: status as "RUNNING",
        StatusMessage: status === "TRAINING_FAILED" ? "The manifest file contains too many invalid data objects." : undefined,
        EvaluationResult: f1 === undefined ? undefined : { F1Score: f1 },
      }],
    };
  }

  function rekognitionVersions(byName: Record<string, Partial<DescribeProjectVersionsCommandOutput>>) {
    rk.on(DescribeProjectsCommand).resolves({ ProjectDescriptions: [{ ProjectArn: PROJECT_ARN, Status: "CREATED" }] });
    for (const [name, answer] of Object.entries(byName)) {
      rk.on(DescribeProjectVersionsCommand, { ProjectArn: PROJECT_ARN, VersionNames: [name] }).resolves(answer);
    }
  }

  const NEW_NAME = "defect-detector.2026-11-20T08.00.00";
  const QA_NAME = "defect-detector.2026-11-09T08.00.00";

  describe("Rekognition", () => {
    it("passes and reports both versions; the exact requests", async () => {
      rekognitionVersions({
        [NEW_NAME]: versionDescription(NEW_DEFECT, "TRAINING_COMPLETED", 0.93),
        [QA_NAME]: versionDescription(QA_DEFECT, "RUNNING", 0.91),
      });
      const report = await checkOnline(qaPromotion);
      assert.deepEqual(report, {
        candidate: { arn: NEW_DEFECT, status: "TRAINING_COMPLETED", statusMessage: undefined, f1: 0.93 },
        replaced: { arn: QA_DEFECT, status: "RUNNING", statusMessage: undefined, f1: 0.91 },
        minF1: 0.85,
        notes: [],
      });
      assert.deepEqual(rk.commandCalls(DescribeProjectsCommand).map((c) => c.args[0].input), [
        { ProjectNames: ["defect-detector"] },
        { ProjectNames: ["defect-detector"] },
      ]);
      assert.deepEqual(rk.commandCalls(DescribeProjectVersionsCommand).map((c) => c.args[0].input), [
        { ProjectArn: PROJECT_ARN, VersionNames: [NEW_NAME] },
        { ProjectArn: PROJECT_ARN, VersionNames: [QA_NAME] },
      ]);
      assert.equal(rk.calls().length, 4);
    });

    it("accepts STOPPED", async () => {
      rekognitionVersions({
        [NEW_NAME]: versionDescription(NEW_DEFECT, "STOPPED", 0.9),
        [QA_NAME]: versionDescription(QA_DEFECT, "RUNNING", 0.9),
      });
      assert.equal((await checkOnline(qaPromotion)).candidate.status, "STOPPED");
    });

    it("refuses a version that failed training", async () => {
      rekognitionVersions({ [NEW_NAME]: versionDescription(NEW_DEFECT, "TRAINING_FAILED") });
      await assert.rejects(checkOnline(qaPromotion), new PromotionError(
        `version ${NEW_DEFECT} has status TRAINING_FAILED (The manifest file contains too many invalid data objects.); expected one of TRAINING_COMPLETED, RUNNING, STOPPED`,
      ));
    });

    it("refuses a version still training", async () => {
      rekognitionVersions({ [NEW_NAME]: versionDescription(NEW_DEFECT, "TRAINING_IN_PROGRESS") });
      await assert.rejects(checkOnline(qaPromotion), {
        message: `version ${NEW_DEFECT} has status TRAINING_IN_PROGRESS; expected one of TRAINING_COMPLETED, RUNNING, STOPPED`,
      });
    });

    it("refuses a version that does not exist", async () => {
      rekognitionVersions({ [NEW_NAME]: { ProjectVersionDescriptions: [] } });
      await assert.rejects(checkOnline(qaPromotion), {
        name: "PromotionError",
        message: `version ${NEW_DEFECT} of model 'defect-detector' does not exist: project 'defect-detector' has no version '${NEW_NAME}' with this ARN`,
      });
    });

    it("refuses when the project does not exist", async () => {
      rk.on(DescribeProjectsCommand).resolves({ ProjectDescriptions: [] });
      await assert.rejects(checkOnline(qaPromotion), {
        message: `version ${NEW_DEFECT} of model 'defect-detector' does not exist: Rekognition project 'defect-detector' not found in us-east-1`,
      });
      assert.equal(rk.commandCalls(DescribeProjectVersionsCommand).length, 0);
    });

    it("refuses F1 below the stack's minF1", async () => {
      rekognitionVersions({ [NEW_NAME]: versionDescription(NEW_DEFECT, "TRAINING_COMPLETED", 0.84) });
      await assert.rejects(checkOnline(qaPromotion), {
        message: `version ${NEW_DEFECT} has F1 0.84, below the minimum 0.85 that stack 'qa' requires (minF1 in stacks/Pulumi.qa.yaml)`,
      });
    });

    it("refuses F1 below the replaced version's", async () => {
      rekognitionVersions({
        [NEW_NAME]: versionDescription(NEW_DEFECT, "TRAINING_COMPLETED", 0.9),
        [QA_NAME]: versionDescription(QA_DEFECT, "RUNNING", 0.92),
      });
      await assert.rejects(checkOnline(qaPromotion), {
        message: `version ${NEW_DEFECT} has F1 0.9, below the F1 0.92 of the version it replaces (${QA_DEFECT})`,
      });
    });

    it("refuses a version without an evaluation result", async () => {
      rekognitionVersions({ [NEW_NAME]: versionDescription(NEW_DEFECT, "TRAINING_COMPLETED") });
      await assert.rejects(checkOnline(qaPromotion), {
        message: `version ${NEW_DEFECT} has no evaluation F1 score (EvaluationResult.F1Score)`,
      });
    });

    it("skips the comparison, with a note, when the replaced version is gone", async () => {
      rekognitionVersions({
        [NEW_NAME]: versionDescription(NEW_DEFECT, "TRAINING_COMPLETED", 0.9),
        [QA_NAME]: { ProjectVersionDescriptions: [] },
      });
      const report = await checkOnline(qaPromotion);
      assert.equal(report.replaced.status, "NOT_FOUND");
      assert.deepEqual(report.notes, ["The replaced version's F1 is unknown (AWS no longer knows the version): comparison skipped."]);
    });

    it("says how to skip the checks when there are no credentials", async () => {
      const err = Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });
      rk.on(DescribeProjectsCommand).rejects(err);
      await assert.rejects(checkOnline(qaPromotion), {
        name: "PromotionError",
        message: "cannot run the online checks: no AWS credentials (Could not load credentials from any providers); run with --offline to skip them",
      });
    });

    it("wraps other AWS errors naming the ARN", async () => {
      rk.on(DescribeProjectsCommand).rejects(Object.assign(new Error("User is not authorized to perform: rekognition:DescribeProjects"), { name: "AccessDeniedException" }));
      await assert.rejects(describeVersion(NEW_DEFECT, "rekognition"), {
        message: `cannot read ${NEW_DEFECT} from AWS: AccessDeniedException: User is not authorized to perform: rekognition:DescribeProjects`,
      });
    });
  });

  describe("SageMaker (F1 from the model's 'mlz:f1' tag)", () => {
    it("passes; the exact requests", async () => {
      sm.on(DescribeModelCommand).resolves({ ModelName: "x", ModelArn: NEW_BIKE });
      sm.on(ListTagsCommand, { ResourceArn: NEW_BIKE }).resolves({ Tags: [{ Key: "owner", Value: "ml" }, { Key: "mlz:f1", Value: "0.81" }] });
      sm.on(ListTagsCommand, { ResourceArn: PROD_BIKE }).resolves({ Tags: [{ Key: "mlz:f1", Value: "0.78" }] });
      const report = await checkOnline(prodBikePromotion);
      assert.equal(report.candidate.f1, 0.81);
      assert.equal(report.candidate.status, "EXISTS");
      assert.equal(report.replaced.f1, 0.78);
      assert.equal(report.minF1, 0.7);
      assert.deepEqual(sm.commandCalls(DescribeModelCommand).map((c) => c.args[0].input), [
        { ModelName: "bikeshare-classifier-20261120" },
        { ModelName: "bikeshare-classifier-20261101" },
      ]);
      assert.deepEqual(sm.commandCalls(ListTagsCommand).map((c) => c.args[0].input), [
        { ResourceArn: NEW_BIKE },
        { ResourceArn: PROD_BIKE },
      ]);
      assert.equal(sm.calls().length, 4);
    });

    it("refuses a model that does not exist", async () => {
      sm.on(DescribeModelCommand).rejects(Object.assign(new Error(`Could not find model "${NEW_BIKE}".`), { name: "ValidationException" }));
      await assert.rejects(checkOnline(prodBikePromotion), {
        message: `version ${NEW_BIKE} of model 'bikeshare-classifier' does not exist: Could not find model "${NEW_BIKE}".`,
      });
      assert.equal(sm.commandCalls(ListTagsCommand).length, 0);
    });

    it("refuses a model without the F1 tag", async () => {
      sm.on(DescribeModelCommand).resolves({});
      sm.on(ListTagsCommand).resolves({ Tags: [] });
      await assert.rejects(checkOnline(prodBikePromotion), {
        message: `SageMaker model ${NEW_BIKE} has no 'mlz:f1' tag with its evaluation F1 score`,
      });
    });

    it("treats a non-numeric F1 tag as missing", async () => {
      sm.on(DescribeModelCommand).resolves({});
      sm.on(ListTagsCommand).resolves({ Tags: [{ Key: "mlz:f1", Value: "high" }] });
      assert.deepEqual(await describeVersion(NEW_BIKE, "sagemaker"), {
        arn: NEW_BIKE,
        status: "EXISTS",
        f1: undefined,
        statusMessage: "tag mlz:f1='high' is not a number from 0 to 1",
      });
    });

    it("refuses F1 below prod's minF1", async () => {
      sm.on(DescribeModelCommand).resolves({});
      sm.on(ListTagsCommand).resolves({ Tags: [{ Key: "mlz:f1", Value: "0.69" }] });
      await assert.rejects(checkOnline(prodBikePromotion), {
        message: `version ${NEW_BIKE} has F1 0.69, below the minimum 0.7 that stack 'prod' requires (minF1 in stacks/Pulumi.prod.yaml)`,
      });
    });
  });
});
