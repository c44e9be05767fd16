import { strict as assert } from "node:assert";
import { recordProgram, only, parseJsonInput, promiseOf } from "../../helpers/pulumi";
import { declareAuditLog, auditLogConfigSchema } from "../../../stacks/parts/audit-log";
import { exampleContext } from "./organization-fixtures";

describe("audit-log part (lakehouse stack)", () => {
  it("documents its defaults", () => {
    assert.deepEqual(auditLogConfigSchema.parse({}), { auditLog: { trailName: "mlz-organization-trail", objectLockDays: 365 } });
  });

  it("creates the predictable bucket trusting the management account's organization trail", async () => {
    const { result, resources } = await recordProgram(() => declareAuditLog(exampleContext("lakehouse", "lakehouse"), auditLogConfigSchema.parse({})));
    assert.equal(only(resources, "aws:s3/bucket:Bucket").inputs.bucket, "mlz-audit-logs-333333333333");
    const policy = parseJsonInput(only(resources, "aws:s3/bucketPolicy:BucketPolicy"), "policy");
    const write = policy.Statement.find((s: any) => s.Sid === "AWSCloudTrailWriteOrganization");
    assert.equal(write.Resource, "arn:aws:s3:::mlz-audit-logs-333333333333/AWSLogs/o-exampleorg1/*");
    assert.equal(write.Condition.StringEquals["aws:SourceArn"], "arn:aws:cloudtrail:us-east-1:111111111111:trail/mlz-organization-trail");
    assert.equal(policy.Statement.find((s: any) => s.Sid === "AWSCloudTrailWriteManagementAccount").Resource,
      "arn:aws:s3:::mlz-audit-logs-333333333333/AWSLogs/111111111111/*");
    assert.equal(only(resources, "aws:kms/alias:Alias").inputs.name, "alias/mlz-audit-logs");
    assert.equal(await promiseOf(result.organizationTrailArn), "arn:aws:cloudtrail:us-east-1:111111111111:trail/mlz-organization-trail");
    const provider = only(resources, "pulumi:providers:aws", "account");
    assert.ok(only(resources, "aws:s3/bucket:Bucket").provider?.startsWith(provider.urn));
  });
});
