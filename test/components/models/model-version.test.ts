import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { recordProgram, only, ofType, promiseOf } from "../../helpers/pulumi";
import * as aws from "@pulumi/aws";
import { NodeDynamicProvider, RekognitionModelVersion, type RekognitionModelVersionArgs } from "../../../components/models/model-version";

const V1 = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";
const PROJECT_ARN = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/1761000000000";

const args = (over: Partial<RekognitionModelVersionArgs> = {}): RekognitionModelVersionArgs => ({
  projectVersionArn: V1,
  projectArn: pulumi.output(PROJECT_ARN),
  ...over,
});

describe("RekognitionModelVersion", () => {
  it("declares one dynamic resource with the defaults and the kind the offline plan recognises", async () => {
    const { resources, result } = await recordProgram(() => new RekognitionModelVersion("defect-detector.v1", args()));
    const component = only(resources, "mlz:models:RekognitionModelVersion", "defect-detector.v1");
    const runner = only(resources, "pulumi-nodejs:dynamic:Resource", "defect-detector.v1-runner");
    assert.equal(runner.parent, component.urn);
    const { __provider, ...inputs } = runner.inputs;
    assert.equal(typeof __provider, "string");
    assert.deepEqual(inputs, {
      kind: "mlz:rekognition:ProjectVersionRunner",
      projectVersionArn: V1,
      projectArn: PROJECT_ARN,
      versionName: "defect-detector.2026-11-02T10.15.00",
      region: "us-east-1",
      desiredState: "RUNNING",
      minInferenceUnits: 1,
      waitTimeoutSeconds: 1800,
      pollSeconds: 30,
    });
    assert.equal(await promiseOf(result.projectVersionArn), V1);
    assert.equal(await promiseOf(result.desiredState), "RUNNING");
  });

  it("gives the runner the explicit pulumi-nodejs provider passed to the component (default providers are disabled)", async () => {
    const { resources } = await recordProgram(() => {
      const awsProvider = new aws.Provider("account", { region: "us-east-1" });
      const dynamic = new NodeDynamicProvider("dynamic");
      new RekognitionModelVersion("v", args(), { providers: [awsProvider, dynamic] });
    });
    const provider = only(resources, "pulumi:providers:pulumi-nodejs", "dynamic");
    const runner = only(resources, "pulumi-nodejs:dynamic:Resource");
    assert.equal(runner.provider?.split("::").slice(0, -1).join("::"), provider.urn);
  });

  it("passes units, desired state, timing and the role to assume", async () => {
    const { resources } = await recordProgram(() => new RekognitionModelVersion("v", args({
      minInferenceUnits: 2,
      maxInferenceUnits: 4,
      desiredState: "STOPPED",
      waitTimeoutSeconds: 3600,
      pollSeconds: 60,
      assumeRoleArn: pulumi.output("arn:aws:iam::444444444444:role/mlz-deploy"),
      projectName: "defect-detector",
    })));
    const runner = only(resources, "pulumi-nodejs:dynamic:Resource");
    assert.equal(runner.inputs.minInferenceUnits, 2);
    assert.equal(runner.inputs.maxInferenceUnits, 4);
    assert.equal(runner.inputs.desiredState, "STOPPED");
    assert.equal(runner.inputs.waitTimeoutSeconds, 3600);
    assert.equal(runner.inputs.pollSeconds, 60);
    assert.equal(runner.inputs.assumeRoleArn, "arn:aws:iam::444444444444:role/mlz-deploy");
  });

  describe("validation (before any child is declared)", () => {
    const cases: [string, Partial<RekognitionModelVersionArgs>, string][] = [
      ["version ARN", { projectVersionArn: "arn:aws:sagemaker:us-east-1:444444444444:model/x" },
        "[projectVersionArn] expected a Rekognition project-version ARN (arn:aws:rekognition:<region>:<12-digit account>:project/<project>/version/<version>/<13-digit timestamp>); got 'arn:aws:sagemaker:us-east-1:444444444444:model/x'"],
      ["project", { projectName: "other-model" }, `[projectVersionArn] must belong to project 'other-model'; got '${V1}' (project 'defect-detector')`],
      ["min units", { minInferenceUnits: 0 }, "[minInferenceUnits] must be a whole number from 1 to 100; got 0"],
      ["max units", { minInferenceUnits: 2, maxInferenceUnits: 1 }, "[maxInferenceUnits] must be at least minInferenceUnits (2); got 1"],
      ["timeout", { waitTimeoutSeconds: 100000 }, "[waitTimeoutSeconds] must be a whole number of seconds from 60 to 3600; got 100000"],
      ["desired state", { desiredState: "PAUSED" as never }, "[desiredState] must be 'RUNNING' or 'STOPPED'; got \"PAUSED\""],
    ];
    for (const [what, over, message] of cases) {
      it(`refuses a bad ${what}`, async () => {
        let thrown: Error | undefined;
        const { resources } = await recordProgram(() => {
          try {
            new RekognitionModelVersion("v", args(over));
          } catch (err) {
            thrown = err as Error;
          }
        });
        assert.equal(thrown?.message, message);
        assert.equal(ofType(resources, "pulumi-nodejs:dynamic:Resource").length, 0);
      });
    }
  });
});
