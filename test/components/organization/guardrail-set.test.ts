import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { recordProgram, only, ofType, parseJsonInput, promiseOf, type Registration } from "../../helpers/pulumi";
import { GuardrailSet, assertAttachmentQuota, type GuardrailSetArgs } from "../../../components/organization/guardrail-set";
import {
  ACCESS_ANALYZER_PROTECTED_ACTIONS,
  AUDIT_LOG_BUCKET_PROTECTED_ACTIONS,
  AUDIT_LOG_KEY_ALIAS_PROTECTED_ACTIONS,
  AUDIT_LOG_KEY_PROTECTED_ACTIONS,
  CLOUDTRAIL_PROTECTED_ACTIONS,
  CONFIG_PROTECTED_ACTIONS,
  GLOBAL_SERVICE_ACTIONS,
} from "../../../components/organization/guardrail-statements";
import { arnLike } from "../../../components/organization/policy-grammar";
import { actionsOf, assertGrants, statementNaming } from "../../helpers/iam";

const sorted = (actions: readonly string[]) => [...actions].sort();
/** The actions of the baseline SCP's statements without audit-log protection: leave, root user, CloudTrail, Config, Access Analyzer. */
const BASELINE_ACTIONS = [
  ["organizations:LeaveOrganization"], ["*"], sorted(CLOUDTRAIL_PROTECTED_ACTIONS), sorted(CONFIG_PROTECTED_ACTIONS), sorted(ACCESS_ANALYZER_PROTECTED_ACTIONS),
];

/** Minified size of the baseline SCP with two audit-log buckets (mlz-audit-logs-… and mlz-config-logs-…). */
const BASELINE_WITH_BUCKETS_SIZE = 1910;
/** The same, with the audit-log key protected by account and alias (as the management stack declares it). */
const BASELINE_WITH_BUCKETS_AND_KEY_SIZE = 2510;
/** Minified size of the enforce-org-identities RCP for organization o-ab12cd34ef. */
const ENFORCE_ORG_IDENTITIES_SIZE = 273;

