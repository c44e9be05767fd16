import { strict as assert } from "node:assert";
import { policyDocument, asArray, type PolicyStatement } from "../../../components/iam/policy-document";
import {
  GLOBAL_SERVICE_ACTIONS,
  consumerRekognitionLockout,
  denyIamUsers,
  denyLeaveOrganization,
  denyMemberRootUser,
  deployRoleArnPatterns,
  protectDetection,
  regionAllowList,
} from "../../../components/organization/guardrails";
import { arnLike, validateScp } from "../../../components/organization/scp";

const exempt = deployRoleArnPatterns();

/** Whether a Deny statement's `ArnNotLike aws:PrincipalARN` condition exempts `principalArn`. */
function exempts(s: PolicyStatement<any>, principalArn: string): boolean {
  const patterns = asArray(s.Condition?.ArnNotLike?.["aws:PrincipalARN"] as string | string[] | undefined);
  return patterns.some((p) => arnLike(p, principalArn));
}

describe("guardrail statements", () => {
  it("exempts exactly the deploy role, by ARN pattern", () => {
    assert.deepEqual(exempt, ["arn:aws:iam::*:role/mlz-deploy"]);
    assert.deepEqual(deployRoleArnPatterns(["mlz-deploy", "ops"], "aws-cn"), ["arn:aws-cn:iam::*:role/mlz-deploy", "arn:aws-cn:iam::*:role/ops"]);
    assert.throws(() => deployRoleArnPatterns(["mlz-*"]), {
      message: "[exemptRoleNames] must hold IAM role names (letters, digits and +=,.@_-, at most 64 characters, no wildcards); got 'mlz-*'",
    });
    assert.throws(() => deployRoleArnPatterns(["mlz-deplo?"]), /no wildcards\); got 'mlz-deplo\?'/);
    assert.throws(() => deployRoleArnPatterns([]), { message: "[exemptRoleNames] must name at least one deploy role" });
  });

  it("denies leaving the organization, without exemption", () => {
    assert.deepEqual(denyLeaveOrganization(), [
      { Sid: "DenyLeaveOrganization", Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" },
    ]);
  });

  it("denies the member-account root user everything", () => {
    const [s] = denyMemberRootUser();
    assert.deepEqual(s, {
      Sid: "DenyMemberRootUser", Effect: "Deny", Action: "*", Resource: "*",
      Condition: { ArnLike: { "aws:PrincipalARN": "arn:aws:iam::*:root" } },
    });
    assert.equal(arnLike("arn:aws:iam::*:root", "arn:aws:iam::555555555555:root"), true);
    assert.equal(arnLike("arn:aws:iam::*:root", "arn:aws:iam::555555555555:role/mlz-deploy"), false);
  });

  it("protects CloudTrail, Config and Access Analyzer; only the exact deploy role is exempt", () => {
    const statements = protectDetection(exempt);
    assert.deepEqual(statements.map((s) => s.Sid), ["ProtectCloudTrail", "ProtectConfig", "ProtectAccessAnalyzer"]);
    const [trail, config, analyzer] = statements;
    for (const a of ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors"]) assert.ok(asArray(trail.Action).includes(a), a);
    for (const a of ["config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder", "config:DeleteDeliveryChannel", "config:DeleteOrganizationConfigRule"]) assert.ok(asArray(config.Action).includes(a), a);
    assert.deepEqual(analyzer.Action, ["access-analyzer:DeleteAnalyzer", "access-analyzer:CreateArchiveRule", "access-analyzer:UpdateArchiveRule", "access-analyzer:ApplyArchiveRule"]);
    for (const s of statements) {
      assert.equal(s.Effect, "Deny");
      assert.equal(s.Resource, "*");
      assert.deepEqual(s.Condition, { ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/mlz-deploy"] } });
      assert.equal(exempts(s, "arn:aws:iam::555555555555:role/mlz-deploy"), true);
      assert.equal(exempts(s, "arn:aws:iam::555555555555:role/mlz-deploy-evil"), false);
      assert.equal(exempts(s, "arn:aws:iam::555555555555:role/evil/mlz-deploy"), false);
      assert.equal(exempts(s, "arn:aws:iam::555555555555:role/mlz-preview"), false);
    }
  });

  it("denies requests outside the allowed regions except global services and the deploy role", () => {
    const [s] = regionAllowList({ allowedRegions: ["us-east-1", "eu-west-1"], exemptPrincipalArnPatterns: exempt });
    assert.equal(s.Sid, "DenyOutsideAllowedRegions");
    assert.equal(s.Effect, "Deny");
    assert.equal(s.Action, undefined);
    assert.deepEqual(s.NotAction, [...GLOBAL_SERVICE_ACTIONS]);
    for (const a of ["iam:*", "organizations:*", "sts:*", "route53:*", "cloudfront:*", "support:*", "s3:ListAllMyBuckets"]) assert.ok(asArray(s.NotAction).includes(a), a);
    assert.ok(!asArray(s.NotAction).includes("rekognition:*"));
    assert.equal(s.Resource, "*");
    assert.deepEqual(s.Condition, {
      StringNotEquals: { "aws:RequestedRegion": ["us-east-1", "eu-west-1"] },
      ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/mlz-deploy"] },
    });
    assert.equal(exempts(s, "arn:aws:iam::444444444444:role/mlz-deploy-evil"), false);
    assert.throws(() => regionAllowList({ allowedRegions: [], exemptPrincipalArnPatterns: exempt }), { message: "[allowedRegions] must name at least one region" });
    assert.throws(() => regionAllowList({ allowedRegions: ["us-east-*"], exemptPrincipalArnPatterns: exempt }), { message: "[allowedRegions] must hold AWS region names such as 'us-east-1'; got 'us-east-*'" });
    assert.throws(() => regionAllowList({ allowedRegions: ["us-east-1"], exemptPrincipalArnPatterns: [] }), { message: "[exemptPrincipalArnPatterns] must hold at least one ARN pattern" });
  });

  it("denies IAM users and access keys, with account exceptions only when named", () => {
    assert.deepEqual(denyIamUsers(), [{ Sid: "DenyIamUsersAndAccessKeys", Effect: "Deny", Action: ["iam:CreateUser", "iam:CreateAccessKey"], Resource: "*" }]);
    assert.deepEqual(denyIamUsers(["222222222222"])[0].Condition, { StringNotEquals: { "aws:PrincipalAccount": ["222222222222"] } });
    assert.throws(() => denyIamUsers(["*"]), { message: "[iamUserExceptionAccountIds] must hold 12-digit account ids; got '*'" });
  });

  it("locks consumer accounts out of the Rekognition project lifecycle, on project ARNs", () => {
    assert.deepEqual(consumerRekognitionLockout(), [{
      Sid: "DenyRekognitionProjectLifecycle",
      Effect: "Deny",
      Action: ["rekognition:CreateProject*", "rekognition:DeleteProject*", "rekognition:StartProject*", "rekognition:StopProject*"],
      Resource: "arn:aws:rekognition:*:*:project/*",
    }]);
    const version = "arn:aws:rekognition:us-east-1:555555555555:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";
    assert.equal(arnLike("arn:aws:rekognition:*:*:project/*", version), true);
  });

  it("every builder yields valid SCP grammar", () => {
    const all = [
      ...denyLeaveOrganization(), ...denyMemberRootUser(), ...protectDetection(exempt),
      ...regionAllowList({ allowedRegions: ["us-east-1"], exemptPrincipalArnPatterns: exempt }),
      ...denyIamUsers(["222222222222"]), ...consumerRekognitionLockout(),
    ] as PolicyStatement[];
    assert.doesNotThrow(() => validateScp("all", policyDocument(all)));
  });
});
