import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import {
  IAM_PRINCIPAL_ARN,
  IAM_ROLE_ARN,
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