const BREAK_GLASS = { ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/OrganizationAccountAccessRole"] } };

/** OU ids of the simulated example organization. */
const OU_IDS = {
  infrastructure: "ou-ab12-infra001",
  data: "ou-ab12-data0001",
  ml: "ou-ab12-ml000001",
  workloads: "ou-ab12-work0001",
  nonprod: "ou-ab12-nonprod1",
  prod: "ou-ab12-prod0001",
};

const args = (over: Partial<GuardrailSetArgs> = {}): GuardrailSetArgs => ({
  rootId: pulumi.output("r-ab12"),
  organizationId: pulumi.output("o-ab12cd34ef"),
  organizationalUnitIds: Object.fromEntries(Object.entries(OU_IDS).map(([k, v]) => [k, pulumi.output(v)])),
  consumerOuKeys: ["nonprod", "prod"],
  allowedRegions: ["us-east-1", "eu-west-1"],
  ...over,
});

function policyNamed(resources: Registration[], name: string): { reg: Registration; doc: any } {
  const reg = ofType(resources, "aws:organizations/policy:Policy").find((r) => r.inputs.name === name);
  if (!reg) throw new Error(`no policy ${name}`);
  return { reg, doc: parseJsonInput(reg, "content") };
}

/** Ids of the root's attachments of policies of `type`. */
function rootAttachments(resources: Registration[], type: string): Registration[] {
  const ids = new Set(ofType(resources, "aws:organizations/policy:Policy").filter((p) => p.inputs.type === type).map((p) => p.id));
  return ofType(resources, "aws:organizations/policyAttachment:PolicyAttachment").filter((a) => a.inputs.targetId === "r-ab12" && ids.has(a.inputs.policyId as string));
}

function attachmentsOf(resources: Registration[], policy: Registration): string[] {
  return ofType(resources, "aws:organizations/policyAttachment:PolicyAttachment")
    .filter((a) => a.inputs.policyId === policy.id)
    .map((a) => a.inputs.targetId as string)
    .sort();
}

describe("Guardrails", () => {
  it("declares four SCPs and one RCP under the component with the right attachments", async () => {
    const { resources } = await recordProgram(() => new GuardrailSet("guardrails", args()));
    const comp = only(resources, "mlz:organization:Guardrails", "guardrails");
    const scps = ofType(resources, "mlz:organization:ServiceControlPolicy");
    assert.deepEqual(scps.map((s) => s.name).sort(), [
      "guardrails-baseline", "guardrails-consumer-rekognition-lockout", "guardrails-deny-iam-users", "guardrails-region-allow-list",
    ]);
    for (const s of scps) assert.equal(s.parent, comp.urn);
    const rcps = ofType(resources, "mlz:organization:ResourceControlPolicy");
    assert.deepEqual(rcps.map((r) => [r.name, r.parent]), [["guardrails-enforce-org-identities", comp.urn]]);
    const policies = ofType(resources, "aws:organizations/policy:Policy");
    assert.deepEqual(policies.map((p) => [p.inputs.name, p.inputs.type]).sort(), [
      ["mlz-baseline", "SERVICE_CONTROL_POLICY"],
      ["mlz-consumer-rekognition-lockout", "SERVICE_CONTROL_POLICY"],
      ["mlz-deny-iam-users", "SERVICE_CONTROL_POLICY"],
      ["mlz-enforce-org-identities", "RESOURCE_CONTROL_POLICY"],
      ["mlz-region-allow-list", "SERVICE_CONTROL_POLICY"],
    ]);
    assert.deepEqual(attachmentsOf(resources, policyNamed(resources, "mlz-enforce-org-identities").reg), ["r-ab12"]);

    assert.deepEqual(attachmentsOf(resources, policyNamed(resources, "mlz-baseline").reg), ["r-ab12"]);
    assert.deepEqual(attachmentsOf(resources, policyNamed(resources, "mlz-region-allow-list").reg), ["r-ab12"]);
    assert.deepEqual(attachmentsOf(resources, policyNamed(resources, "mlz-deny-iam-users").reg), ["r-ab12"]);
    assert.deepEqual(attachmentsOf(resources, policyNamed(resources, "mlz-consumer-rekognition-lockout").reg), ["ou-ab12-nonprod1", "ou-ab12-prod0001"]);
    // The ML account's OU carries no Rekognition lockout.
    assert.ok(!ofType(resources, "aws:organizations/policyAttachment:PolicyAttachment").some((a) => a.inputs.targetId === OU_IDS.ml));
    // Root: three SCPs + FullAWSAccess and one RCP + RCPFullAWSAccess, within the quotas of five each.
    assert.equal(rootAttachments(resources, "SERVICE_CONTROL_POLICY").length, 3);
    assert.equal(rootAttachments(resources, "RESOURCE_CONTROL_POLICY").length, 1);
    assert.equal(ofType(resources, "aws:organizations/policyAttachment:PolicyAttachment").filter((a) => a.inputs.targetId === "r-ab12").length, 4);
  });

  it("enforce-org-identities RCP: deny sts:AssumeRole to principals outside the organization, AWS services exempt, web identity untouched", async () => {
    const { resources, result } = await recordProgram(() => new GuardrailSet("guardrails", args()));
    const { doc, reg } = policyNamed(resources, "mlz-enforce-org-identities");
    assert.equal(reg.inputs.type, "RESOURCE_CONTROL_POLICY");
    assert.equal(reg.inputs.description, "Deny sts:AssumeRole into member accounts to principals outside the organization (AWS services exempt)");
    assertGrants(doc, {
      Version: "2012-10-17",
      Statement: [{
        Effect: "Deny",
        Principal: "*",
        Action: "sts:AssumeRole",
        Resource: "*",
        Condition: {
          StringNotEqualsIfExists: { "aws:PrincipalOrgID": "o-ab12cd34ef" },
          BoolIfExists: { "aws:PrincipalIsAWSService": "false" },
        },
      }],
    });
    assert.ok(!(reg.inputs.content as string).includes("AssumeRoleWithWebIdentity"));
    const summary = await promiseOf(result.summary);
    assert.deepEqual(summary["enforce-org-identities"], {
      policyName: "mlz-enforce-org-identities",
      policyType: "RESOURCE_CONTROL_POLICY",
      policyId: reg.id,
      size: ENFORCE_ORG_IDENTITIES_SIZE,
      targets: { root: "r-ab12" },
      statements: ["EnforceOrgIdentities"],
    });
    assert.equal(summary.baseline.policyType, "SERVICE_CONTROL_POLICY");

    const off = await recordProgram(() => new GuardrailSet("guardrails", args({ enforceOrgIdentities: false })));
    assert.equal(ofType(off.resources, "mlz:organization:ResourceControlPolicy").length, 0);
    assert.ok(!ofType(off.resources, "aws:organizations/policy:Policy").some((p) => p.inputs.type === "RESOURCE_CONTROL_POLICY"));
    assert.deepEqual(Object.keys(await promiseOf(off.result.summary)).sort(), ["baseline", "consumer-rekognition-lockout", "deny-iam-users", "region-allow-list"]);

    await assert.rejects(recordProgram(() => new GuardrailSet("guardrails", args({ organizationId: "r-ab12" }))), {
      message: "[organizationId] must be an organization id such as 'o-a1b2c3d4e5'; got 'r-ab12'",
    });
  });

  it("baseline: leave-organization, member root user, detection protection; only ProtectConfig exempts, exactly OrganizationAccountAccessRole", async () => {
    const { resources } = await recordProgram(() => new GuardrailSet("guardrails", args()));
    const { doc } = policyNamed(resources, "mlz-baseline");
    assert.equal(doc.Version, "2012-10-17");
    assert.equal(doc.Statement.length, 5, "each statement is checked below");
    const [leave, root, trail, config, analyzer] = doc.Statement;
    assertGrants([leave], [{ Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" }]);
    assertGrants([root], [{ Effect: "Deny", Action: "*", Resource: "*", Condition: { ArnLike: { "aws:PrincipalARN": "arn:aws:iam::*:root" } } }]);
    assertGrants([trail], [{ Effect: "Deny", Action: [...CLOUDTRAIL_PROTECTED_ACTIONS], Resource: "*" }]);
    assertGrants([analyzer], [{ Effect: "Deny", Action: [...ACCESS_ANALYZER_PROTECTED_ACTIONS], Resource: "*" }]);
    assertGrants([config], [{
      Effect: "Deny", Action: [...CONFIG_PROTECTED_ACTIONS], Resource: "*",
      Condition: { ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/OrganizationAccountAccessRole"] } },
    }]);
    const pattern = config.Condition.ArnNotLike["aws:PrincipalARN"][0];
    assert.equal(arnLike(pattern, "arn:aws:iam::555555555555:role/OrganizationAccountAccessRole"), true);
    assert.equal(arnLike(pattern, "arn:aws:iam::555555555555:role/OrganizationAccountAccessRole-evil"), false);
    assert.equal(arnLike(pattern, "arn:aws:iam::555555555555:role/mlz-deploy"), false);
    assert.ok(config.Action.includes("config:PutConfigurationRecorder"));
    assert.ok(config.Action.includes("config:PutDeliveryChannel"));
    // No statement of any guardrail mentions the deploy role any more.
    for (const p of ofType(resources, "aws:organizations/policy:Policy")) assert.ok(!(p.inputs.content as string).includes("mlz-deploy"), p.inputs.name as string);
  });

  it("baseline: with audit-log buckets, ProtectAuditLogBucket on their ARNs, break-glass role exempt; root still carries three SCPs", async () => {
    const { resources, result } = await recordProgram(() => new GuardrailSet("guardrails", args({
      auditLogBucketNames: [pulumi.output("mlz-audit-logs-333333333333"), "mlz-config-logs-333333333333"],
    })));
    const { doc, reg } = policyNamed(resources, "mlz-baseline");
    assert.equal(reg.inputs.description, "Deny leaving the organization and the member root user; protect CloudTrail, Config, Access Analyzer and the audit-log bucket");
    assert.deepEqual(actionsOf(doc.Statement), [...BASELINE_ACTIONS, sorted(AUDIT_LOG_BUCKET_PROTECTED_ACTIONS)]);
    assertGrants([doc.Statement[5]], [{
      Effect: "Deny",
      Action: [...AUDIT_LOG_BUCKET_PROTECTED_ACTIONS],
      Resource: [
        "arn:aws:s3:::mlz-audit-logs-333333333333", "arn:aws:s3:::mlz-audit-logs-333333333333/*",
        "arn:aws:s3:::mlz-config-logs-333333333333", "arn:aws:s3:::mlz-config-logs-333333333333/*",
      ],
      Condition: BREAK_GLASS,
    }]);
    assert.ok(doc.Statement[5].Action.includes("s3:PutBucketPolicy"));
    assert.ok(doc.Statement[5].Action.includes("s3:PutEncryptionConfiguration"));
    assert.equal(rootAttachments(resources, "SERVICE_CONTROL_POLICY").length, 3);
    const summary = await promiseOf(result.summary);
    assert.equal(summary.baseline.size, (reg.inputs.content as string).length);
    assert.equal(summary.baseline.size, BASELINE_WITH_BUCKETS_SIZE);
    assert.ok(summary.baseline.size <= 5120);
    assert.deepEqual(summary.baseline.statements, ["DenyLeaveOrganization", "DenyMemberRootUser", "ProtectCloudTrail", "ProtectConfig", "ProtectAccessAnalyzer", "ProtectAuditLogBucket"]);

    const custom = await recordProgram(() => new GuardrailSet("guardrails", args({
      auditLogBucketNames: ["mlz-audit-logs-333333333333"], auditLogBreakGlassRoleNames: ["mlz-break-glass"],
    })));
    assert.deepEqual(policyNamed(custom.resources, "mlz-baseline").doc.Statement[5].Condition, {
      ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/mlz-break-glass"] },
    });
  });

  it("baseline: with the audit-log key, ProtectAuditLogKey by alias on the lakehouse keys and ProtectAuditLogKeyAlias on the alias", async () => {
    const { resources, result } = await recordProgram(() => new GuardrailSet("guardrails", args({
      auditLogBucketNames: ["mlz-audit-logs-333333333333", "mlz-config-logs-333333333333"],
      auditLogKey: { accountId: pulumi.output("333333333333"), alias: "alias/mlz-audit-logs" },
    })));
    const { doc, reg } = policyNamed(resources, "mlz-baseline");
    assert.equal(reg.inputs.description, "Deny leaving the organization and the member root user; protect CloudTrail, Config, Access Analyzer, the audit-log buckets and their KMS key");
    assert.deepEqual(actionsOf(doc.Statement), [
      ...BASELINE_ACTIONS,
      sorted(AUDIT_LOG_BUCKET_PROTECTED_ACTIONS), sorted(AUDIT_LOG_KEY_PROTECTED_ACTIONS), sorted(AUDIT_LOG_KEY_ALIAS_PROTECTED_ACTIONS),
    ]);
    assertGrants([doc.Statement[6]], [{
      Effect: "Deny",
      Action: ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"],
      Resource: "arn:aws:kms:*:333333333333:key/*",
      Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/mlz-audit-logs" }, ...BREAK_GLASS },
    }]);
    assertGrants([doc.Statement[7]], [{
      Effect: "Deny",
      Action: ["kms:DeleteAlias", "kms:UpdateAlias"],
      Resource: "arn:aws:kms:*:333333333333:alias/mlz-audit-logs",
      Condition: BREAK_GLASS,
    }]);
    assert.deepEqual(doc.Statement[6].Action, [...AUDIT_LOG_KEY_PROTECTED_ACTIONS]);
    assert.deepEqual(doc.Statement[7].Action, [...AUDIT_LOG_KEY_ALIAS_PROTECTED_ACTIONS]);
    // The break-glass pattern matches the role exactly, in the lakehouse account too.
    assert.equal(arnLike(BREAK_GLASS.ArnNotLike["aws:PrincipalARN"][0], "arn:aws:iam::333333333333:role/OrganizationAccountAccessRole"), true);
    assert.equal(arnLike(BREAK_GLASS.ArnNotLike["aws:PrincipalARN"][0], "arn:aws:iam::333333333333:role/mlz-deploy"), false);
    const summary = await promiseOf(result.summary);
    assert.equal(summary.baseline.size, BASELINE_WITH_BUCKETS_AND_KEY_SIZE);
    assert.ok(summary.baseline.size <= 5120);

    // A key named by its ARN: one statement on that key, no alias condition.
    const byArn = await recordProgram(() => new GuardrailSet("guardrails", args({
      auditLogKey: { keyArn: "arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
    })));
    const arnDoc = policyNamed(byArn.resources, "mlz-baseline").doc;
    assert.equal(policyNamed(byArn.resources, "mlz-baseline").reg.inputs.description, "Deny leaving the organization and the member root user; protect CloudTrail, Config, Access Analyzer and the audit-log KMS key");
    assertGrants(arnDoc.Statement.slice(5), [{
      Effect: "Deny", Action: [...AUDIT_LOG_KEY_PROTECTED_ACTIONS],
      Resource: "arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab", Condition: BREAK_GLASS,
    }]);

    await assert.rejects(recordProgram(() => new GuardrailSet("g", args({ auditLogKey: { accountId: "333333333333", alias: "mlz-audit-logs" } }))), {
      message: "[auditLogKey.alias] must be 'alias/<name>' (letters, digits, '/', '_', '-'; not under alias/aws/); got 'mlz-audit-logs'",
    });
    await assert.rejects(recordProgram(() => new GuardrailSet("g", args({ auditLogKey: { accountId: "3333", alias: "alias/mlz-audit-logs" } }))), {
      message: "[auditLogKey.accountId] must be a 12-digit account id; got '3333'",
    });
    await assert.rejects(recordProgram(() => new GuardrailSet("g", args({ auditLogKey: { keyArn: "arn:aws:kms:us-east-1:333333333333:alias/mlz-audit-logs" } }))), {
      message: "[auditLogKey.keyArn] must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>); got 'arn:aws:kms:us-east-1:333333333333:alias/mlz-audit-logs'",
    });
  });

  it("region allow-list: NotAction global services and allowed regions, no principal exempt", async () => {
    const { resources } = await recordProgram(() => new GuardrailSet("guardrails", args()));
    const { doc } = policyNamed(resources, "mlz-region-allow-list");
    assert.equal(doc.Statement.length, 1);
    assertGrants([doc.Statement[0]], [{
      Effect: "Deny",
      NotAction: [...GLOBAL_SERVICE_ACTIONS],
      Resource: "*",
      Condition: { StringNotEquals: { "aws:RequestedRegion": ["us-east-1", "eu-west-1"] } },
    }]);
  });

  it("IAM users: users, access keys and login profiles denied everywhere unless an exception account is named", async () => {
    let r = await recordProgram(() => new GuardrailSet("guardrails", args()));
    assertGrants(policyNamed(r.resources, "mlz-deny-iam-users").doc.Statement, [{
      Effect: "Deny",
      Action: ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"], Resource: "*",
    }]);
    r = await recordProgram(() => new GuardrailSet("guardrails", args({ iamUserExceptionAccountIds: ["333333333333"] })));
    assert.deepEqual(policyNamed(r.resources, "mlz-deny-iam-users").doc.Statement[0].Condition, {
      StringNotEquals: { "aws:PrincipalAccount": ["333333333333"] },
    });
  });

  it("consumer lockout: Rekognition project lifecycle on every resource", async () => {
    const { resources } = await recordProgram(() => new GuardrailSet("guardrails", args()));
    assertGrants(policyNamed(resources, "mlz-consumer-rekognition-lockout").doc.Statement, [{
      Effect: "Deny",
      Action: ["rekognition:CreateProject*", "rekognition:DeleteProject*", "rekognition:StartProject*", "rekognition:StopProject*"],
      Resource: "*",
    }]);
  });

  it("lists every guardrail with its attachments and minified size", async () => {
    const { result, resources } = await recordProgram(() => new GuardrailSet("guardrails", args()));
    const summary = await promiseOf(result.summary);
    assert.deepEqual(Object.keys(summary).sort(), ["baseline", "consumer-rekognition-lockout", "deny-iam-users", "enforce-org-identities", "region-allow-list"]);
    for (const [key, s] of Object.entries(summary)) {
      const { reg } = policyNamed(resources, `mlz-${key}`);
      assert.equal(s.size, (reg.inputs.content as string).length, key);
      assert.equal(s.policyId, reg.id);
      assert.ok(s.size <= 5120);
    }
    assert.deepEqual(summary["consumer-rekognition-lockout"].targets, { nonprod: "ou-ab12-nonprod1", prod: "ou-ab12-prod0001" });
    assert.deepEqual(summary["baseline"].targets, { root: "r-ab12" });
    // Sizes for the example org (us-east-1, eu-west-1; no IAM-user exception).
    assert.deepEqual(Object.fromEntries(Object.entries(summary).map(([k, s]) => [k, s.size])), {
      "baseline": 1363,
      "region-allow-list": 918,
      "deny-iam-users": 205,
      "consumer-rekognition-lockout": 235,
      "enforce-org-identities": ENFORCE_ORG_IDENTITIES_SIZE,
    });
  });

  it("exempts the configured Config roles only, and refuses wildcards in them", async () => {
    const { resources } = await recordProgram(() => new GuardrailSet("guardrails", args({ configExemptRoleNames: ["OrganizationAccountAccessRole", "config-admin"] })));
    const { doc } = policyNamed(resources, "mlz-baseline");
    assert.deepEqual(statementNaming(doc.Statement, CONFIG_PROTECTED_ACTIONS[0]).Condition.ArnNotLike, {
      "aws:PrincipalARN": ["arn:aws:iam::*:role/OrganizationAccountAccessRole", "arn:aws:iam::*:role/config-admin"],
    });
    assert.equal(policyNamed(resources, "mlz-region-allow-list").doc.Statement[0].Condition.ArnNotLike, undefined);
    await assert.rejects(recordProgram(() => new GuardrailSet("guardrails", args({ configExemptRoleNames: ["OrganizationAccountAccessRole*"] }))), {
      message: "[configExemptRoleNames] must hold IAM role names (letters, digits and +=,.@_-, at most 64 characters, no wildcards); got 'OrganizationAccountAccessRole*'",
    });
    await assert.rejects(recordProgram(() => new GuardrailSet("guardrails", args({ auditLogBucketNames: ["Audit_Logs"] }))), {
      message: "[auditLogBucketNames] must hold S3 bucket names (3-63 lowercase letters, digits, '.' and '-'); got 'Audit_Logs'",
    });
  });

  it("validates its arguments before declaring anything", async () => {
    await assert.rejects(recordProgram(() => new GuardrailSet("g", args({ consumerOuKeys: ["qa"] }))), {
      message: "[consumerOuKeys] must be keys of [organizationalUnitIds] (infrastructure, data, ml, workloads, nonprod, prod); got 'qa'",
    });
    await assert.rejects(recordProgram(() => new GuardrailSet("g", args({ consumerOuKeys: [] }))), {
      message: "[consumerOuKeys] must name at least one OU (the OUs of the QA and prod accounts)",
    });
    await assert.rejects(recordProgram(() => new GuardrailSet("g", args({ allowedRegions: ["mars-1"] }))), {
      message: "[allowedRegions] must hold AWS region names such as 'us-east-1'; got 'mars-1'",
    });
  });

  it("refuses a guardrail over the configured quota, naming it and its size", async () => {
    await assert.rejects(recordProgram(() => new GuardrailSet("g", args({ sizeQuota: 1000 }))), (e: Error) => {
      assert.match(e.message, /^service control policy 'mlz-baseline' is \d+ characters minified, over the SCP size quota of 1000 characters$/);
      return true;
    });
  });

  it("refuses a target that would exceed five SCPs with FullAWSAccess", () => {
    assert.doesNotThrow(() => assertAttachmentQuota({ root: ["a", "b", "c", "d"] }));
    assert.throws(() => assertAttachmentQuota({ root: ["a", "b", "c", "d", "e"] }), {
      message: "target 'root' would carry 6 SCPs (a, b, c, d, e and FullAWSAccess); AWS allows 5",
    });
    assert.doesNotThrow(() => assertAttachmentQuota({ root: ["a", "b", "c", "d"] }, "RCP"));
    assert.throws(() => assertAttachmentQuota({ root: ["a", "b", "c", "d", "e"] }, "RCP"), {
      message: "target 'root' would carry 6 RCPs (a, b, c, d, e and RCPFullAWSAccess); AWS allows 5",
    });
  });
});
