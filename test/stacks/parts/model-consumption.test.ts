import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { basicSimulator, ofType, only, parseJsonInput, promiseOf, recordProgram, type Registration } from "../../helpers/pulumi";
import type { StackContext } from "../../../stacks/context";
import type { ConsumedModel } from "../../../stacks/config";
import * as path from "node:path";
import {
  DEFAULT_SMOKE_TEST_IMAGE,
  declareModelConsumption,
  modelConsumptionConfigSchema,
  smokeTestImageFile,
  type ModelConsumptionConfig,
} from "../../../stacks/parts/model-consumption";
import { stackFilesIn } from "../../../stacks/config";
import { assertGrants } from "../../helpers/iam";

const DEFECT = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";
const BIKES = "arn:aws:sagemaker:us-east-1:444444444444:model/bikeshare-classifier-20261101";
const MODELS: Record<string, ConsumedModel> = {
  "defect-detector": { kind: "rekognition", versionArn: DEFECT },
  "bikeshare-classifier": { kind: "sagemaker", versionArn: BIKES },
};

const simulator = basicSimulator({
  outputs: (a) => {
    const inputs = a.inputs as Record<string, string>;
    switch (a.type) {
      case "aws:iam/role:Role": {
        const name = inputs.name ?? `${a.name}-abc1234`;
        return { arn: `arn:aws:iam::555555555555:role/${name}`, name };
      }
      case "aws:ssm/parameter:Parameter": return { arn: `arn:aws:ssm:us-east-1:555555555555:parameter${inputs.name}` };
      case "aws:cloudwatch/logGroup:LogGroup": return { arn: `arn:aws:logs:us-east-1:555555555555:log-group:${inputs.name}` };
      case "aws:lambda/function:Function": return { name: `${a.name}-f00d` };
      case "aws:ec2/vpcEndpoint:VpcEndpoint": return { prefixListId: "pl-63a5400a" };
      default: return undefined;
    }
  },
});

function context(stack: string, provider: aws.Provider): StackContext {
  return {
    stack,
    role: "workload",
    region: "us-east-1",
    partition: "aws",
    accountId: pulumi.output(stack === "prod" ? "666666666666" : "555555555555"),
    accountIds: pulumi.output<Record<string, string>>({ management: "111111111111", ml: "444444444444", qa: "555555555555", prod: "666666666666" }),
    organizationId: pulumi.output("o-abc123def4"),
    provider,
    tags: { environment: stack, owner: "ml-platform@example.com", pipeline: "platform" },
    stackFiles: stackFilesIn(),
  };
}

const parse = (raw: unknown) => modelConsumptionConfigSchema.parse(raw);

async function run(stack: string, cfg: ModelConsumptionConfig, models: Record<string, ConsumedModel> = MODELS) {
  return recordProgram(() => {
    const provider = new aws.Provider("account", { region: "us-east-1" });
    const ctx = context(stack, provider);
    return declareModelConsumption(ctx, cfg, models, ctx.accountIds.apply((a) => a.ml));
  }, { simulator, stack });
}

async function resolveAll(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(outputs)) out[k] = pulumi.Output.isInstance(v) ? await promiseOf(v as pulumi.Output<unknown>) : v;
  return out;
}

