import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import {
  ACCOUNT_ROOT_ARN,
  CLOUDFRONT_CERTIFICATE_ARN,
  IAM_PRINCIPAL_ARN,
  IAM_ROLE_ARN,
  IAM_ROLE_RESOURCE,
  KMS_ALIAS_ARN,
  KMS_KEY_ARN,
  KMS_KEY_ARN_OR_ANY_KEY,
  REGION_NAME,
  SNS_TOPIC_ARN,
  isAccountPrincipal,
  regionOfArn,
  accountOfArn,
  accountRootArn,
  arn,
  awsManagedPolicyArn,
  isAccountId,
  isAwsRegion,
  isRoleName,
  partitionOf,
  policyArn,
  roleArn,
  s3Arn,
  sessionDuration,
} from "../../components/aws";

const value = <T>(o: pulumi.Input<T>): Promise<T> => new Promise((r) => pulumi.output(o).apply(r as (v: unknown) => void));

describe("components/aws", () => {
  it("maps each region of the one table to its partition and refuses others, naming unsupported partitions", () => {
    assert.equal(partitionOf("eu-west-1"), "aws");
    assert.equal(partitionOf("cn-north-1"), "aws-cn");
    assert.equal(partitionOf("us-gov-east-1"), "aws-us-gov");
    assert.equal(isAwsRegion("us-east-1"), true);
    assert.equal(isAwsRegion("us-east-9"), false);
    assert.throws(() => partitionOf("us-east-9"), { message: "'us-east-9' is not an AWS region" });
    assert.throws(() => partitionOf("us-isof-south-1"), { message: "'us-isof-south-1' is in partition 'aws-iso-f', which is not supported; supported partitions: aws, aws-cn, aws-us-gov" });
  });

  it("checks account ids, role names and role ARNs", () => {
    assert.equal(isAccountId("123456789012"), true);
    assert.equal(isAccountId("12345678901"), false);
    assert.equal(isAccountId(123456789012), false);
    assert.equal(isRoleName("mlz-deploy"), true);
    assert.equal(isRoleName("mlz-*"), false);
    assert.equal(isRoleName("x".repeat(65)), false);
    assert.equal(IAM_ROLE_ARN.test("arn:aws-us-gov:iam::123456789012:role/path/r"), true);
    assert.equal(IAM_ROLE_ARN.test("arn:aws:iam::123456789012:role/*"), false);
    assert.deepEqual(IAM_PRINCIPAL_ARN.exec("arn:aws-cn:iam::123456789012:user/u")?.slice(1, 3), ["aws-cn", "123456789012"]);
    assert.equal(accountOfArn("arn:aws:iam::123456789012:role/r"), "123456789012");
    assert.deepEqual(IAM_ROLE_ARN.exec("arn:aws:iam::123456789012:role/service-role/mlz-x")?.slice(1), ["aws", "123456789012", "service-role/mlz-x"]);
    assert.equal(IAM_ROLE_ARN.test("arn:aws:iam::123456789012:role/" + "x".repeat(65)), false, "role names are at most 64 characters");
    assert.equal(IAM_ROLE_ARN.test("arn:aws:iam::123456789012:role/path/"), false);
    assert.equal(IAM_ROLE_ARN.test("arn:aws-iso:iam::123456789012:role/r"), false);
    assert.equal(IAM_PRINCIPAL_ARN.test("arn:aws:iam::123456789012:root"), false);
    assert.deepEqual(IAM_ROLE_RESOURCE.exec("arn:aws:iam::123456789012:role/mlz-*")?.slice(1), ["aws", "123456789012", "mlz-*"]);
    assert.deepEqual(ACCOUNT_ROOT_ARN.exec("arn:aws-us-gov:iam::123456789012:root")?.slice(1), ["aws-us-gov", "123456789012"]);
    assert.equal(isAccountPrincipal("123456789012"), true);
    assert.equal(isAccountPrincipal("arn:aws:iam::123456789012:root"), true);
    assert.equal(isAccountPrincipal("arn:aws:iam::123456789012:role/r"), false);
  });

  it("checks region names, KMS key and alias ARNs, CloudFront certificates and SNS topics in the three partitions", () => {
    for (const r of ["us-east-1", "ap-southeast-7", "cn-northwest-1", "us-gov-west-1"]) assert.equal(REGION_NAME.test(r), true, r);
    for (const r of ["us-isob-east-1", "us-east", "US-EAST-1", "us-east-1a"]) assert.equal(REGION_NAME.test(r), false, r);
    assert.equal(regionOfArn("arn:aws:kms:eu-west-1:123456789012:key/x"), "eu-west-1");
    assert.equal(regionOfArn("arn:aws:iam::123456789012:role/r"), "");
    assert.equal(regionOfArn("not-an-arn"), undefined);
    const uuid = "0d6f2f1e-3c4b-4a59-9e8d-7b6a5c4d3e2f";
    assert.deepEqual(KMS_KEY_ARN.exec(`arn:aws-cn:kms:cn-north-1:123456789012:key/${uuid}`)?.slice(1), ["aws-cn", "cn-north-1", "123456789012", uuid]);
    assert.equal(KMS_KEY_ARN.test(`arn:aws:kms:us-east-1:123456789012:key/mrk-${"0123456789abcdef".repeat(2)}`), true);
    for (const bad of ["arn:aws:kms:us-east-1:123456789012:key/k", "arn:aws:kms:us-east-1:123456789012:key/*", "arn:aws:kms:us-east-1:123456789012:alias/x", `arn:aws-iso:kms:us-iso-east-1:123456789012:key/${uuid}`]) {
      assert.equal(KMS_KEY_ARN.test(bad), false, bad);
    }
    assert.equal(KMS_KEY_ARN_OR_ANY_KEY.exec("arn:aws:kms:us-east-1:123456789012:key/*")?.[4], "*");
    assert.deepEqual(KMS_ALIAS_ARN.exec("arn:aws:kms:us-east-1:123456789012:alias/mlz-audit-logs")?.slice(3), ["123456789012", "alias/mlz-audit-logs"]);
    assert.equal(CLOUDFRONT_CERTIFICATE_ARN.test(`arn:aws:acm:us-east-1:123456789012:certificate/${uuid}`), true);
    assert.equal(CLOUDFRONT_CERTIFICATE_ARN.test(`arn:aws:acm:eu-west-1:123456789012:certificate/${uuid}`), false);
    assert.equal(CLOUDFRONT_CERTIFICATE_ARN.test("arn:aws:acm:us-east-1:123456789012:certificate/abc-123"), false);
    assert.equal(SNS_TOPIC_ARN.exec("arn:aws:sns:eu-west-1:123456789012:mlz-alarms")?.[2], "eu-west-1");
    assert.equal(SNS_TOPIC_ARN.test("arn:aws:sns:eu-west-1:123456789012:orders.fifo"), false);
  });

  it("bounds the session duration to 900–43200 seconds, 3600 by default, naming the argument", () => {
    assert.equal(sessionDuration(undefined), 3600);
    assert.equal(sessionDuration(900), 900);
    assert.equal(sessionDuration(43200), 43200);
    assert.throws(() => sessionDuration(899), { message: "[maxSessionDurationSeconds] must be a whole number from 900 to 43200; got 899" });
    assert.throws(() => sessionDuration(1000.5, "sessionSeconds"), { message: "[sessionSeconds] must be a whole number from 900 to 43200; got 1000.5" });
  });

  it("builds ARNs in the given partition, as strings from strings", () => {
    assert.equal(roleArn("aws-cn", "123456789012", "r"), "arn:aws-cn:iam::123456789012:role/r");
    assert.equal(policyArn("aws-us-gov", "*", "mlz-*-boundary"), "arn:aws-us-gov:iam::*:policy/mlz-*-boundary");
    assert.equal(awsManagedPolicyArn("aws", "job-function/ViewOnlyAccess"), "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess");
    assert.equal(accountRootArn("aws-cn", "123456789012"), "arn:aws-cn:iam::123456789012:root");
    assert.equal(s3Arn("aws", "b"), "arn:aws:s3:::b");
    assert.equal(s3Arn("aws", "b", "/*"), "arn:aws:s3:::b/*");
    assert.equal(arn("aws", "sagemaker", "us-east-1", "123456789012", "model/*"), "arn:aws:sagemaker:us-east-1:123456789012:model/*");
  });

  it("builds an Output when a piece is an Output", async () => {
    const built = roleArn("aws-us-gov", pulumi.output("123456789012"), "r");
    assert.equal(pulumi.Output.isInstance(built), true);
    assert.equal(await value(built), "arn:aws-us-gov:iam::123456789012:role/r");
  });
});
