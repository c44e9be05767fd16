import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { basicSimulator, ofType, only, parseJsonInput, promiseOf, recordProgram } from "../../helpers/pulumi";
import { installMocks, settle } from "../../../plan/mock-runtime";
import { ModelConsumer, type ModelConsumerArgs } from "../../../components/models/model-consumer";
import { assertGrants } from "../../helpers/iam";

const DEFECT = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";
const BIKES = "arn:aws:sagemaker:us-east-1:444444444444:model/bikeshare-classifier-20261101";

/** ARNs the way AWS computes them, so the documents can be asserted exactly. */
const simulator = basicSimulator({
  outputs: (a) => {
    const inputs = a.inputs as Record<string, string>;
    if (a.type === "aws:ssm/parameter:Parameter") return { arn: `arn:aws:ssm:us-east-1:555555555555:parameter${inputs.name}` };
    if (a.type === "aws:iam/role:Role") return { arn: `arn:aws:iam::555555555555:role/${inputs.name}` };
    return undefined;
  },
});

function args(overrides: Partial<ModelConsumerArgs> = {}): ModelConsumerArgs {
  return {
    environment: "qa",
    models: {
      "defect-detector": { kind: "rekognition", versionArn: DEFECT },
      "bikeshare-classifier": { kind: "sagemaker", versionArn: BIKES },
    },
    mlAccountId: "444444444444",
    region: "us-east-1",
    ...overrides,
  };
}

