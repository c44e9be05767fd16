import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { mockClient } from "aws-sdk-client-mock";
import {
  RekognitionClient,
  DescribeProjectVersionsCommand,
  StartProjectVersionCommand,
  StopProjectVersionCommand,
  ResourceNotFoundException,
  LimitExceededException,
  ServiceQuotaExceededException,
  AccessDeniedException,
  ResourceInUseException,
  type ProjectVersionDescription,
} from "@aws-sdk/client-rekognition";
import {
  makeProjectVersionProvider,
  projectVersionProvider,
  projectVersionInputFailures,
  diffProjectVersion,
  PROJECT_VERSION_RUNNER_KIND,
  type ProjectVersionRunnerInputs,
  type ProjectVersionRunnerOutputs,
  type RunnerDeps,
} from "../../../components/models/project-version-provider";

const VERSION_ARN = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";
const PROJECT_ARN = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/1761000000000";
const VERSION_NAME = "defect-detector.2026-11-02T10.15.00";

const inputs = (over: Partial<ProjectVersionRunnerInputs> = {}): ProjectVersionRunnerInputs => ({
  kind: PROJECT_VERSION_RUNNER_KIND,
  projectVersionArn: VERSION_ARN,
  projectArn: PROJECT_ARN,
  versionName: VERSION_NAME,
  minInferenceUnits: 1,
  desiredState: "RUNNING",
  region: "us-east-1",
  waitTimeoutSeconds: 300,
  pollSeconds: 30,
  ...over,
});

const version = (Status: ProjectVersionDescription["Status"], extra: Partial<ProjectVersionDescription> = {}) => ({
  ProjectVersionDescriptions: [{ ProjectVersionArn: VERSION_ARN, Status, ...extra }],
});

const DESCRIBE_INPUT = { ProjectArn: PROJECT_ARN, VersionNames: [VERSION_NAME] };

// Created in `before` and restored in `after`, so the stub does not leak into other test files.
const newRekognitionMock = () => mockClient(RekognitionClient);
let rk: ReturnType<typeof newRekognitionMock>;

/** Fake clock: `sleep` advances time instantly and records each wait. */
function fakeDeps(): RunnerDeps & { sleeps: number[] } {
  let clock = 1_000_000;
  const sleeps: number[] = [];
  return {
    client: new RekognitionClient({ region: "us-east-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" } }),
    sleeps,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
  };
}

function providerWith(deps: RunnerDeps) {
  return makeProjectVersionProvider(async () => deps);
}

async function rejectsWith(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (err: Error) => {
    assert.equal(err.message, message);
    return true;
  });
}

