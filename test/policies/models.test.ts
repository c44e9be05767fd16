import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { policyDocument, type PolicyStatement } from "../../components/iam/policy-document";
import {
  rekognitionProjectVersionArnsOnly,
  sagemakerEndpointConfigKms,
  sagemakerEndpointInstanceTypes,
  sagemakerModelNetworkIsolation,
} from "../../policies/models";
import { awsProvider, resourceMessages, STANDARD_TAGS } from "./util";

const VERSION_ARN = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";

function accessRole(resource: string | string[], action: string | string[] = "rekognition:DetectCustomLabels") {
  const statement: PolicyStatement = { Sid: "Detect", Effect: "Allow", Action: action, Resource: resource };
  return { name: "mlz-model-access-prod", assumeRolePolicy: "{}", inlinePolicies: [{ name: "models", policy: JSON.stringify(policyDocument([statement])) }] };
}

function endpointConfig(overrides: Record<string, unknown> = {}) {
  return {
    kmsKeyArn: "arn:aws:kms:us-east-1:666666666666:key/1234",
    productionVariants: [{ variantName: "primary", modelName: "bikeshare", instanceType: "ml.m5.large", initialInstanceCount: 1 }],
    ...overrides,
  };
}

function model(overrides: Record<string, unknown> = {}) {
  return {
    name: "bikeshare-classifier-20261101",
    executionRoleArn: "arn:aws:iam::666666666666:role/mlz-sagemaker",
    enableNetworkIsolation: true,
    vpcConfig: { subnets: ["subnet-1", "subnet-2"], securityGroupIds: ["sg-1"] },
    ...overrides,
  };
}

describe("policies/models", () => {
  describe("rekognition-project-version-arns-only", () => {
    it("passes DetectCustomLabels on a project-version ARN", async () => {
      assert.deepEqual(await resourceMessages(rekognitionProjectVersionArnsOnly, aws.iam.Role, accessRole(VERSION_ARN)), []);
    });
    it("reports a project ARN, a wildcard version and '*'", async () => {
      const bad = ["arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/1762078500000", "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/*", "*"];
      assert.deepEqual(await resourceMessages(rekognitionProjectVersionArnsOnly, aws.iam.Role, accessRole([VERSION_ARN, ...bad])), [
        "IAM inline policy 'models' statement 'Detect' must grant Rekognition access on project-version ARNs " +
          `(arn:aws:rekognition:<region>:<account>:project/<project>/version/<version>/<timestamp>) only; got '${bad.join("', '")}'.`,
      ]);
    });
    it("checks rekognition:* grants in managed policies, but not unrelated actions", async () => {
      const policy = (action: string) => ({ name: "p", policy: JSON.stringify(policyDocument([{ Effect: "Allow", Action: action, Resource: "*" }])) });
      assert.equal((await resourceMessages(rekognitionProjectVersionArnsOnly, aws.iam.Policy, policy("rekognition:*"))).length, 1);
      assert.deepEqual(await resourceMessages(rekognitionProjectVersionArnsOnly, aws.iam.Policy, policy("rekognition:DescribeProjects")), []);
    });
  });

  describe("sagemaker-endpoint-config-kms", () => {
    it("passes an instance-backed configuration with a key", async () => {
      assert.deepEqual(await resourceMessages(sagemakerEndpointConfigKms, aws.sagemaker.EndpointConfiguration, endpointConfig()), []);
    });
    it("reports a missing kmsKeyArn", async () => {
      assert.deepEqual(await resourceMessages(sagemakerEndpointConfigKms, aws.sagemaker.EndpointConfiguration, endpointConfig({ kmsKeyArn: undefined })), [
        "SageMaker endpoint configuration must set kmsKeyArn to encrypt the ML storage volumes.",
      ]);
    });
    it("does not require kmsKeyArn for serverless variants, but does for data capture", async () => {
      const props = endpointConfig({
        kmsKeyArn: undefined,
        productionVariants: [{ variantName: "primary", modelName: "m", serverlessConfig: { maxConcurrency: 5, memorySizeInMb: 2048 } }],
        dataCaptureConfig: { initialSamplingPercentage: 100, destinationS3Uri: "s3://x", captureOptions: [{ captureMode: "Input" }] },
      });
      assert.deepEqual(await resourceMessages(sagemakerEndpointConfigKms, aws.sagemaker.EndpointConfiguration, props), ["SageMaker endpoint data capture must set kmsKeyId."]);
    });
  });

  describe("sagemaker-model-network-isolation", () => {
    const prod = awsProvider(STANDARD_TAGS);
    it("passes an isolated model in a VPC in prod", async () => {
      assert.deepEqual(await resourceMessages(sagemakerModelNetworkIsolation, aws.sagemaker.Model, model(), { provider: prod }), []);
    });
    it("reports a prod model without VPC or isolation (environment from provider default tags)", async () => {
      const props = model({ vpcConfig: undefined, enableNetworkIsolation: false });
      assert.deepEqual(await resourceMessages(sagemakerModelNetworkIsolation, aws.sagemaker.Model, props, { provider: prod }), [
        "SageMaker model in 'prod' must run in a VPC (vpcConfig with subnets and securityGroupIds).",
        "SageMaker model in 'prod' must set enableNetworkIsolation to true.",
      ]);
    });
    it("uses the resource's own environment tag and ignores other environments", async () => {
      const props = model({ enableNetworkIsolation: undefined, tags: { environment: "qa" } });
      assert.deepEqual(await resourceMessages(sagemakerModelNetworkIsolation, aws.sagemaker.Model, props, { provider: prod }), []);
    });
    it("exempts configured models from isolation only", async () => {
      const props = model({ enableNetworkIsolation: undefined });
      assert.deepEqual(
        await resourceMessages(sagemakerModelNetworkIsolation, aws.sagemaker.Model, props, { provider: prod, options: { isolationExemptModels: ["bikeshare-classifier-20261101"] } }),
        [],
      );
    });
  });

  describe("sagemaker-endpoint-instance-types", () => {
    it("passes an allowed instance type", async () => {
      assert.deepEqual(await resourceMessages(sagemakerEndpointInstanceTypes, aws.sagemaker.EndpointConfiguration, endpointConfig()), []);
    });
    it("reports an instance type outside the configured allow-list", async () => {
      const props = endpointConfig({ productionVariants: [{ variantName: "primary", modelName: "m", instanceType: "ml.p4d.24xlarge" }] });
      assert.deepEqual(
        await resourceMessages(sagemakerEndpointInstanceTypes, aws.sagemaker.EndpointConfiguration, props, { options: { allowedInstanceTypes: ["ml.m5.large"] } }),
        ["SageMaker variant 'primary' must use an allowed instance type (ml.m5.large); got 'ml.p4d.24xlarge'."],
      );
    });
  });
});
