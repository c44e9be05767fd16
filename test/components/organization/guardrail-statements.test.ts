import { strict as assert } from "node:assert";
import { policyDocument, asArray, type PolicyStatement } from "../../../components/iam/policy-document";
import * as pulumi from "@pulumi/pulumi";
import {
  AUDIT_LOG_BUCKET_PROTECTED_ACTIONS,
  GLOBAL_SERVICE_ACTIONS,
  consumerRekognitionLockout,
  denyIamUsers,
  denyLeaveOrganization,
  denyMemberRootUser,
  exemptRoleArnPatterns,
  protectAuditLogBuckets,
  protectAuditLogKey,
  protectDetection,
  regionAllowList,
} from "../../../components/organization/guardrail-statements";
import { arnLike, validateScp } from "../../../components/organization/policy-grammar";
import { promiseOf } from "../../helpers/pulumi";
import { assertGrants } from "../../helpers/iam";

const exempt = exemptRoleArnPatterns();
const ORG_ACCESS = "arn:aws:iam::555555555555:role/OrganizationAccountAccessRole";

/** Whether a Deny statement's `ArnNotLike aws:PrincipalARN` condition exempts `principalArn`. */
function exempts(s: PolicyStatement<any>, principalArn: string): boolean {
  const patterns = asArray(s.Condition?.ArnNotLike?.["aws:PrincipalARN"] as string | string[] | undefined);
  return patterns.some((p) => arnLike(p, principalArn));
}

