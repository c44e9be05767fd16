import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import {
  cloudfrontHttpsOnly,
  cloudfrontS3OriginAccessControl,
  cloudfrontTlsMinimum,
  firehoseEncrypted,
  lambdaAsyncFailureDestination,
  lambdaFunctionUrlAuth,
  lambdaSupportedRuntime,
} from "../../policies/functions";
import { resourceMessages, runStackPolicy, urnOf, type StackResourceSpec } from "./util";

const FN_ARN = "arn:aws:lambda:us-east-1:333333333333:function:mlz-bikeshare-transform";

function distribution(overrides: Record<string, unknown> = {}) {
  return {
    enabled: true,
    origins: [{ originId: "site", domainName: "mlz-site.s3.us-east-1.amazonaws.com", originAccessControlId: "oac-1" }],
    defaultCacheBehavior: { targetOriginId: "site", viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"] },
    restrictions: { geoRestriction: { restrictionType: "none" } },
    viewerCertificate: { acmCertificateArn: "arn:aws:acm:us-east-1:111111111111:certificate/1", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
    ...overrides,
  };
}

const customOrigin = (originProtocolPolicy: string, originSslProtocols: string[]) => ({
  originId: "api",
  domainName: "api.example.com",
  customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy, originSslProtocols },
});

/** An S3-triggered function with its failure destination. */
function asyncStack(): StackResourceSpec[] {
  return [
    { cls: aws.lambda.Function, name: "transform", props: { name: "mlz-bikeshare-transform", arn: FN_ARN, runtime: "nodejs22.x", role: "r" } },
    { cls: aws.lambda.Permission, name: "transform-s3", props: { action: "lambda:InvokeFunction", function: "mlz-bikeshare-transform", principal: "s3.amazonaws.com" } },
    {
      cls: aws.lambda.FunctionEventInvokeConfig,
      name: "transform-invoke",
      props: { functionName: FN_ARN, destinationConfig: { onFailure: { destination: "arn:aws:sqs:us-east-1:333333333333:mlz-failures" } } },
    },
  ];
}

describe("policies/functions", () => {
  describe("lambda-supported-runtime", () => {
    it("passes nodejs22.x and skips container images", async () => {
      assert.deepEqual(await resourceMessages(lambdaSupportedRuntime, aws.lambda.Function, { role: "r", runtime: "nodejs22.x" }), []);
      assert.deepEqual(await resourceMessages(lambdaSupportedRuntime, aws.lambda.Function, { role: "r", packageType: "Image", imageUri: "x" }), []);
    });
    it("reports a deprecated runtime", async () => {
      const messages = await resourceMessages(lambdaSupportedRuntime, aws.lambda.Function, { role: "r", runtime: "nodejs16.x" }, { options: { allowedRuntimes: ["nodejs20.x", "nodejs22.x"] } });
      assert.deepEqual(messages, ["Lambda function must use a supported runtime (nodejs20.x, nodejs22.x); got 'nodejs16.x'."]);
    });
  });

  describe("lambda-async-failure-destination", () => {
    it("passes an S3-triggered function with an on-failure destination", async () => {
      assert.deepEqual((await runStackPolicy(lambdaAsyncFailureDestination, asyncStack())).violations, []);
    });
    it("reports an S3-triggered function without one", async () => {
      const specs = asyncStack().filter((s) => s.name !== "transform-invoke");
      assert.deepEqual((await runStackPolicy(lambdaAsyncFailureDestination, specs)).violations, [
        {
          message:
            "Lambda function 'mlz-bikeshare-transform' is invoked asynchronously and must have an on-failure destination (FunctionEventInvokeConfig destinationConfig.onFailure).",
          urn: urnOf(aws.lambda.Function, "transform"),
        },
      ]);
    });
    it("reports an invoke config with only a success destination; accepts a dead-letter queue", async () => {
      const specs = asyncStack().map((s) =>
        s.name === "transform-invoke" ? { ...s, props: { functionName: "mlz-bikeshare-transform", destinationConfig: { onSuccess: { destination: "arn:q" } } } } : s,
      );
      assert.equal((await runStackPolicy(lambdaAsyncFailureDestination, specs)).violations.length, 1);
      const dlq = specs.map((s) => (s.name === "transform" ? { ...s, props: { ...s.props, deadLetterConfig: { targetArn: "arn:aws:sqs:us-east-1:3:dlq" } } } : s));
      assert.deepEqual((await runStackPolicy(lambdaAsyncFailureDestination, dlq)).violations, []);
      assert.equal((await runStackPolicy(lambdaAsyncFailureDestination, dlq, { acceptDeadLetterQueue: false })).violations.length, 1);
    });
    it("ignores synchronously invoked functions", async () => {
      const specs: StackResourceSpec[] = [
        asyncStack()[0],
        { cls: aws.lambda.Permission, name: "api", props: { action: "lambda:InvokeFunction", function: FN_ARN, principal: "apigateway.amazonaws.com" } },
      ];
      assert.deepEqual((await runStackPolicy(lambdaAsyncFailureDestination, specs)).violations, []);
    });
  });

  describe("lambda-function-url-auth", () => {
    it("passes AWS_IAM", async () => {
      assert.deepEqual(await resourceMessages(lambdaFunctionUrlAuth, aws.lambda.FunctionUrl, { functionName: "f", authorizationType: "AWS_IAM" }), []);
    });
    it("reports NONE on the URL and on a permission", async () => {
      assert.deepEqual(await resourceMessages(lambdaFunctionUrlAuth, aws.lambda.FunctionUrl, { functionName: "f", authorizationType: "NONE" }), [
        "Lambda Function URL must use authorizationType 'AWS_IAM'; got 'NONE'.",
      ]);
      const permission = { action: "lambda:InvokeFunctionUrl", function: "f", principal: "*", functionUrlAuthType: "NONE" };
      assert.deepEqual(await resourceMessages(lambdaFunctionUrlAuth, aws.lambda.Permission, permission), [
        "Lambda permission must not grant Function URL access with functionUrlAuthType 'NONE'.",
      ]);
    });
  });

  describe("cloudfront-https-only", () => {
    it("passes redirect-to-https and https-only origins", async () => {
      const props = distribution({ origins: [...distribution().origins, customOrigin("https-only", ["TLSv1.2"])] });
      assert.deepEqual(await resourceMessages(cloudfrontHttpsOnly, aws.cloudfront.Distribution, props), []);
    });
    it("reports allow-all behaviors and http-only origins", async () => {
      const props = distribution({
        orderedCacheBehaviors: [{ pathPattern: "/api/*", targetOriginId: "api", viewerProtocolPolicy: "allow-all", allowedMethods: ["GET"], cachedMethods: ["GET"] }],
        origins: [customOrigin("http-only", ["TLSv1.2"])],
      });
      assert.deepEqual(await resourceMessages(cloudfrontHttpsOnly, aws.cloudfront.Distribution, props), [
        "CloudFront cache behavior '/api/*' must use viewerProtocolPolicy 'https-only' or 'redirect-to-https'; got 'allow-all'.",
        "CloudFront origin 'api' must use originProtocolPolicy 'https-only'; got 'http-only'.",
      ]);
    });
  });

  describe("cloudfront-tls-minimum", () => {
    it("passes TLSv1.2_2021 with an ACM certificate", async () => {
      assert.deepEqual(await resourceMessages(cloudfrontTlsMinimum, aws.cloudfront.Distribution, distribution()), []);
    });
    it("reports the default certificate", async () => {
      assert.deepEqual(await resourceMessages(cloudfrontTlsMinimum, aws.cloudfront.Distribution, distribution({ viewerCertificate: { cloudfrontDefaultCertificate: true } })), [
        "CloudFront distribution must use its own certificate with minimumProtocolVersion TLSv1.2_2018 or later; the default certificate accepts TLSv1.",
      ]);
    });
    it("reports TLSv1.1 towards viewers and origins, against a configured minimum", async () => {
      const props = distribution({
        viewerCertificate: { acmCertificateArn: "arn:aws:acm:us-east-1:1:certificate/1", minimumProtocolVersion: "TLSv1.2_2019" },
        origins: [customOrigin("https-only", ["TLSv1.1", "TLSv1.2"])],
      });
      assert.deepEqual(await resourceMessages(cloudfrontTlsMinimum, aws.cloudfront.Distribution, props, { options: { minimumProtocolVersion: "TLSv1.2_2021" } }), [
        "CloudFront distribution must set minimumProtocolVersion TLSv1.2_2021 or later; got 'TLSv1.2_2019'.",
        "CloudFront origin 'api' must only allow TLSv1.2 or later; got 'TLSv1.1'.",
      ]);
    });
  });

  describe("cloudfront-s3-origin-access-control", () => {
    it("passes an S3 origin with origin access control", async () => {
      assert.deepEqual(await resourceMessages(cloudfrontS3OriginAccessControl, aws.cloudfront.Distribution, distribution()), []);
    });
    it("reports an S3 origin with a legacy identity and a website origin", async () => {
      const props = distribution({
        origins: [
          { originId: "site", domainName: "mlz-site.s3.amazonaws.com", s3OriginConfig: { originAccessIdentity: "origin-access-identity/cloudfront/E1" } },
          { originId: "www", domainName: "mlz-www.s3-website-us-east-1.amazonaws.com", customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "http-only", originSslProtocols: ["TLSv1.2"] } },
        ],
      });
      assert.deepEqual(await resourceMessages(cloudfrontS3OriginAccessControl, aws.cloudfront.Distribution, props), [
        "CloudFront S3 origin 'site' must set originAccessControlId.",
        "CloudFront S3 origin 'site' must not use a legacy origin access identity.",
        "CloudFront origin 'www' must reach S3 through the REST endpoint with origin access control, not a public website endpoint.",
      ]);
    });
  });

  describe("firehose-encrypted", () => {
    const stream = (overrides: Record<string, unknown> = {}) => ({
      destination: "extended_s3",
      extendedS3Configuration: { bucketArn: "arn:aws:s3:::mlz-lake-raw", roleArn: "arn:aws:iam::3:role/firehose" },
      serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: "arn:aws:kms:us-east-1:3:key/1" },
      ...overrides,
    });
    it("passes an encrypted direct-put stream and a Kinesis-sourced one", async () => {
      assert.deepEqual(await resourceMessages(firehoseEncrypted, aws.kinesis.FirehoseDeliveryStream, stream()), []);
      const kinesis = stream({ serverSideEncryption: undefined, kinesisSourceConfiguration: { kinesisStreamArn: "arn:k", roleArn: "arn:r" } });
      assert.deepEqual(await resourceMessages(firehoseEncrypted, aws.kinesis.FirehoseDeliveryStream, kinesis), []);
    });
    it("reports a stream without server-side encryption", async () => {
      assert.deepEqual(await resourceMessages(firehoseEncrypted, aws.kinesis.FirehoseDeliveryStream, stream({ serverSideEncryption: { enabled: false } })), [
        "Firehose delivery stream must enable serverSideEncryption.",
      ]);
    });
    it("requires a customer managed key when configured", async () => {
      const props = stream({ serverSideEncryption: { enabled: true, keyType: "AWS_OWNED_CMK" } });
      assert.deepEqual(await resourceMessages(firehoseEncrypted, aws.kinesis.FirehoseDeliveryStream, props), []);
      assert.deepEqual(await resourceMessages(firehoseEncrypted, aws.kinesis.FirehoseDeliveryStream, props, { options: { requireCustomerManagedKey: true } }), [
        "Firehose delivery stream must encrypt with a customer managed KMS key (keyType CUSTOMER_MANAGED_CMK and keyArn).",
      ]);
    });
  });
});