describe("Rekognition project-version dynamic provider", () => {
  before(() => {
    rk = newRekognitionMock();
  });
  beforeEach(() => rk.reset());
  after(() => rk.restore());

  describe("create", () => {
    it("starts a TRAINING_COMPLETED version with the asked units and waits for RUNNING", async () => {
      rk.on(DescribeProjectVersionsCommand)
        .resolvesOnce(version("TRAINING_COMPLETED"))
        .resolvesOnce(version("STARTING"))
        .resolvesOnce(version("RUNNING", { MinInferenceUnits: 2, StatusMessage: "The model is running." }));
      rk.on(StartProjectVersionCommand).resolves({ Status: "STARTING" });
      const deps = fakeDeps();

      const result = await providerWith(deps).create(inputs({ minInferenceUnits: 2, maxInferenceUnits: 4 }));

      assert.equal(result.id, VERSION_ARN);
      assert.equal(result.outs?.status, "RUNNING");
      assert.equal(result.outs?.statusMessage, "The model is running.");
      assert.equal(result.outs?.minInferenceUnits, 2);
      const describes = rk.commandCalls(DescribeProjectVersionsCommand);
      assert.equal(describes.length, 3);
      for (const call of describes) assert.deepEqual(call.args[0].input, DESCRIBE_INPUT);
      const starts = rk.commandCalls(StartProjectVersionCommand);
      assert.equal(starts.length, 1);
      assert.deepEqual(starts[0].args[0].input, { ProjectVersionArn: VERSION_ARN, MinInferenceUnits: 2, MaxInferenceUnits: 4 });
      assert.equal(rk.commandCalls(StopProjectVersionCommand).length, 0);
      assert.deepEqual(deps.sleeps, [30_000, 30_000]);
    });

    it("starts a STOPPED version without MaxInferenceUnits when none is asked", async () => {
      rk.on(DescribeProjectVersionsCommand).resolvesOnce(version("STOPPED")).resolves(version("RUNNING", { MinInferenceUnits: 1 }));
      rk.on(StartProjectVersionCommand).resolves({ Status: "STARTING" });
      await providerWith(fakeDeps()).create(inputs());
      assert.deepEqual(rk.commandCalls(StartProjectVersionCommand)[0].args[0].input, { ProjectVersionArn: VERSION_ARN, MinInferenceUnits: 1 });
    });

    it("adopts a version already RUNNING with the same units without starting it", async () => {
      rk.on(DescribeProjectVersionsCommand).resolves(version("RUNNING", { MinInferenceUnits: 1 }));
      const deps = fakeDeps();
      const result = await providerWith(deps).create(inputs());
      assert.equal(result.outs?.status, "RUNNING");
      assert.equal(rk.commandCalls(StartProjectVersionCommand).length, 0);
      assert.equal(rk.commandCalls(StopProjectVersionCommand).length, 0);
      assert.deepEqual(deps.sleeps, []);
    });

    it("fails when a version still training ends in TRAINING_FAILED, without starting it", async () => {
      rk.on(DescribeProjectVersionsCommand)
        .resolvesOnce(version("TRAINING_IN_PROGRESS"))
        .resolves(version("TRAINING_FAILED", { StatusMessage: "not enough images" }));
      await rejectsWith(
        providerWith(fakeDeps()).create(inputs()),
        `Rekognition project version ${VERSION_ARN} cannot be started: its status is TRAINING_FAILED (not enough images)`,
      );
      assert.equal(rk.commandCalls(StartProjectVersionCommand).length, 0);
    });

    it("restarts a RUNNING version that auto-scales when no maximum is asked any more", async () => {
      rk.on(DescribeProjectVersionsCommand)
        .resolvesOnce(version("RUNNING", { MinInferenceUnits: 1, MaxInferenceUnits: 3 }))
        .resolvesOnce(version("STOPPED"))
        .resolves(version("RUNNING", { MinInferenceUnits: 1, MaxInferenceUnits: 1 }));
      rk.on(StopProjectVersionCommand).resolves({ Status: "STOPPING" });
      rk.on(StartProjectVersionCommand).resolves({ Status: "STARTING" });
      await providerWith(fakeDeps()).create(inputs());
      assert.deepEqual(rk.commandCalls(StartProjectVersionCommand)[0].args[0].input, { ProjectVersionArn: VERSION_ARN, MinInferenceUnits: 1 });
    });

    it("keeps a RUNNING version whose reported maximum equals its minimum when none is asked", async () => {
      rk.on(DescribeProjectVersionsCommand).resolves(version("RUNNING", { MinInferenceUnits: 1, MaxInferenceUnits: 1 }));
      await providerWith(fakeDeps()).create(inputs());
      assert.equal(rk.commandCalls(StopProjectVersionCommand).length + rk.commandCalls(StartProjectVersionCommand).length, 0);
    });

    it("waits out STOPPING, then starts", async () => {
      rk.on(DescribeProjectVersionsCommand)
        .resolvesOnce(version("STOPPING"))
        .resolvesOnce(version("STOPPED"))
        .resolves(version("RUNNING"));
      rk.on(StartProjectVersionCommand).resolves({ Status: "STARTING" });
      const result = await providerWith(fakeDeps()).create(inputs());
      assert.equal(result.outs?.status, "RUNNING");
      assert.equal(rk.commandCalls(StartProjectVersionCommand).length, 1);
      assert.equal(rk.commandCalls(DescribeProjectVersionsCommand).length, 3);
    });

    it("creates a STOPPED resource without starting a TRAINING_COMPLETED version", async () => {
      rk.on(DescribeProjectVersionsCommand).resolves(version("TRAINING_COMPLETED"));
      const result = await providerWith(fakeDeps()).create(inputs({ desiredState: "STOPPED" }));
      assert.equal(result.outs?.status, "TRAINING_COMPLETED");
      assert.equal(rk.commandCalls(StartProjectVersionCommand).length, 0);
      assert.equal(rk.commandCalls(StopProjectVersionCommand).length, 0);
    });

    it("accepts a failed version as STOPPED without calling Start or Stop", async () => {
      rk.on(DescribeProjectVersionsCommand).resolves(version("TRAINING_FAILED", { StatusMessage: "bad manifest" }));
      const result = await providerWith(fakeDeps()).create(inputs({ desiredState: "STOPPED" }));
      assert.equal(result.outs?.status, "TRAINING_FAILED");
      assert.equal(rk.commandCalls(StartProjectVersionCommand).length + rk.commandCalls(StopProjectVersionCommand).length, 0);
    });

    it("refuses a STOPPED resource for a version that does not exist", async () => {
      rk.on(DescribeProjectVersionsCommand).resolves({ ProjectVersionDescriptions: [] });
      await rejectsWith(
        providerWith(fakeDeps()).create(inputs({ desiredState: "STOPPED" })),
        `Rekognition project version ${VERSION_ARN} was not found in project ${PROJECT_ARN} (DescribeProjectVersions returned no version named '${VERSION_NAME}')`,
      );
    });

    it("waits for a STARTING version to run, then stops it, for a STOPPED resource", async () => {
      rk.on(DescribeProjectVersionsCommand)
        .resolvesOnce(version("STARTING"))
        .resolvesOnce(version("RUNNING"))
        .resolves(version("STOPPED"));
      rk.on(StopProjectVersionCommand).resolves({ Status: "STOPPING" });
      const result = await providerWith(fakeDeps()).create(inputs({ desiredState: "STOPPED" }));
      assert.equal(result.outs?.status, "STOPPED");
      assert.deepEqual(rk.commandCalls(StopProjectVersionCommand)[0].args[0].input, { ProjectVersionArn: VERSION_ARN });
    });

    for (const status of ["TRAINING_FAILED", "FAILED", "DELETING", "COPYING_FAILED", "EXPIRED", "DEPRECATED"] as const) {
      it(`refuses a version in ${status}, naming the ARN and the status message`, async () => {
        rk.on(DescribeProjectVersionsCommand).resolves(version(status, { StatusMessage: "The manifest file contains no labels." }));
        await rejectsWith(
          providerWith(fakeDeps()).create(inputs()),
          `Rekognition project version ${VERSION_ARN} cannot be started: its status is ${status} (The manifest file contains no labels.)`,
        );
        assert.equal(rk.commandCalls(StartProjectVersionCommand).length, 0);
      });
    }

    it("refuses a version that DescribeProjectVersions does not return", async () => {
      rk.on(DescribeProjectVersionsCommand).resolves({ ProjectVersionDescriptions: [] });
      await rejectsWith(
        providerWith(fakeDeps()).create(inputs()),
        `Rekognition project version ${VERSION_ARN} was not found in project ${PROJECT_ARN} (DescribeProjectVersions returned no version named '${VERSION_NAME}')`,
      );
    });

    it("refuses when the project does not exist", async () => {
      rk.on(DescribeProjectVersionsCommand).rejects(new ResourceNotFoundException({ message: "Project not found", $metadata: {} }));
      await rejectsWith(
        providerWith(fakeDeps()).create(inputs()),
        `Rekognition project ${PROJECT_ARN} of version ${VERSION_ARN} was not found (ResourceNotFoundException: Project not found)`,
      );
    });

    it("surfaces LimitExceededException from StartProjectVersion as a quota error", async () => {
      rk.on(DescribeProjectVersionsCommand).resolves(version("STOPPED"));
      rk.on(StartProjectVersionCommand).rejects(new LimitExceededException({ message: "Inference units limit reached", $metadata: {} }));
      await rejectsWith(
        providerWith(fakeDeps()).create(inputs({ minInferenceUnits: 3, maxInferenceUnits: 5 })),
        `StartProjectVersion for Rekognition project version ${VERSION_ARN} hit a service quota (LimitExceededException: Inference units limit reached); ` +
        "request a quota increase for Rekognition Custom Labels inference units or lower minInferenceUnits/maxInferenceUnits (asked min 3, max 5)",
      );
    });

    it("surfaces ServiceQuotaExceededException from StartProjectVersion as a quota error", async () => {
      rk.on(DescribeProjectVersionsCommand).resolves(version("STOPPED"));
      rk.on(StartProjectVersionCommand).rejects(new ServiceQuotaExceededException({ message: "Quota exceeded", $metadata: {} }));
      await rejectsWith(
        providerWith(fakeDeps()).create(inputs()),
        `StartProjectVersion for Rekognition project version ${VERSION_ARN} hit a service quota (ServiceQuotaExceededException: Quota exceeded); ` +
        "request a quota increase for Rekognition Custom Labels inference units or lower minInferenceUnits/maxInferenceUnits (asked min 1)",
      );
    });

    it("names the operation and the AWS error for other failures", async () => {
      rk.on(DescribeProjectVersionsCommand).rejects(new AccessDeniedException({ message: "not authorized to perform rekognition:DescribeProjectVersions", $metadata: {} }));
      await rejectsWith(
        providerWith(fakeDeps()).create(inputs()),
        `DescribeProjectVersions failed for Rekognition project version ${VERSION_ARN}: AccessDeniedException: not authorized to perform rekognition:DescribeProjectVersions`,
      );
    });

    it("times out with the ARN, the last status and the elapsed time", async () => {
      rk.on(DescribeProjectVersionsCommand).resolvesOnce(version("STOPPED")).resolves(version("STARTING", { StatusMessage: "Starting" }));
      rk.on(StartProjectVersionCommand).resolves({ Status: "STARTING" });
      const deps = fakeDeps();
      await rejectsWith(
        providerWith(deps).create(inputs({ waitTimeoutSeconds: 90, pollSeconds: 30 })),
        `Timed out after 90s (limit 90s) waiting for Rekognition project version ${VERSION_ARN} to reach RUNNING; last status STARTING (Starting)`,
      );
      assert.deepEqual(deps.sleeps, [30_000, 30_000, 30_000]);
    });

    it("fails when the version goes to FAILED while starting", async () => {
      rk.on(DescribeProjectVersionsCommand).resolvesOnce(version("STOPPED")).resolves(version("FAILED", { StatusMessage: "Internal error" }));
      rk.on(StartProjectVersionCommand).resolves({ Status: "STARTING" });
      await rejectsWith(
        providerWith(fakeDeps()).create(inputs()),
        `Rekognition project version ${VERSION_ARN} went to FAILED (Internal error) while waiting for RUNNING (after 30s)`,
      );
    });
  });

  describe("update", () => {
    it("restarts a RUNNING version whose inference units changed", async () => {
      rk.on(DescribeProjectVersionsCommand)
        .resolvesOnce(version("RUNNING", { MinInferenceUnits: 1 }))
        .resolvesOnce(version("STOPPED"))
        .resolves(version("RUNNING", { MinInferenceUnits: 2 }));
      rk.on(StopProjectVersionCommand).resolves({ Status: "STOPPING" });
      rk.on(StartProjectVersionCommand).resolves({ Status: "STARTING" });
      const olds = { ...inputs(), status: "RUNNING", statusMessage: "" };

      const result = await providerWith(fakeDeps()).update!(VERSION_ARN, olds, inputs({ minInferenceUnits: 2 }));

      assert.equal(result.outs?.status, "RUNNING");
      assert.deepEqual(rk.commandCalls(StopProjectVersionCommand)[0].args[0].input, { ProjectVersionArn: VERSION_ARN });
      assert.deepEqual(rk.commandCalls(StartProjectVersionCommand)[0].args[0].input, { ProjectVersionArn: VERSION_ARN, MinInferenceUnits: 2 });
      // Stop is sent before Start.
      const order = rk.calls().map((c) => (c.args[0] as object).constructor.name);
      assert.deepEqual(order, [
        "DescribeProjectVersionsCommand", "StopProjectVersionCommand", "DescribeProjectVersionsCommand",
        "StartProjectVersionCommand", "DescribeProjectVersionsCommand",
      ]);
    });

    it("stops a RUNNING version when the desired state becomes STOPPED", async () => {
      rk.on(DescribeProjectVersionsCommand)
        .resolvesOnce(version("RUNNING"))
        .resolvesOnce(version("STOPPING"))
        .resolves(version("STOPPED"));
      rk.on(StopProjectVersionCommand).resolves({ Status: "STOPPING" });
      const olds = { ...inputs(), status: "RUNNING", statusMessage: "" };
      const result = await providerWith(fakeDeps()).update!(VERSION_ARN, olds, inputs({ desiredState: "STOPPED" }));
      assert.equal(result.outs?.status, "STOPPED");
      assert.deepEqual(rk.commandCalls(StopProjectVersionCommand)[0].args[0].input, { ProjectVersionArn: VERSION_ARN });
      assert.equal(rk.commandCalls(StartProjectVersionCommand).length, 0);
    });

    it("surfaces a StopProjectVersion failure naming the ARN", async () => {
      rk.on(DescribeProjectVersionsCommand).resolves(version("RUNNING"));
      rk.on(StopProjectVersionCommand).rejects(new AccessDeniedException({ message: "denied", $metadata: {} }));
      const olds = { ...inputs(), status: "RUNNING", statusMessage: "" };
      await rejectsWith(
        providerWith(fakeDeps()).update!(VERSION_ARN, olds, inputs({ desiredState: "STOPPED" })),
        `StopProjectVersion failed for Rekognition project version ${VERSION_ARN}: AccessDeniedException: denied`,
      );
    });
  });

  describe("delete", () => {
    it("stops a RUNNING version and waits until STOPPED", async () => {
      rk.on(DescribeProjectVersionsCommand)
        .resolvesOnce(version("RUNNING"))
        .resolvesOnce(version("STOPPING"))
        .resolves(version("STOPPED"));
      rk.on(StopProjectVersionCommand).resolves({ Status: "STOPPING" });
      const deps = fakeDeps();
      await providerWith(deps).delete!(VERSION_ARN, { ...inputs(), status: "RUNNING", statusMessage: "" });
      const stops = rk.commandCalls(StopProjectVersionCommand);
      assert.equal(stops.length, 1);
      assert.deepEqual(stops[0].args[0].input, { ProjectVersionArn: VERSION_ARN });
      assert.equal(rk.commandCalls(DescribeProjectVersionsCommand).length, 3);
      assert.deepEqual(deps.sleeps, [30_000, 30_000]);
    });

    it("waits for a STARTING version to run before stopping it", async () => {
      rk.on(DescribeProjectVersionsCommand)
        .resolvesOnce(version("STARTING"))
        .resolvesOnce(version("RUNNING"))
        .resolves(version("STOPPED"));
      rk.on(StopProjectVersionCommand).resolves({ Status: "STOPPING" });
      await providerWith(fakeDeps()).delete!(VERSION_ARN, { ...inputs(), status: "RUNNING", statusMessage: "" });
      const order = rk.calls().map((c) => (c.args[0] as object).constructor.name);
      assert.deepEqual(order, [
        "DescribeProjectVersionsCommand", "DescribeProjectVersionsCommand", "StopProjectVersionCommand", "DescribeProjectVersionsCommand",
      ]);
    });

    it("does nothing for an already STOPPED version", async () => {
      rk.on(DescribeProjectVersionsCommand).resolves(version("STOPPED"));
      await providerWith(fakeDeps()).delete!(VERSION_ARN, { ...inputs(), status: "RUNNING", statusMessage: "" });
      assert.equal(rk.commandCalls(StopProjectVersionCommand).length, 0);
    });

    it("tolerates a version that no longer exists", async () => {
      rk.on(DescribeProjectVersionsCommand).resolves({ ProjectVersionDescriptions: [] });
      await providerWith(fakeDeps()).delete!(VERSION_ARN, { ...inputs(), status: "RUNNING", statusMessage: "" });
      assert.equal(rk.commandCalls(StopProjectVersionCommand).length, 0);
    });

    it("tolerates a project that no longer exists (ResourceNotFoundException)", async () => {
      rk.on(DescribeProjectVersionsCommand).rejects(new ResourceNotFoundException({ message: "gone", $metadata: {} }));
      await providerWith(fakeDeps()).delete!(VERSION_ARN, { ...inputs(), status: "RUNNING", statusMessage: "" });
      assert.equal(rk.commandCalls(StopProjectVersionCommand).length, 0);
    });

    it("tolerates a Stop that fails because someone stopped the version meanwhile", async () => {
      rk.on(DescribeProjectVersionsCommand).resolvesOnce(version("RUNNING")).resolves(version("STOPPED"));
      rk.on(StopProjectVersionCommand).rejects(new ResourceInUseException({ message: "not running", $metadata: {} }));
      await providerWith(fakeDeps()).delete!(VERSION_ARN, { ...inputs(), status: "RUNNING", statusMessage: "" });
      assert.equal(rk.commandCalls(StopProjectVersionCommand).length, 1);
    });

    it("fails when Stop fails and the version still runs", async () => {
      rk.on(DescribeProjectVersionsCommand).resolves(version("RUNNING"));
      rk.on(StopProjectVersionCommand).rejects(new AccessDeniedException({ message: "denied", $metadata: {} }));
      await rejectsWith(
        providerWith(fakeDeps()).delete!(VERSION_ARN, { ...inputs(), status: "RUNNING", statusMessage: "" }),
        `StopProjectVersion failed for Rekognition project version ${VERSION_ARN}: AccessDeniedException: denied`,
      );
    });

    it("times out when the version never stops", async () => {
      rk.on(DescribeProjectVersionsCommand).resolvesOnce(version("RUNNING")).resolves(version("STOPPING"));
      rk.on(StopProjectVersionCommand).resolves({ Status: "STOPPING" });
      await rejectsWith(
        providerWith(fakeDeps()).delete!(VERSION_ARN, { ...inputs({ waitTimeoutSeconds: 60 }), status: "RUNNING", statusMessage: "" }),
        `Timed out after 60s (limit 60s) waiting for Rekognition project version ${VERSION_ARN} to reach STOPPED; last status STOPPING`,
      );
    });
  });

  describe("read", () => {
    it("refreshes the observed status", async () => {
      rk.on(DescribeProjectVersionsCommand).resolves(version("STOPPED", { StatusMessage: "stopped by user" }));
      const props: ProjectVersionRunnerOutputs = { ...inputs(), status: "RUNNING", statusMessage: "" };
      const result = await providerWith(fakeDeps()).read!(VERSION_ARN, props);
      assert.equal(result.id, VERSION_ARN);
      assert.equal(result.props?.status, "STOPPED");
      assert.equal(result.props?.statusMessage, "stopped by user");
    });

    it("reports a vanished version as gone", async () => {
      rk.on(DescribeProjectVersionsCommand).resolves({ ProjectVersionDescriptions: [] });
      const result = await providerWith(fakeDeps()).read!(VERSION_ARN, { ...inputs(), status: "RUNNING", statusMessage: "" });
      assert.equal(result.id, undefined);
    });
  });

  describe("diff", () => {
    const olds: ProjectVersionRunnerOutputs = { ...inputs(), status: "RUNNING", statusMessage: "" };

    it("replaces on a different version ARN (create the new one before stopping the old)", () => {
      const other = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-20T08.00.00/1763625600000";
      assert.deepEqual(diffProjectVersion(olds, inputs({ projectVersionArn: other, versionName: "defect-detector.2026-11-20T08.00.00" })), {
        changes: true, replaces: ["projectVersionArn", "versionName"], deleteBeforeReplace: false,
      });
    });

    it("updates in place on inference units and desired state", () => {
      assert.deepEqual(diffProjectVersion(olds, inputs({ minInferenceUnits: 2 })), { changes: true, replaces: [], deleteBeforeReplace: false });
      assert.deepEqual(diffProjectVersion(olds, inputs({ maxInferenceUnits: 3 })), { changes: true, replaces: [], deleteBeforeReplace: false });
      assert.deepEqual(diffProjectVersion(olds, inputs({ desiredState: "STOPPED" })), { changes: true, replaces: [], deleteBeforeReplace: false });
    });

    it("updates in place (never replaces) on a new project ARN for the same version", () => {
      assert.deepEqual(diffProjectVersion(olds, inputs({ projectArn: "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/1769999999999" })), {
        changes: true, replaces: [], deleteBeforeReplace: false,
      });
    });

    it("reports no change when nothing differs", () => {
      assert.deepEqual(diffProjectVersion(olds, inputs()), { changes: false, replaces: [], deleteBeforeReplace: false });
    });

    it("reports a change when a refresh saw the version stopped behind our back", () => {
      assert.equal(diffProjectVersion({ ...olds, status: "STOPPED" }, inputs()).changes, true);
    });

    it("keeps a STOPPED resource quiet whatever non-serving state the version is in, but not when it runs", () => {
      const stopped = { ...olds, desiredState: "STOPPED" as const };
      for (const status of ["STOPPED", "TRAINING_COMPLETED", "TRAINING_FAILED"]) {
        assert.equal(diffProjectVersion({ ...stopped, status }, inputs({ desiredState: "STOPPED" })).changes, false, status);
      }
      assert.equal(diffProjectVersion({ ...stopped, status: "RUNNING" }, inputs({ desiredState: "STOPPED" })).changes, true);
    });
  });

  describe("check", () => {
    it("accepts valid inputs", async () => {
      assert.deepEqual(projectVersionInputFailures(inputs({ maxInferenceUnits: 2, assumeRoleArn: "arn:aws:iam::444444444444:role/mlz-deploy" })), []);
      const result = await projectVersionProvider.check!(inputs(), inputs());
      assert.equal(result.failures, undefined);
    });

    it("names each bad input", async () => {
      const bad = inputs({
        minInferenceUnits: 0,
        maxInferenceUnits: 1.5,
        waitTimeoutSeconds: 10,
        pollSeconds: 0,
        desiredState: "PAUSED" as never,
        projectArn: "arn:aws:s3:::x",
        assumeRoleArn: "mlz-deploy",
      });
      const result = await projectVersionProvider.check!(bad, bad);
      assert.deepEqual(result.failures, [
        { property: "projectArn", reason: "must be a Rekognition project ARN (arn:aws:rekognition:<region>:<account>:project/<name>/<timestamp>); got 'arn:aws:s3:::x'" },
        { property: "minInferenceUnits", reason: "must be a whole number from 1 to 100; got 0" },
        { property: "maxInferenceUnits", reason: "must be a whole number from 1 to 100; got 1.5" },
        { property: "desiredState", reason: "must be 'RUNNING' or 'STOPPED'; got \"PAUSED\"" },
        { property: "waitTimeoutSeconds", reason: "must be a whole number of seconds from 60 to 3600; got 10" },
        { property: "pollSeconds", reason: "must be a whole number of seconds from 1 to 300; got 0" },
        { property: "assumeRoleArn", reason: "must be an IAM role ARN; got 'mlz-deploy'" },
      ]);
    });

    it("does not check values unknown during preview (a project about to be created)", async () => {
      const preview = inputs({ projectArn: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", assumeRoleArn: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" });
      assert.deepEqual(projectVersionInputFailures(preview), []);
      assert.equal((await projectVersionProvider.check!(preview, preview)).failures, undefined);
    });

    it("refuses max below min and a poll interval longer than the timeout", () => {
      assert.deepEqual(projectVersionInputFailures(inputs({ minInferenceUnits: 3, maxInferenceUnits: 2, waitTimeoutSeconds: 60, pollSeconds: 120 })), [
        { property: "maxInferenceUnits", reason: "must be at least minInferenceUnits (3); got 2" },
        { property: "pollSeconds", reason: "must not exceed waitTimeoutSeconds (60); got 120" },
      ]);
    });
  });

  describe("serialization", () => {
    it("serializes the real provider as a closure and the result runs against the SDK", async () => {
      const sf = await pulumi.runtime.serializeFunction(() => projectVersionProvider);
      assert.doesNotMatch(sf.text, /native code/);
      // Load the serialized module like the dynamic-provider host does and check it works.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Module = require("node:module");
      const path = require("node:path");
      const filename = path.join(__dirname, "__serialized_provider.js");
      const m = new Module(filename, module);
      m.filename = filename;
      m.paths = Module._nodeModulePaths(__dirname);
      m._compile(sf.text, filename);
      const provider = m.exports[sf.exportName]();
      assert.equal(typeof provider.create, "function");
      const failures = (await provider.check(inputs(), inputs({ minInferenceUnits: 0 }))).failures;
      assert.deepEqual(failures, [{ property: "minInferenceUnits", reason: "must be a whole number from 1 to 100; got 0" }]);
      assert.deepEqual(await provider.diff(VERSION_ARN, { ...inputs(), status: "RUNNING", statusMessage: "" }, inputs()), {
        changes: false, replaces: [], deleteBeforeReplace: false,
      });
      // The serialized provider builds its own SDK client; aws-sdk-client-mock intercepts it.
      rk.on(DescribeProjectVersionsCommand).resolves(version("RUNNING", { MinInferenceUnits: 1 }));
      const created = await provider.create(inputs());
      assert.equal(created.outs.status, "RUNNING");
      assert.deepEqual(rk.commandCalls(DescribeProjectVersionsCommand)[0].args[0].input, DESCRIBE_INPUT);
    });
  });
});