describe("model consumption part", () => {
  describe("config schema", () => {
    it("defaults the network and leaves the smoke test out", () => {
      assert.deepEqual(parse({}), { modelNetwork: { cidrBlock: "10.40.0.0/16" } });
    });

    it("accepts a full configuration and defaults the confidence", () => {
      assert.deepEqual(parse({
        modelNetwork: { cidrBlock: "10.50.0.0/16", availabilityZoneIds: ["use1-az1", "use1-az4"] },
        modelSmokeTest: { model: "defect-detector", imageBucket: "b", imageKey: "k.jpg" },
      }), {
        modelNetwork: { cidrBlock: "10.50.0.0/16", availabilityZoneIds: ["use1-az1", "use1-az4"] },
        modelSmokeTest: { model: "defect-detector", imageBucket: "b", imageKey: "k.jpg", imageFile: "assets/smoke-test/known-image.png", minConfidence: 50 },
      });
    });

    it("takes the KMS key of an SSE-KMS image bucket, and refuses an alias", () => {
      const key = "arn:aws:kms:us-east-1:555555555555:key/1234abcd-12ab-34cd-56ef-1234567890ab";
      assert.equal(parse({ modelSmokeTest: { model: "m", imageBucket: "b", imageKey: "k", imageKmsKeyArn: key } }).modelSmokeTest?.imageKmsKeyArn, key);
      const alias = modelConsumptionConfigSchema.safeParse({ modelSmokeTest: { model: "m", imageBucket: "b", imageKey: "k", imageKmsKeyArn: "alias/images" } });
      assert.deepEqual(alias.error?.issues.map((i) => [i.path.join("."), i.message]), [["modelSmokeTest.imageKmsKeyArn", "expected a KMS key ARN; got 'alias/images'"]]);
    });

    it("refuses one zone and unknown keys", () => {
      const one = modelConsumptionConfigSchema.safeParse({ modelNetwork: { availabilityZoneIds: ["use1-az1"] } });
      assert.equal(one.success, false);
      assert.deepEqual(one.error!.issues.map((i) => [i.path.join("."), i.message]), [["modelNetwork.availabilityZoneIds", "expected at least 2 availability zone IDs"]]);
      const names = modelConsumptionConfigSchema.safeParse({ modelNetwork: { availabilityZoneIds: ["us-east-1a", "us-east-1b"] } });
      assert.deepEqual(names.error!.issues.map((i) => [i.path.join("."), i.message]), [
        ["modelNetwork.availabilityZoneIds.0", "expected an availability zone ID such as 'use1-az1' (not a zone name such as 'us-east-1a'); got 'us-east-1a'"],
        ["modelNetwork.availabilityZoneIds.1", "expected an availability zone ID such as 'use1-az1' (not a zone name such as 'us-east-1a'); got 'us-east-1b'"],
      ]);
      const extra = modelConsumptionConfigSchema.safeParse({ modelNetwork: { cidr: "10.0.0.0/16" } });
      assert.equal(extra.success, false);
      assert.deepEqual(extra.error!.issues.map((i) => i.path.join(".")), ["modelNetwork"]);
    });
  });

  describe("qa with a smoke test", () => {
    let resources: Registration[];
    let outputs: Record<string, unknown>;

    before(async () => {
      const recorded = await run("qa", parse({
        modelSmokeTest: { model: "defect-detector", imageBucket: "mlz-qa-smoke-images", imageKey: "defect-detector/known-defect.jpg" },
      }));
      resources = recorded.resources;
      outputs = await resolveAll(recorded.result as unknown as Record<string, unknown>);
    });

    it("creates the image bucket hardened and uploads the repository's known image, before the function", () => {
      const bucket = only(resources, "aws:s3/bucket:Bucket", "model-smoke-test-images-bucket");
      assert.equal(bucket.inputs.bucket, "mlz-qa-smoke-images");
      const block = only(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "model-smoke-test-images-public-access-block");
      assert.deepEqual([block.inputs.blockPublicAcls, block.inputs.blockPublicPolicy, block.inputs.ignorePublicAcls, block.inputs.restrictPublicBuckets], [true, true, true, true]);
      only(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "model-smoke-test-images-encryption");
      const tls = parseJsonInput(only(resources, "aws:s3/bucketPolicy:BucketPolicy", "model-smoke-test-images-policy"), "policy");
      const [deny] = tls.Statement;
      assert.deepEqual([deny.Effect, deny.Principal, deny.Action, deny.Condition], ["Deny", "*", "s3:*", { Bool: { "aws:SecureTransport": "false" } }], "TLS only");
      const object = only(resources, "aws:s3/bucketObjectv2:BucketObjectv2", "model-smoke-test-image");
      assert.equal(object.inputs.bucket, bucket.outputs.bucket ?? "mlz-qa-smoke-images");
      assert.equal(object.inputs.key, "defect-detector/known-defect.jpg");
      assert.equal(object.inputs.contentType, "image/png");
      assert.ok(object.inputs.source !== undefined, "uploads a file asset");
      assert.equal(smokeTestImageFile(DEFAULT_SMOKE_TEST_IMAGE).path, path.resolve(__dirname, "../../../assets/smoke-test/known-image.png"));
      const fn = only(resources, "mlz:models:ModelSmokeTest");
      assert.ok(fn.dependencies.includes(object.urn), "the smoke test waits for the image");
    });

    it("refuses an image file that is missing or not PNG/JPEG", () => {
      assert.throws(() => smokeTestImageFile("assets/smoke-test/missing.png"), { message: "ml-landing-zone:modelSmokeTest.imageFile: 'assets/smoke-test/missing.png' does not exist (paths are relative to the repository root)" });
      assert.throws(() => smokeTestImageFile("assets/smoke-test/README.md"), { message: "ml-landing-zone:modelSmokeTest.imageFile: expected a .png, .jpg or .jpeg file; got 'assets/smoke-test/README.md'" });
      assert.deepEqual(smokeTestImageFile(DEFAULT_SMOKE_TEST_IMAGE).contentType, "image/png");
    });

    it("returns the outputs the stack exports", () => {
      assert.deepEqual(outputs, {
        modelVersionArns: { "bikeshare-classifier": BIKES, "defect-detector": DEFECT },
        modelEndpointIds: {
          rekognition: "model-network-vpce-rekognition-id",
          sts: "model-network-vpce-sts-id",
          ssm: "model-network-vpce-ssm-id",
          "sagemaker.runtime": "model-network-vpce-sagemaker.runtime-id",
          s3: "model-network-vpce-s3-id",
        },
        modelParameterNames: {
          "bikeshare-classifier": "/mlz/models/bikeshare-classifier/arn",
          "defect-detector": "/mlz/models/defect-detector/arn",
        },
        modelAppRoleArns: {
          "bikeshare-classifier": "arn:aws:iam::555555555555:role/mlz-app-bikeshare-classifier",
          "defect-detector": "arn:aws:iam::555555555555:role/mlz-app-defect-detector",
        },
        smokeTestFunctionName: "model-smoke-test-fn-function-f00d",
        vpcId: "model-network-vpc-id",
        privateSubnetIds: ["model-network-subnet-use1-az1-id", "model-network-subnet-use1-az2-id"],
        endpointSecurityGroupId: "model-network-endpoints-sg-id",
      });
    });

    it("builds the network in zone IDs <code>-az1 and <code>-az2 by default", () => {
      assert.deepEqual(ofType(resources, "aws:ec2/subnet:Subnet").map((s) => [s.inputs.availabilityZoneId, s.inputs.availabilityZone, s.inputs.cidrBlock]).sort(), [
        ["use1-az1", undefined, "10.40.0.0/18"],
        ["use1-az2", undefined, "10.40.64.0/18"],
      ]);
    });

    it("sends every resource to the stack's provider", () => {
      for (const r of resources.filter((x) => x.custom && x.type !== "pulumi:providers:aws")) {
        assert.match(r.provider ?? "", /::pulumi:providers:aws::account::/, `${r.type}/${r.name}`);
      }
    });

    it("chains the smoke test into the application role: each trusts or targets exactly the other", () => {
      const smokeRoleArn = "arn:aws:iam::555555555555:role/model-smoke-test-fn-role-abc1234";
      const appRole = only(resources, "aws:iam/role:Role", "model-consumer-defect-detector-app-role");
      assertGrants([parseJsonInput(appRole, "assumeRolePolicy").Statement[1]], [{
        Effect: "Allow", Principal: { AWS: [smokeRoleArn] }, Action: "sts:AssumeRole",
      }]);
      const smokePolicy = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "model-smoke-test-fn-permissions"), "policy");
      assertGrants([smokePolicy.Statement[1]], [{
        Effect: "Allow", Action: "sts:AssumeRole", Resource: ["arn:aws:iam::555555555555:role/mlz-app-defect-detector"],
      }]);
      assertGrants(smokePolicy.Statement.slice(2), [{
        Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::mlz-qa-smoke-images/defect-detector/known-defect.jpg",
      }], "reads exactly the image in its own account; nothing else, no KMS without a configured key");
      const bikesRole = only(resources, "aws:iam/role:Role", "model-consumer-bikeshare-classifier-app-role");
      assert.equal(parseJsonInput(bikesRole, "assumeRolePolicy").Statement.length, 1);
    });

    it("points the function at qa's ML role and at the endpoint network", () => {
      const fn = only(resources, "aws:lambda/function:Function", "model-smoke-test-fn-function");
      const vars = (fn.inputs.environment as any).variables;
      assert.equal(vars.MODEL_ACCESS_ROLE_ARN, "arn:aws:iam::444444444444:role/mlz-model-access-qa");
      assert.equal(vars.MODEL_NAMES, "defect-detector");
      assert.deepEqual(fn.inputs.vpcConfig, {
        subnetIds: ["model-network-subnet-use1-az1-id", "model-network-subnet-use1-az2-id"],
        securityGroupIds: ["model-network-endpoints-sg-id"],
      });
      assert.equal(vars.TEST_IMAGE_BUCKET, "mlz-qa-smoke-images");
      assert.equal(vars.TEST_IMAGE_KEY, "defect-detector/known-defect.jpg");
      const appPolicy = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "model-consumer-defect-detector-app-permissions"), "policy");
      assert.equal(appPolicy.Statement[1].Resource, "arn:aws:iam::444444444444:role/mlz-model-access-qa");
      assert.equal(JSON.stringify(appPolicy).includes("s3:"), false, "the application role stays as it was: parameter and ML role only");
    });
  });

  it("grants decryption of an SSE-KMS test image through S3 when its key is configured", async () => {
    const key = "arn:aws:kms:us-east-1:666666666666:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const { resources } = await run("prod", parse({
      modelSmokeTest: { model: "defect-detector", imageBucket: "mlz-prod-smoke-images", imageKey: "coffee.png", imageKmsKeyArn: key },
    }));
    const doc = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "model-smoke-test-fn-permissions"), "policy");
    assertGrants(doc.Statement.slice(2), [
      { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::mlz-prod-smoke-images/coffee.png" },
      { Effect: "Allow", Action: "kms:Decrypt", Resource: key, Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } } },
    ]);
  });

  it("declares no function without a smoke test, and names prod's ML role in prod", async () => {
    const { resources, result } = await run("prod", parse({ modelNetwork: { cidrBlock: "10.50.0.0/16" } }));
    assert.equal(result.smokeTestFunctionName, undefined);
    assert.deepEqual(ofType(resources, "aws:lambda/function:Function"), []);
    const doc = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "model-consumer-defect-detector-app-permissions"), "policy");
    assert.equal(doc.Statement[1].Resource, "arn:aws:iam::444444444444:role/mlz-model-access-prod");
    assert.equal(only(resources, "aws:ec2/vpc:Vpc").inputs.cidrBlock, "10.50.0.0/16");
  });
});