describe("guardrail statements", () => {
  it("exempts exactly OrganizationAccountAccessRole by default, by ARN pattern", () => {
    assert.deepEqual(exempt, ["arn:aws:iam::*:role/OrganizationAccountAccessRole"]);
    assert.deepEqual(exemptRoleArnPatterns(["OrganizationAccountAccessRole", "ops"], "aws-cn"), [
      "arn:aws-cn:iam::*:role/OrganizationAccountAccessRole", "arn:aws-cn:iam::*:role/ops",
    ]);
    assert.throws(() => exemptRoleArnPatterns(["Organization*"]), {
      message: "[configExemptRoleNames] must hold IAM role names (letters, digits and +=,.@_-, at most 64 characters, no wildcards); got 'Organization*'",
    });
    assert.throws(() => exemptRoleArnPatterns(["break-glas?"], "aws", "auditLogBreakGlassRoleNames"), {
      message: "[auditLogBreakGlassRoleNames] must hold IAM role names (letters, digits and +=,.@_-, at most 64 characters, no wildcards); got 'break-glas?'",
    });
    assert.throws(() => exemptRoleArnPatterns([]), { message: "[configExemptRoleNames] must name at least one role" });
  });

  it("denies leaving the organization, without exemption", () => {
    assertGrants(denyLeaveOrganization(), [
      { Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" },
    ]);
  });

  it("denies the member-account root user everything", () => {
    const [s] = denyMemberRootUser();
    assertGrants([s], [{
      Effect: "Deny", Action: "*", Resource: "*",
      Condition: { ArnLike: { "aws:PrincipalARN": "arn:aws:iam::*:root" } },
    }]);
    assert.equal(arnLike("arn:aws:iam::*:root", "arn:aws:iam::555555555555:root"), true);
    assert.equal(arnLike("arn:aws:iam::*:root", "arn:aws:iam::555555555555:role/mlz-deploy"), false);
  });

  it("protects CloudTrail and Access Analyzer without exemption, and Config except exactly OrganizationAccountAccessRole", () => {
    const statements = protectDetection(exempt);
    assert.equal(statements.length, 3, "each statement is checked below");
    const [trail, config, analyzer] = statements;
    assertGrants([trail], [{
      Effect: "Deny", Resource: "*",
      Action: [
        "cloudtrail:DeleteTrail", "cloudtrail:StopLogging", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors", "cloudtrail:PutInsightSelectors",
        "cloudtrail:DeleteEventDataStore", "cloudtrail:UpdateEventDataStore", "cloudtrail:StopEventDataStoreIngestion",
      ],
    }]);
    assertGrants([config], [{
      Effect: "Deny", Resource: "*",
      Action: [
        "config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder", "config:PutConfigurationRecorder",
        "config:DeleteDeliveryChannel", "config:PutDeliveryChannel", "config:DeleteRetentionConfiguration",
        "config:DeleteConfigRule", "config:DeleteOrganizationConfigRule", "config:DeleteEvaluationResults",
        "config:DeleteConfigurationAggregator", "config:DeleteAggregationAuthorization",
      ],
      Condition: { ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/OrganizationAccountAccessRole"] } },
    }]);
    assertGrants([analyzer], [{
      Effect: "Deny", Resource: "*",
      Action: ["access-analyzer:DeleteAnalyzer", "access-analyzer:CreateArchiveRule", "access-analyzer:UpdateArchiveRule", "access-analyzer:ApplyArchiveRule"],
    }]);
    // Only ProtectConfig exempts anyone, and only the exact role name.
    assert.equal(exempts(config, ORG_ACCESS), true);
    assert.equal(exempts(config, "arn:aws:iam::555555555555:role/OrganizationAccountAccessRole-evil"), false);
    assert.equal(exempts(config, "arn:aws:iam::555555555555:role/evil/OrganizationAccountAccessRole"), false);
    assert.equal(exempts(config, "arn:aws:iam::555555555555:role/mlz-deploy"), false);
    for (const s of [trail, analyzer]) {
      assert.equal(s.Condition, undefined);
      assert.equal(exempts(s, ORG_ACCESS), false);
      assert.equal(exempts(s, "arn:aws:iam::555555555555:role/mlz-deploy"), false);
    }
  });

  it("protects the audit-log KMS key by alias (and its alias), or by key ARN, except exactly the break-glass role", async () => {
    const [key, alias] = protectAuditLogKey({ key: { accountId: "333333333333", alias: "alias/mlz-audit-logs" }, exemptPrincipalArnPatterns: exempt });
    assertGrants([key], [{
      Effect: "Deny",
      Action: ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"],
      Resource: "arn:aws:kms:*:333333333333:key/*",
      Condition: {
        "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/mlz-audit-logs" },
        ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/OrganizationAccountAccessRole"] },
      },
    }]);
    assertGrants([alias], [{
      Effect: "Deny",
      Action: ["kms:DeleteAlias", "kms:UpdateAlias"],
      Resource: "arn:aws:kms:*:333333333333:alias/mlz-audit-logs",
      Condition: { ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/OrganizationAccountAccessRole"] } },
    }]);
    assert.equal(exempts(key, "arn:aws:iam::333333333333:role/OrganizationAccountAccessRole"), true);
    assert.equal(exempts(key, "arn:aws:iam::333333333333:role/mlz-deploy"), false);
    // Both fit the SCP grammar.
    assert.doesNotThrow(() => validateScp("k", policyDocument([key, alias]) as any));
    // An Output account id becomes Output ARNs, in the given partition.
    const [k2, a2] = protectAuditLogKey({ key: { accountId: pulumi.output("333333333333"), alias: "alias/mlz-audit-logs" }, exemptPrincipalArnPatterns: exempt, partition: "aws-us-gov" });
    assert.equal(await promiseOf(pulumi.output(k2.Resource)), "arn:aws-us-gov:kms:*:333333333333:key/*");
    assert.equal(await promiseOf(pulumi.output(a2.Resource)), "arn:aws-us-gov:kms:*:333333333333:alias/mlz-audit-logs");
    // A key named by its ARN: one statement on exactly that key, no alias condition.
    const keyArn = "arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    assertGrants(protectAuditLogKey({ key: { keyArn }, exemptPrincipalArnPatterns: exempt }), [{
      Effect: "Deny", Action: ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"], Resource: keyArn,
      Condition: { ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/OrganizationAccountAccessRole"] } },
    }]);
    assert.throws(() => protectAuditLogKey({ key: { accountId: "333333333333", alias: "alias/aws/s3" }, exemptPrincipalArnPatterns: exempt }), {
      message: "[auditLogKey.alias] must be 'alias/<name>' (letters, digits, '/', '_', '-'; not under alias/aws/); got 'alias/aws/s3'",
    });
    assert.throws(() => protectAuditLogKey({ key: { accountId: "333333333333", alias: "alias/mlz-audit-logs" }, exemptPrincipalArnPatterns: [] }), {
      message: "[exemptPrincipalArnPatterns] must hold at least one ARN pattern",
    });
  });

  it("protects the audit-log buckets' settings, except exactly the break-glass role", async () => {
    assert.deepEqual(AUDIT_LOG_BUCKET_PROTECTED_ACTIONS, [
      "s3:PutBucketObjectLockConfiguration", "s3:PutLifecycleConfiguration", "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:BypassGovernanceRetention",
      "s3:PutBucketPolicy", "s3:PutEncryptionConfiguration",
    ]);
    const [s] = protectAuditLogBuckets({ bucketNames: ["mlz-audit-logs-333333333333", "mlz-config-logs-333333333333"], exemptPrincipalArnPatterns: exempt });
    assertGrants([s], [{
      Effect: "Deny",
      Action: [...AUDIT_LOG_BUCKET_PROTECTED_ACTIONS],
      Resource: [
        "arn:aws:s3:::mlz-audit-logs-333333333333", "arn:aws:s3:::mlz-audit-logs-333333333333/*",
        "arn:aws:s3:::mlz-config-logs-333333333333", "arn:aws:s3:::mlz-config-logs-333333333333/*",
      ],
      Condition: { ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/OrganizationAccountAccessRole"] } },
    }]);
    // Replacing the policy would drop the CloudTrail/Config delivery statements; PutBucketEncryption is
    // authorized by s3:PutEncryptionConfiguration (there is no s3:PutBucketEncryption action).
    assert.ok(asArray(s.Action).includes("s3:PutBucketPolicy"));
    assert.ok(!asArray(s.Action).includes("s3:PutBucketEncryption"));
    assert.equal(exempts(s, "arn:aws:iam::333333333333:role/OrganizationAccountAccessRole"), true);
    assert.equal(exempts(s, "arn:aws:iam::333333333333:role/OrganizationAccountAccessRoleX"), false);
    assert.equal(exempts(s, "arn:aws:iam::333333333333:role/mlz-deploy"), false);
    // Output bucket names become Output ARNs.
    const [o] = protectAuditLogBuckets({ bucketNames: [pulumi.output("mlz-audit-logs-333333333333")], exemptPrincipalArnPatterns: exempt, partition: "aws-us-gov" });
    assert.deepEqual(await promiseOf(pulumi.output(o.Resource)), ["arn:aws-us-gov:s3:::mlz-audit-logs-333333333333", "arn:aws-us-gov:s3:::mlz-audit-logs-333333333333/*"]);
    assert.throws(() => protectAuditLogBuckets({ bucketNames: [], exemptPrincipalArnPatterns: exempt }), { message: "[auditLogBucketNames] must name at least one bucket" });
    assert.throws(() => protectAuditLogBuckets({ bucketNames: ["mlz-audit-*"], exemptPrincipalArnPatterns: exempt }), {
      message: "[auditLogBucketNames] must hold S3 bucket names (3-63 lowercase letters, digits, '.' and '-'); got 'mlz-audit-*'",
    });
    assert.throws(() => protectAuditLogBuckets({ bucketNames: ["mlz-audit-logs-1"], exemptPrincipalArnPatterns: [] }), {
      message: "[exemptPrincipalArnPatterns] must hold at least one ARN pattern",
    });
  });

  it("denies requests outside the allowed regions except global services, exempting no principal", () => {
    const [s] = regionAllowList({ allowedRegions: ["us-east-1", "eu-west-1"] });
    assert.equal(s.Effect, "Deny");
    assert.equal(s.Action, undefined);
    assert.deepEqual(s.NotAction, [...GLOBAL_SERVICE_ACTIONS]);
    for (const a of ["iam:*", "organizations:*", "sts:*", "route53:*", "cloudfront:*", "support:*", "s3:ListAllMyBuckets"]) assert.ok(asArray(s.NotAction).includes(a), a);
    assert.ok(!asArray(s.NotAction).includes("rekognition:*"));
    assert.equal(s.Resource, "*");
    assert.deepEqual(s.Condition, { StringNotEquals: { "aws:RequestedRegion": ["us-east-1", "eu-west-1"] } });
    assert.equal(exempts(s, "arn:aws:iam::444444444444:role/mlz-deploy"), false);
    assert.throws(() => regionAllowList({ allowedRegions: [] }), { message: "[allowedRegions] must name at least one region" });
    assert.throws(() => regionAllowList({ allowedRegions: ["us-east-*"] }), { message: "[allowedRegions] must hold AWS region names such as 'us-east-1'; got 'us-east-*'" });
  });

  it("denies IAM users, access keys and login profiles, with account exceptions only when named", () => {
    assertGrants(denyIamUsers(), [{
      Effect: "Deny",
      Action: ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"], Resource: "*",
    }]);
    assert.deepEqual(denyIamUsers(["222222222222"])[0].Condition, { StringNotEquals: { "aws:PrincipalAccount": ["222222222222"] } });
    assert.throws(() => denyIamUsers(["*"]), { message: "[iamUserExceptionAccountIds] must hold 12-digit account ids; got '*'" });
  });

  it("locks consumer accounts out of the Rekognition project lifecycle, on every resource (CreateProject has no resource-level permissions)", () => {
    assertGrants(consumerRekognitionLockout(), [{
      Effect: "Deny",
      Action: ["rekognition:CreateProject*", "rekognition:DeleteProject*", "rekognition:StartProject*", "rekognition:StopProject*"],
      Resource: "*",
    }]);
  });

  it("every builder yields valid SCP grammar", () => {
    const all = [
      ...denyLeaveOrganization(), ...denyMemberRootUser(), ...protectDetection(exempt),
      ...regionAllowList({ allowedRegions: ["us-east-1"] }),
      ...denyIamUsers(["222222222222"]), ...consumerRekognitionLockout(),
      ...protectAuditLogBuckets({ bucketNames: ["mlz-audit-logs-333333333333"], exemptPrincipalArnPatterns: exempt }),
    ] as PolicyStatement[];
    assert.doesNotThrow(() => validateScp("all", policyDocument(all)));
  });
});
