import { strict as assert } from "node:assert";
import { recordProgram, only } from "../../helpers/pulumi";
import { OrganizationTrail, trailArn, auditLogBucketName, DEFAULT_ORGANIZATION_TRAIL_NAME } from "../../../components/organization/organization-trail";

describe("OrganizationTrail", () => {
  it("is an organization, multi-region trail with log file validation", async () => {
    const { resources } = await recordProgram(() => new OrganizationTrail("trail", { s3BucketName: "mlz-audit-logs-333333333333" }));
    const trail = only(resources, "aws:cloudtrail/trail:Trail", "trail-trail");
    assert.equal(trail.parent, only(resources, "mlz:organization:OrganizationTrail").urn);
    assert.deepEqual({
      name: trail.inputs.name,
      s3BucketName: trail.inputs.s3BucketName,
      isOrganizationTrail: trail.inputs.isOrganizationTrail,
      isMultiRegionTrail: trail.inputs.isMultiRegionTrail,
      includeGlobalServiceEvents: trail.inputs.includeGlobalServiceEvents,
      enableLogFileValidation: trail.inputs.enableLogFileValidation,
      enableLogging: trail.inputs.enableLogging,
      kmsKeyId: trail.inputs.kmsKeyId,
      s3KeyPrefix: trail.inputs.s3KeyPrefix,
    }, {
      name: "mlz-organization-trail",
      s3BucketName: "mlz-audit-logs-333333333333",
      isOrganizationTrail: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      kmsKeyId: undefined,
      s3KeyPrefix: undefined,
    });
  });

  it("passes an optional KMS key and computes the predictable names", async () => {
    const key = "arn:aws:kms:us-east-1:333333333333:key/4f3c2a1b-8d7e-4c6b-9a5f-0e1d2c3b4a59";
    const { resources } = await recordProgram(() => new OrganizationTrail("trail", { s3BucketName: "b-logs", kmsKeyArn: key }));
    assert.equal(only(resources, "aws:cloudtrail/trail:Trail").inputs.kmsKeyId, key);
    assert.equal(trailArn("us-east-1", "111111111111", DEFAULT_ORGANIZATION_TRAIL_NAME), "arn:aws:cloudtrail:us-east-1:111111111111:trail/mlz-organization-trail");
    assert.equal(auditLogBucketName("333333333333"), "mlz-audit-logs-333333333333");
  });

  it("refuses an alias ARN as the key: CloudTrail reports the key ARN back (a diff on every run)", async () => {
    await assert.rejects(recordProgram(() => new OrganizationTrail("t", { s3BucketName: "b-logs", kmsKeyArn: "arn:aws:kms:us-east-1:333333333333:alias/mlz-audit-logs" })), {
      message: /\[kmsKeyArn\] must be a KMS key ARN \(arn:<partition>:kms:<region>:<account>:key\/<key id>\), not an alias: CloudTrail reports the key ARN back; got 'arn:aws:kms:us-east-1:333333333333:alias\/mlz-audit-logs'$/,
    });
  });

  it("refuses a trail name CloudTrail would reject", async () => {
    await assert.rejects(recordProgram(() => new OrganizationTrail("t", { trailName: "x*", s3BucketName: "b" })), {
      message: "[trailName] must be 3 to 128 letters, digits, '.', '_' or '-', starting and ending with a letter or digit, without adjacent punctuation; got 'x*'",
    });
  });
});
