import { strict as assert } from "node:assert";
import { recordProgram, only, ofType, parseJsonInput, promiseOf } from "../../helpers/pulumi";
import { statementNaming } from "../../helpers/iam";
import { declareAuditLog, auditLogConfigSchema } from "../../../stacks/parts/audit-log";
import { exampleContext } from "./organization-fixtures";

describe("audit-log part (lakehouse stack)", () => {
  it("documents its defaults", () => {
    assert.deepEqual(auditLogConfigSchema.parse({}), { auditLog: {
      trailName: "mlz-organization-trail",
      objectLockDays: 365,
      objectLockMode: "COMPLIANCE",
      configSourceAccounts: ["management", "cicd", "lakehouse", "ml", "qa", "prod"],
    } });
    assert.equal(auditLogConfigSchema.parse({ auditLog: { objectLockMode: "GOVERNANCE" } }).auditLog.objectLockMode, "GOVERNANCE");
    assert.throws(() => auditLogConfigSchema.parse({ auditLog: { objectLockMode: "LEGAL_HOLD" } }), /objectLockMode/);
    assert.throws(() => auditLogConfigSchema.parse({ auditLog: { configSourceAccounts: ["qa", "qa"] } }), /expected each account once; got qa, qa/);
  });

  it("creates the predictable bucket trusting the management account's organization trail", async () => {
    const { result, resources } = await recordProgram(() => declareAuditLog(exampleContext("lakehouse", "lakehouse"), auditLogConfigSchema.parse({})));
    assert.equal(only(resources, "aws:s3/bucket:Bucket", "audit-log-logs-bucket").inputs.bucket, "mlz-audit-logs-333333333333");
    const policy = parseJsonInput(only(resources, "aws:s3/bucketPolicy:BucketPolicy", "audit-log-logs-policy"), "policy");
    // CloudTrail writes the organization's logs and the management account's own.
    const writes = policy.Statement.filter((s: any) => [s.Action].flat().includes("s3:PutObject"));
    assert.deepEqual(writes.map((s: any) => s.Resource), [
      "arn:aws:s3:::mlz-audit-logs-333333333333/AWSLogs/o-exampleorg1/*", "arn:aws:s3:::mlz-audit-logs-333333333333/AWSLogs/111111111111/*",
    ]);
    for (const write of writes) assert.equal(write.Condition.StringEquals["aws:SourceArn"], "arn:aws:cloudtrail:us-east-1:111111111111:trail/mlz-organization-trail");
    assert.equal(only(resources, "aws:kms/alias:Alias").inputs.name, "alias/mlz-audit-logs");
    assert.equal(await promiseOf(result.organizationTrailArn), "arn:aws:cloudtrail:us-east-1:111111111111:trail/mlz-organization-trail");
    const provider = only(resources, "pulumi:providers:aws", "account");
    for (const b of ofType(resources, "aws:s3/bucket:Bucket")) assert.ok(b.provider?.startsWith(provider.urn), b.name);
    assert.deepEqual(only(resources, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").inputs.rule, {
      defaultRetention: { mode: "COMPLIANCE", days: 365 },
    });
  });

  it("creates the Config delivery bucket for every organization account, and refuses an unknown account key", async () => {
    const { result, resources } = await recordProgram(() => declareAuditLog(exampleContext("lakehouse", "lakehouse"), auditLogConfigSchema.parse({})));
    assert.equal(await promiseOf(result.configLogBucketName), "mlz-config-logs-333333333333");
    const bucket = only(resources, "aws:s3/bucket:Bucket", "audit-log-config-bucket");
    assert.equal(bucket.inputs.bucket, "mlz-config-logs-333333333333");
    assert.equal(bucket.inputs.objectLockEnabled, undefined);
    const policy = parseJsonInput(only(resources, "aws:s3/bucketPolicy:BucketPolicy", "audit-log-config-policy"), "policy");
    const all = ["111111111111", "222222222222", "333333333333", "444444444444", "555555555555", "666666666666"];
    const delivery = statementNaming(policy.Statement, "s3:PutObject");
    assert.deepEqual(delivery.Resource, all.map((a) => `arn:aws:s3:::mlz-config-logs-333333333333/config/AWSLogs/${a}/Config/*`));
    assert.deepEqual(delivery.Condition.StringEquals["aws:SourceAccount"], all);
    const key = parseJsonInput(only(resources, "aws:kms/key:Key"), "policy");
    assert.deepEqual(statementNaming(key.Statement, "kms:Decrypt").Condition, { StringEquals: { "aws:SourceAccount": all } });

    const custom = await recordProgram(() => declareAuditLog(exampleContext("lakehouse", "lakehouse"), auditLogConfigSchema.parse({
      auditLog: { configBucketName: "org-config-logs", configSourceAccounts: ["qa"], objectLockMode: "GOVERNANCE", objectLockDays: 30 },
    })));
    assert.equal(only(custom.resources, "aws:s3/bucket:Bucket", "audit-log-config-bucket").inputs.bucket, "org-config-logs");
    assert.deepEqual(only(custom.resources, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").inputs.rule, {
      defaultRetention: { mode: "GOVERNANCE", days: 30 },
    });
    const customPolicy = parseJsonInput(only(custom.resources, "aws:s3/bucketPolicy:BucketPolicy", "audit-log-config-policy"), "policy");
    assert.deepEqual(statementNaming(customPolicy.Statement, "s3:PutObject").Resource, ["arn:aws:s3:::org-config-logs/config/AWSLogs/555555555555/Config/*"]);

    await assert.rejects(recordProgram(() => declareAuditLog(exampleContext("lakehouse", "lakehouse"), auditLogConfigSchema.parse({
      auditLog: { configSourceAccounts: ["staging"] },
    }))), /ml-landing-zone:auditLog.configSourceAccounts: expected account keys of the organization \(management, cicd, lakehouse, ml, qa, prod\); got 'staging'/);
  });
});
