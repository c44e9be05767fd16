import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { recordProgram, only, ofType, parseJsonInput, promiseOf } from "../../helpers/pulumi";
import { AuditLogBucket, auditLogKeyAliasArn, validateAuditLogBucketArgs, type AuditLogBucketArgs } from "../../../components/organization/audit-log-bucket";
import { actionsOf, assertGrants } from "../../helpers/iam";

const TRAIL = "arn:aws:cloudtrail:us-east-1:111111111111:trail/mlz-organization-trail";
const base = {
  bucketName: "mlz-audit-logs-333333333333",
  organizationId: pulumi.output("o-exampleorg1"),
  managementAccountId: "111111111111",
  trailArn: TRAIL,
  accountId: pulumi.output("333333333333"),
};

describe("AuditLogBucket", () => {
  it("builds a locked, versioned, encrypted SecureBucket that only the organization trail writes to", async () => {
    const { result, resources } = await recordProgram(() => new AuditLogBucket("audit", base));
    const comp = only(resources, "mlz:organization:AuditLogBucket", "audit");
    const secure = only(resources, "mlz:storage:SecureBucket", "audit-logs");
    assert.equal(secure.parent, comp.urn);
    const bucket = only(resources, "aws:s3/bucket:Bucket");
    assert.equal(bucket.inputs.bucket, "mlz-audit-logs-333333333333");
    assert.equal(bucket.inputs.objectLockEnabled, true);
    assert.equal(bucket.inputs.forceDestroy, false);
    const lock = only(resources, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "audit-logs-object-lock");
    assert.equal(lock.parent, secure.urn);
    assert.deepEqual(lock.inputs.rule, { defaultRetention: { mode: "COMPLIANCE", days: 365 } });
    assert.equal(lock.inputs.objectLockEnabled, "Enabled");
    assert.deepEqual((only(resources, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration as any).status, "Enabled");
    const pab = only(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
    assert.deepEqual([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets], [true, true, true, true]);
    const key = only(resources, "aws:kms/key:Key", "audit-key");
    const sse = only(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules as any[];
    assert.equal(sse[0].applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
    assert.equal(sse[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, key.outputs.arn);
    assert.equal(await promiseOf(result.kmsKeyArn), key.outputs.arn);

    const policy = parseJsonInput(only(resources, "aws:s3/bucketPolicy:BucketPolicy"), "policy");
    // TLS only, CloudTrail's ACL check, its writes for the organization and the management account, no erasure.
    assert.deepEqual(actionsOf(policy.Statement), [
      ["s3:*"], ["s3:GetBucketAcl"], ["s3:PutObject"], ["s3:PutObject"],
      ["s3:BypassGovernanceRetention", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectLegalHold", "s3:PutObjectRetention"],
    ]);
    const [, aclCheck, writeOrganization, writeManagementAccount, denyErasure] = policy.Statement;
    assertGrants([aclCheck], [{
      Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:GetBucketAcl", Resource: "arn:aws:s3:::mlz-audit-logs-333333333333",
      Condition: { StringEquals: { "aws:SourceArn": TRAIL } },
    }]);
    assertGrants([writeOrganization], [{
      Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:PutObject", Resource: "arn:aws:s3:::mlz-audit-logs-333333333333/AWSLogs/o-exampleorg1/*",
      Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL } },
    }]);
    assert.equal(writeManagementAccount.Resource, "arn:aws:s3:::mlz-audit-logs-333333333333/AWSLogs/111111111111/*");
    assert.deepEqual(writeManagementAccount.Condition, writeOrganization.Condition);
    assertGrants([denyErasure], [{
      Effect: "Deny", Principal: "*",
      Action: ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:PutObjectRetention", "s3:PutObjectLegalHold"],
      Resource: "arn:aws:s3:::mlz-audit-logs-333333333333/*",
    }]);

    const keyPolicy = parseJsonInput(key, "policy");
    // The account administers the key; CloudTrail encrypts with it and describes it.
    assert.deepEqual(actionsOf(keyPolicy.Statement), [["kms:*"], ["kms:GenerateDataKey*"], ["kms:DescribeKey"]]);
    // Without configBucketName: no Config bucket, no Config key statement.
    assert.equal(ofType(resources, "mlz:storage:SecureBucket").length, 1);
    assert.equal(result.configBucketName, undefined);
    assert.deepEqual(keyPolicy.Statement[0].Principal, { AWS: "arn:aws:iam::333333333333:root" });
    assertGrants([keyPolicy.Statement[1]], [{
      Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "kms:GenerateDataKey*", Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceArn": TRAIL },
        StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111111111111:trail/*" },
      },
    }]);
    assert.equal(key.inputs.enableKeyRotation, true);
    assert.equal(only(resources, "aws:kms/alias:Alias").inputs.name, "alias/mlz-audit-logs");
    assert.equal(auditLogKeyAliasArn("us-east-1", "333333333333"), "arn:aws:kms:us-east-1:333333333333:alias/mlz-audit-logs");
  });

  it("keeps GOVERNANCE selectable, with the configured days", async () => {
    const { resources } = await recordProgram(() => new AuditLogBucket("audit", { ...base, objectLockMode: "GOVERNANCE", objectLockDays: 90 }));
    assert.deepEqual(only(resources, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").inputs.rule, {
      defaultRetention: { mode: "GOVERNANCE", days: 90 },
    });
    await assert.rejects(recordProgram(() => new AuditLogBucket("a", { ...base, objectLockMode: "governance" as never })), {
      message: "[objectLockMode] must be 'COMPLIANCE' or 'GOVERNANCE'; got 'governance'",
    });
  });

  it("with configBucketName: a Config delivery bucket without Object Lock, for the named accounts, and a key statement for AWS Config", async () => {
    const accounts = ["111111111111", "333333333333", "555555555555"];
    const { result, resources } = await recordProgram(() => new AuditLogBucket("audit", {
      ...base,
      configBucketName: pulumi.output("mlz-config-logs-333333333333"),
      configSourceAccountIds: [accounts[0], pulumi.output(accounts[1]), accounts[2]],
    }));
    const comp = only(resources, "mlz:organization:AuditLogBucket", "audit");
    const secure = only(resources, "mlz:storage:SecureBucket", "audit-config");
    assert.equal(secure.parent, comp.urn);
    const bucket = only(resources, "aws:s3/bucket:Bucket", "audit-config-bucket");
    assert.equal(bucket.inputs.bucket, "mlz-config-logs-333333333333");
    assert.equal(bucket.inputs.objectLockEnabled, undefined);
    assert.equal(bucket.inputs.forceDestroy, false);
    // Only the audit-log bucket has Object Lock (AWS Config does not deliver to Object Lock buckets).
    assert.equal(only(resources, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").name, "audit-logs-object-lock");
    const key = only(resources, "aws:kms/key:Key", "audit-key");
    const sse = only(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "audit-config-encryption").inputs.rules as any[];
    assert.equal(sse[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, key.outputs.arn);
    assert.equal((only(resources, "aws:s3/bucketVersioning:BucketVersioning", "audit-config-versioning").inputs.versioningConfiguration as any).status, "Enabled");
    assert.equal(await promiseOf(result.configBucketName!), "mlz-config-logs-333333333333");

    const policy = parseJsonInput(only(resources, "aws:s3/bucketPolicy:BucketPolicy", "audit-config-policy"), "policy");
    assert.deepEqual(actionsOf(policy.Statement), [["s3:*"], ["s3:GetBucketAcl"], ["s3:ListBucket"], ["s3:PutObject"], ["s3:DeleteObject", "s3:DeleteObjectVersion"]]);
    const [, check, exists, delivery, deny] = policy.Statement;
    const bucketArn = "arn:aws:s3:::mlz-config-logs-333333333333";
    assertGrants([check], [{
      Effect: "Allow", Principal: { Service: "config.amazonaws.com" },
      Action: "s3:GetBucketAcl", Resource: bucketArn,
      Condition: { StringEquals: { "aws:SourceAccount": accounts } },
    }]);
    assertGrants([exists], [{
      Effect: "Allow", Principal: { Service: "config.amazonaws.com" },
      Action: "s3:ListBucket", Resource: bucketArn,
      Condition: { StringEquals: { "aws:SourceAccount": accounts } },
    }]);
    assertGrants([delivery], [{
      Effect: "Allow", Principal: { Service: "config.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: accounts.map((a) => `${bucketArn}/config/AWSLogs/${a}/Config/*`),
      Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": accounts } },
    }]);
    assertGrants([deny], [{
      Effect: "Deny", Principal: "*",
      Action: ["s3:DeleteObject", "s3:DeleteObjectVersion"], Resource: `${bucketArn}/*`,
    }]);
    // The audit-log bucket's policy is unchanged: AWS Config gets nothing there.
    const audit = parseJsonInput(only(resources, "aws:s3/bucketPolicy:BucketPolicy", "audit-logs-policy"), "policy");
    assert.ok(!JSON.stringify(audit).includes("config.amazonaws.com"));

    const keyPolicy = parseJsonInput(key, "policy");
    assert.deepEqual(actionsOf(keyPolicy.Statement), [["kms:*"], ["kms:GenerateDataKey*"], ["kms:DescribeKey"], ["kms:Decrypt", "kms:GenerateDataKey"]]);
    assertGrants([keyPolicy.Statement[3]], [{
      Effect: "Allow", Principal: { Service: "config.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": accounts } },
    }]);
  });

  it("refuses Config source accounts without a Config bucket, and a Config bucket without accounts", async () => {
    await assert.rejects(recordProgram(() => new AuditLogBucket("a", { ...base, configBucketName: "mlz-config-logs-333333333333" })), {
      message: "[configSourceAccountIds] must name at least one account when [configBucketName] is set",
    });
    await assert.rejects(recordProgram(() => new AuditLogBucket("a", { ...base, configSourceAccountIds: ["111111111111"] })), {
      message: "[configSourceAccountIds] requires [configBucketName]",
    });
    await assert.rejects(recordProgram(() => new AuditLogBucket("a", { ...base, configBucketName: "mlz-config-logs-3", configSourceAccountIds: ["*"] })), {
      message: "[configSourceAccountIds] must hold 12-digit account ids; got '*'",
    });
    await assert.rejects(recordProgram(() => new AuditLogBucket("a", { ...base, configBucketName: "Config_Logs", configSourceAccountIds: ["111111111111"] })), {
      message: "[configBucketName] must be an S3 bucket name (3-63 lowercase letters, digits, '.' and '-'); got 'Config_Logs'",
    });
  });

  it("uses an existing key instead of creating one", async () => {
    const existing = "arn:aws:kms:us-east-1:333333333333:key/abc";
    const { resources } = await recordProgram(() => new AuditLogBucket("audit", { ...base, kmsKeyArn: existing }));
    assert.equal(ofType(resources, "aws:kms/key:Key").length, 0);
    const sse = only(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules as any[];
    assert.equal(sse[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, existing);
  });

  it("refuses a bad bucket name or lock period", async () => {
    await assert.rejects(recordProgram(() => new AuditLogBucket("a", { ...base, bucketName: "Audit_Logs" })), {
      message: "[bucketName] must be an S3 bucket name (3-63 lowercase letters, digits, '.' and '-'); got 'Audit_Logs'",
    });
    await assert.rejects(recordProgram(() => new AuditLogBucket("a", { ...base, objectLockDays: 0 })), {
      message: "[objectLockDays] must be a whole number of days from 1 to 36500; got 0",
    });
  });
});

describe("validateAuditLogBucketArgs", () => {
  it("applies the defaults: a year of COMPLIANCE lock, the default alias, no Config sources", () => {
    assert.deepEqual(validateAuditLogBucketArgs(base), { partition: "aws", lockDays: 365, alias: "alias/mlz-audit-logs", lockMode: "COMPLIANCE", configSources: [] });
  });

  it("refuses each bad argument with a message naming it", () => {
    const cases: [Partial<AuditLogBucketArgs>, string][] = [
      [{ objectLockDays: 36501 }, "[objectLockDays] must be a whole number of days from 1 to 36500; got 36501"],
      [{ keyAlias: "alias/aws/s3" }, "[keyAlias] must be 'alias/<name>' (letters, digits, '/', '_', '-'; not under alias/aws/); got 'alias/aws/s3'"],
      [{ bucketName: "a" }, "[bucketName] must be an S3 bucket name (3-63 lowercase letters, digits, '.' and '-'); got 'a'"],
      [{ objectLockMode: "governance" as never }, "[objectLockMode] must be 'COMPLIANCE' or 'GOVERNANCE'; got 'governance'"],
      [{ configBucketName: "mlz-config-logs-333333333333" }, "[configSourceAccountIds] must name at least one account when [configBucketName] is set"],
      [{ configBucketName: "mlz-config-logs-333333333333", configSourceAccountIds: ["1111"] }, "[configSourceAccountIds] must hold 12-digit account ids; got '1111'"],
      [{ configSourceAccountIds: ["111111111111"] }, "[configSourceAccountIds] requires [configBucketName]"],
    ];
    for (const [over, message] of cases) assert.throws(() => validateAuditLogBucketArgs({ ...base, ...over }), { message });
  });
});