describe("ModelConsumer", () => {
  it("stores each model's version ARN in /mlz/models/<model>/arn, and a SageMaker model's endpoint name in /endpoint, as plain String parameters", async () => {
    const { resources } = await recordProgram(() => new ModelConsumer("mc", args()), { simulator });
    const params = ofType(resources, "aws:ssm/parameter:Parameter");
    assert.deepEqual(params.map((p) => [p.name, p.inputs.name, p.inputs.type, p.inputs.insecureValue, p.inputs.value]).sort(), [
      ["mc-bikeshare-classifier-endpoint-parameter", "/mlz/models/bikeshare-classifier/endpoint", "String", "mlz-bikeshare-classifier-20261101", undefined],
      ["mc-bikeshare-classifier-parameter", "/mlz/models/bikeshare-classifier/arn", "String", BIKES, undefined],
      ["mc-defect-detector-parameter", "/mlz/models/defect-detector/arn", "String", DEFECT, undefined],
    ]);
  });

  it("lets a SageMaker model's application role read exactly its two parameters", async () => {
    const { resources, result } = await recordProgram(() => new ModelConsumer("mc", args()), { simulator });
    const doc = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "mc-bikeshare-classifier-app-permissions"), "policy");
    assertGrants(doc, {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "ssm:GetParameter",
          Resource: [
            "arn:aws:ssm:us-east-1:555555555555:parameter/mlz/models/bikeshare-classifier/arn",
            "arn:aws:ssm:us-east-1:555555555555:parameter/mlz/models/bikeshare-classifier/endpoint",
          ],
        },
        { Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::444444444444:role/mlz-model-access-qa" },
      ],
    });
    assert.deepEqual(result.endpointParameterNames, { "bikeshare-classifier": "/mlz/models/bikeshare-classifier/endpoint" });
  });

  it("publishes the endpoint name the ML account's hosting uses, also for long model names", async () => {
    const long = `arn:aws:sagemaker:us-east-1:444444444444:model/${"b".repeat(63)}`;
    const { resources } = await recordProgram(() => new ModelConsumer("mc", args({ models: { bikes: { kind: "sagemaker", versionArn: long } } })), { simulator });
    const value = only(resources, "aws:ssm/parameter:Parameter", "mc-bikes-endpoint-parameter").inputs.insecureValue as string;
    assert.equal(value.length, 63);
    assert.match(value, /^mlz-b{50}-[0-9a-f]{8}$/);
  });

  it("gives each model an application role trusted by the Lambda service only", async () => {
    const { resources } = await recordProgram(() => new ModelConsumer("mc", args()), { simulator });
    const role = only(resources, "aws:iam/role:Role", "mc-defect-detector-app-role");
    assert.equal(role.inputs.name, "mlz-app-defect-detector");
    const trust = parseJsonInput(role, "assumeRolePolicy");
    assert.equal(trust.Version, "2012-10-17");
    assertGrants(trust.Statement, [
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
  });

  it("lets the application role read exactly its parameter and assume exactly the environment's ML role, nothing more", async () => {
    const { resources } = await recordProgram(() => new ModelConsumer("mc", args()), { simulator });
    const policies = ofType(resources, "aws:iam/rolePolicy:RolePolicy");
    assert.deepEqual(policies.map((p) => p.name).sort(), ["mc-bikeshare-classifier-app-permissions", "mc-defect-detector-app-permissions"]);
    const policy = only(resources, "aws:iam/rolePolicy:RolePolicy", "mc-defect-detector-app-permissions");
    assert.equal(policy.inputs.role, "mc-defect-detector-app-role-id");
    const doc = parseJsonInput(policy, "policy");
    assert.equal(doc.Version, "2012-10-17");
    assert.equal(doc.Statement.length, 2);
    assertGrants([doc.Statement[0]], [{
      Effect: "Allow",
      Action: "ssm:GetParameter",
      Resource: "arn:aws:ssm:us-east-1:555555555555:parameter/mlz/models/defect-detector/arn",
    }]);
    assertGrants([doc.Statement[1]], [{
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Resource: "arn:aws:iam::444444444444:role/mlz-model-access-qa",
    }]);
    assert.deepEqual(ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment"), [], "no managed policies");
  });

  it("trusts extra exact role ARNs for the models that name them", async () => {
    const smokeRole = "arn:aws:iam::555555555555:role/model-smoke-test-fn-role-1a2b3c";
    const { resources } = await recordProgram(
      () => new ModelConsumer("mc", args({ additionalTrustedRoleArns: { "defect-detector": [pulumi.output(smokeRole)] } })),
      { simulator },
    );
    const trust = parseJsonInput(only(resources, "aws:iam/role:Role", "mc-defect-detector-app-role"), "assumeRolePolicy");
    assertGrants(trust.Statement, [
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
      { Effect: "Allow", Principal: { AWS: [smokeRole] }, Action: "sts:AssumeRole" },
    ]);
    const other = parseJsonInput(only(resources, "aws:iam/role:Role", "mc-bikeshare-classifier-app-role"), "assumeRolePolicy");
    assert.equal(other.Statement.length, 1);
  });

  it("names the prod role for prod and the partition's ARNs", async () => {
    const { resources } = await recordProgram(() => new ModelConsumer("mc", args({
      environment: "prod",
      partition: "aws-us-gov",
      region: "us-gov-west-1",
      models: { "defect-detector": { kind: "rekognition", versionArn: DEFECT.replace("arn:aws:", "arn:aws-us-gov:").replace("us-east-1", "us-gov-west-1") } },
    })), { simulator });
    const doc = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy"), "policy");
    assert.equal(doc.Statement[1].Resource, "arn:aws-us-gov:iam::444444444444:role/mlz-model-access-prod");
  });

  it("outputs names, ARNs and the version ARNs the parameters hold", async () => {
    const { result: mc } = await recordProgram(() => new ModelConsumer("mc", args({ mlAccountId: pulumi.output("444444444444") })), { simulator });
    assert.deepEqual(mc.parameterNames, {
      "bikeshare-classifier": "/mlz/models/bikeshare-classifier/arn",
      "defect-detector": "/mlz/models/defect-detector/arn",
    });
    assert.deepEqual(mc.appRoleNames, { "bikeshare-classifier": "mlz-app-bikeshare-classifier", "defect-detector": "mlz-app-defect-detector" });
    assert.deepEqual(await promiseOf(mc.modelVersionArns), { "bikeshare-classifier": BIKES, "defect-detector": DEFECT });
    assert.equal(await promiseOf(mc.appRoleArns["defect-detector"]), "arn:aws:iam::555555555555:role/mlz-app-defect-detector");
    assert.equal(await promiseOf(mc.modelAccessRoleArn), "arn:aws:iam::444444444444:role/mlz-model-access-qa");
  });

  it("declares nothing but the component for an environment without models", async () => {
    const { resources, result } = await recordProgram(() => new ModelConsumer("mc", args({ models: {} })), { simulator });
    assert.deepEqual(resources.map((r) => r.type), ["mlz:models:ModelConsumer"]);
    assert.deepEqual(await promiseOf(result.modelVersionArns), {});
  });

  it("fails the parameter with a resource error when a version is not in the ML account known only at deployment", async () => {
    // The check runs inside an apply: the runtime reports it as the failure of the parameter's
    // `insecureValue` (an unhandled rejection, which fails `pulumi up`), and the parameter is never created.
    const failure = new Promise<Error>((resolve) => process.once("unhandledRejection", (e) => resolve(e as Error)));
    const session = installMocks({ simulator, project: "ml-landing-zone", stack: "test" });
    new ModelConsumer("mc", args({
      mlAccountId: pulumi.output("999999999999"),
      models: { "defect-detector": { kind: "rekognition", versionArn: DEFECT } },
    }));
    const error = await failure;
    assert.equal(
      error.message,
      `error serializing property "insecureValue": [models.defect-detector.versionArn] must be in the ML account 999999999999; got account 444444444444 in '${DEFECT}'`,
    );
    assert.deepEqual(session.registrations.filter((r) => r.type === "aws:ssm/parameter:Parameter"), []);
  });

  describe("validation", () => {
    const cases: [string, Partial<ModelConsumerArgs>, string][] = [
      ["a bad environment", { environment: "QA" }, "[environment] must be a lower-case environment name such as 'qa' or 'prod'; got 'QA'"],
      ["a bad model name", { models: { "Defect_Detector": { kind: "rekognition", versionArn: DEFECT } } }, "[models] keys must be model names of lower-case letters, digits and '-' (at most 56 characters); got 'Defect_Detector'"],
      ["an S3 ARN", { models: { x: { kind: "rekognition", versionArn: "arn:aws:s3:::x" } } }, "[models.x.versionArn] expected a Rekognition project-version ARN (arn:aws:rekognition:<region>:<12-digit account>:project/<project>/version/<version>/<13-digit timestamp>); got 'arn:aws:s3:::x' (service 's3')"],
      ["a kind that does not match the ARN", { models: { x: { kind: "sagemaker", versionArn: DEFECT } } }, `[models.x.versionArn] expected a SageMaker model ARN (arn:aws:sagemaker:<region>:<12-digit account>:model/<model name>); got '${DEFECT}' (service 'rekognition')`],
      ["another region", { region: "eu-west-1" }, `[models.bikeshare-classifier.versionArn] must be in region eu-west-1, where this environment's endpoints are; got '${BIKES}'`],
      ["another partition", { partition: "aws-cn" }, `[models.bikeshare-classifier.versionArn] must be in partition 'aws-cn'; got '${BIKES}'`],
      ["another account (known now)", { mlAccountId: "123456789012" }, `[models.bikeshare-classifier.versionArn] must be in the ML account 123456789012; got account 444444444444 in '${BIKES}'`],
      ["trust for an unknown model", { additionalTrustedRoleArns: { nope: ["arn:aws:iam::555555555555:role/x"] } }, "[additionalTrustedRoleArns] names model 'nope', which is not in [models] (bikeshare-classifier, defect-detector)"],
    ];
    for (const [what, overrides, message] of cases) {
      it(`refuses ${what} before declaring any child`, async () => {
        const session = installMocks({ simulator, project: "ml-landing-zone", stack: "test" });
        assert.throws(() => new ModelConsumer("mc", args(overrides)), { message });
        await settle();
        assert.deepEqual(session.registrations.filter((r) => r.custom).map((r) => r.type), []);
      });
    }
  });
});
