import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { basicSimulator, only, parseJsonInput, promiseOf, recordProgram } from "../../helpers/pulumi";
import { installMocks, settle } from "../../../plan/mock-runtime";
import { ModelSmokeTest, type ModelSmokeTestArgs } from "../../../components/models/smoke-test";
import { assertGrants } from "../../helpers/iam";

const APP_ROLE = "arn:aws:iam::555555555555:role/mlz-app-defect-detector";
const ML_ROLE = "arn:aws:iam::444444444444:role/mlz-model-access-qa";

const simulator = basicSimulator({
  outputs: (a) => {
    const inputs = a.inputs as Record<string, string>;
    if (a.type === "aws:iam/role:Role") return { arn: `arn:aws:iam::555555555555:role/${a.name}-abc1234`, name: `${a.name}-abc1234` };
    if (a.type === "aws:cloudwatch/logGroup:LogGroup") return { arn: `arn:aws:logs:us-east-1:555555555555:log-group:${inputs.name}` };
    if (a.type === "aws:lambda/function:Function") return { name: `${a.name}-f00d` };
    return undefined;
  },
});

function args(overrides: Partial<ModelSmokeTestArgs> = {}): ModelSmokeTestArgs {
  return {
    models: ["defect-detector"],
    appRoleArns: { "defect-detector": pulumi.output(APP_ROLE) },
    modelAccessRoleArn: pulumi.output(ML_ROLE),
    imageBucket: "mlz-qa-smoke-images",
    imageKey: "defect-detector/known-defect.jpg",
    subnetIds: [pulumi.output("subnet-a"), pulumi.output("subnet-b")],
    securityGroupIds: [pulumi.output("sg-endpoints")],
    ...overrides,
  };
}

describe("ModelSmokeTest", () => {
  it("runs the model-smoke-test bundle in the private subnets with the endpoint security group", async () => {
    const { resources, result } = await recordProgram(() => new ModelSmokeTest("st", args()), { simulator });
    const component = only(resources, "mlz:models:ModelSmokeTest", "st");
    const fnComponent = only(resources, "mlz:lambda:NodeFunction", "st-fn");
    assert.equal(fnComponent.parent, component.urn);
    const fn = only(resources, "aws:lambda/function:Function", "st-fn-function");
    assert.deepEqual(fn.inputs.vpcConfig, { subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-endpoints"] });
    assert.equal(fn.inputs.timeout, 60);
    assert.deepEqual((fn.inputs.environment as any).variables, {
      MODEL_NAMES: "defect-detector",
      MODEL_ACCESS_ROLE_ARN: ML_ROLE,
      APP_ROLE_ARNS: JSON.stringify({ "defect-detector": APP_ROLE }),
      TEST_IMAGE_BUCKET: "mlz-qa-smoke-images",
      TEST_IMAGE_KEY: "defect-detector/known-defect.jpg",
      MIN_CONFIDENCE: "50",
      PARAMETER_PREFIX: "/mlz/models",
    });
    assert.equal(await promiseOf(result.functionName), "st-fn-function-f00d");
    assert.equal(await promiseOf(result.roleArn), "arn:aws:iam::555555555555:role/st-fn-role-abc1234");
  });

  it("lets its own role assume exactly the application roles and read exactly the test image, besides its logs", async () => {
    const { resources } = await recordProgram(() => new ModelSmokeTest("st", args()), { simulator });
    const doc = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "st-fn-permissions"), "policy");
    assertGrants(doc.Statement, [
      {
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: ["arn:aws:logs:us-east-1:555555555555:log-group:/mlz/lambda/st-fn:*"],
      },
      { Effect: "Allow", Action: "sts:AssumeRole", Resource: [APP_ROLE] },
      { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::mlz-qa-smoke-images/defect-detector/known-defect.jpg" },
    ]);
    const statements = JSON.stringify(doc);
    for (const forbidden of ["ssm:", "rekognition:", "kms:", "s3:ListBucket", "\"*\""]) assert.equal(statements.includes(forbidden), false, forbidden);
  });

  it("may decrypt an SSE-KMS image with exactly its key, only through S3 in the key's region, and names ARNs in the given partition", async () => {
    const key = "arn:aws-us-gov:kms:us-gov-west-1:555555555555:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const { resources } = await recordProgram(() => new ModelSmokeTest("st", args({ imageKmsKeyArn: key, partition: "aws-us-gov" })), { simulator });
    const doc = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "st-fn-permissions"), "policy");
    assertGrants(doc.Statement.slice(2), [
      { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws-us-gov:s3:::mlz-qa-smoke-images/defect-detector/known-defect.jpg" },
      {
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: key,
        Condition: { StringEquals: { "kms:ViaService": "s3.us-gov-west-1.amazonaws.com" } },
      },
    ]);
  });

  describe("validation", () => {
    const cases: [string, Partial<ModelSmokeTestArgs>, string][] = [
      ["no models", { models: [] }, "[models] must name at least one model; got []"],
      ["a model without application role", { models: ["defect-detector", "other"] }, "[appRoleArns] must hold the application role of every model in [models]; missing 'other'"],
      ["a bad bucket", { imageBucket: "s3://bucket" }, "[imageBucket] must be an S3 bucket name; got 's3://bucket'"],
      ["a key with a leading slash", { imageKey: "/a.jpg" }, "[imageKey] must be an object key without a leading '/'; got '/a.jpg'"],
      ["a key with an IAM wildcard", { imageKey: "images/*.jpg" }, "[imageKey] must not contain '*', '?' or '${' (the function's policy grants exactly that object); got 'images/*.jpg'"],
      ["a key with a policy variable", { imageKey: "${aws:username}.jpg" }, "[imageKey] must not contain '*', '?' or '${' (the function's policy grants exactly that object); got '${aws:username}.jpg'"],
      ["a KMS alias for the image key", { imageKmsKeyArn: "arn:aws:kms:us-east-1:555555555555:alias/images" }, "[imageKmsKeyArn] must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>); got 'arn:aws:kms:us-east-1:555555555555:alias/images'"],
      ["an unknown partition", { partition: "aws-mars" }, "[partition] must be aws, aws-cn or aws-us-gov; got 'aws-mars'"],
      ["a confidence above 100", { minConfidence: 101 }, "[minConfidence] must be from 0 to 100; got 101"],
      ["no subnets", { subnetIds: [] }, "[subnetIds] must hold at least one private subnet"],
      ["no security groups", { securityGroupIds: [] }, "[securityGroupIds] must hold at least one security group"],
    ];
    for (const [what, overrides, message] of cases) {
      it(`refuses ${what} before declaring any child`, async () => {
        const session = installMocks({ simulator, project: "ml-landing-zone", stack: "test" });
        assert.throws(() => new ModelSmokeTest("st", args(overrides)), { message });
        await settle();
        assert.deepEqual(session.registrations.filter((r) => r.type !== "mlz:models:ModelSmokeTest").map((r) => r.type), []);
      });
    }
  });
});
