import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import { recordProgram, only, ofType, parseJsonInput, promiseOf } from "../../helpers/pulumi";
import { auditLogKeyOf, declareConfigRecorders, declareGuardrails, guardrailsConfigSchema, consumerOuKeys, refineGuardrailsConfig } from "../../../stacks/parts/guardrails";
import { ACCOUNT_OUS, exampleContext, exampleOrg } from "./organization-fixtures";
import { actionsOf, assertGrants, statementNaming } from "../../helpers/iam";
import {
  ACCESS_ANALYZER_PROTECTED_ACTIONS,
  AUDIT_LOG_BUCKET_PROTECTED_ACTIONS,
  AUDIT_LOG_KEY_ALIAS_PROTECTED_ACTIONS,
  AUDIT_LOG_KEY_PROTECTED_ACTIONS,
  CLOUDTRAIL_PROTECTED_ACTIONS,
  CONFIG_PROTECTED_ACTIONS,
} from "../../../components/organization/guardrail-statements";

const sorted = (actions: readonly string[]) => [...actions].sort();

/** Providers of the member accounts, as the management program builds them (one per account). */
function memberProviders(keys = ["cicd", "lakehouse", "ml", "qa", "prod"]): Record<string, aws.Provider> {
  return Object.fromEntries(keys.map((k) => [k, new aws.Provider(`account-${k}`, { region: "us-east-1" })]));
}

const TRAIL_KEY = "arn:aws:kms:us-east-1:333333333333:key/4f3c2a1b-8d7e-4c6b-9a5f-0e1d2c3b4a59";
/** Parses a guardrails config; the trail's key ARN (required while the trail is enabled) defaults to TRAIL_KEY. */
const parse = (v: { guardrails?: Record<string, any> }) => guardrailsConfigSchema.parse({
  ...v,
  guardrails: { ...v.guardrails, organizationTrail: { kmsKeyArn: TRAIL_KEY, ...v.guardrails?.organizationTrail } },
});

describe("guardrails part (management stack)", () => {
  it("requires the trail's key as a key ARN, never an alias ARN (CloudTrail reports the key ARN: a diff on every run)", () => {
    assert.throws(() => guardrailsConfigSchema.parse({}), /kmsKeyArn.*is required while the trail is enabled: the audit-log key ARN \(the lakehouse stack's output auditLogKmsKeyArn\) or \\"none\\"/s);
    assert.throws(() => parse({ guardrails: { organizationTrail: { kmsKeyArn: "arn:aws:kms:us-east-1:333333333333:alias/mlz-audit-logs" } } }),
      /an alias ARN is reported back by CloudTrail as the key ARN \(a change on every run\) 'arn:aws:kms:us-east-1:333333333333:alias\/mlz-audit-logs'/);
    assert.equal(guardrailsConfigSchema.parse({ guardrails: { organizationTrail: { enabled: false } } }).guardrails.organizationTrail.kmsKeyArn, undefined);
    assert.equal(parse({ guardrails: { organizationTrail: { kmsKeyArn: "none" } } }).guardrails.organizationTrail.kmsKeyArn, "none");
  });

  it("makes the organization analyzers wait for the resource that enables trusted access", async () => {
    const { resources } = await recordProgram(() => {
      const enabler = new aws.organizations.Organization("org", { featureSet: "ALL", awsServiceAccessPrincipals: ["access-analyzer.amazonaws.com"] });
      declareGuardrails(exampleContext("management", "management"), parse({}), { ...exampleOrg(), trustedAccess: enabler });
    });
    const org = only(resources, "aws:organizations/organization:Organization");
    const analyzers = ofType(resources, "aws:accessanalyzer/analyzer:Analyzer");
    assert.equal(analyzers.length, 2);
    for (const a of analyzers) assert.ok(a.dependencies.includes(org.urn), `${a.name} depends on the organization`);
  });

  it("documents its defaults", () => {
    assert.deepEqual(parse({}), {
      guardrails: {
        consumerAccounts: ["qa", "prod"],
        iamUserExceptionAccountIds: [],
        scpSizeQuota: 5120,
        protectAuditLogBuckets: true,
        enforceOrgIdentities: true,
        unusedAccessAgeDays: 90,
        organizationTrail: { enabled: true, name: "mlz-organization-trail", kmsKeyArn: TRAIL_KEY },
        configRecorders: { enabled: true, existingServiceLinkedRole: [] },
        configRules: { enabled: true, excludedAccounts: [] },
      },
    });
    assert.throws(() => parse({ guardrails: { allowedRegions: ["us-east-*"] } }), /expected an AWS region/);
    // The deploy-role exemption is gone from the config: the key is refused, not ignored.
    assert.throws(() => parse({ guardrails: { exemptRoleNames: ["mlz-deploy"] } }), /exemptRoleNames/);
    assert.throws(() => parse({ guardrails: { configRecorders: { homeRegion: "mars" } } }), /expected an AWS region/);
  });

  it("declares guardrails on the example org's root and consumer OUs, analyzers, the trail and config rules", async () => {
    const cfg = parse({ guardrails: { allowedRegions: ["us-east-1", "eu-west-1"] } });
    const { result, resources } = await recordProgram(() => declareGuardrails(exampleContext("management", "management"), cfg, exampleOrg()));
    const provider = only(resources, "pulumi:providers:aws", "account");
    for (const r of resources.filter((r) => r.custom && r.type.startsWith("aws:"))) {
      assert.ok(r.provider?.startsWith(provider.urn), `${r.type}/${r.name} uses the stack provider`);
    }
    const summary = await promiseOf(result.guardrails);
    assert.deepEqual(Object.fromEntries(Object.entries(summary).map(([k, s]) => [k, { targets: s.targets, size: s.size }])), {
      "baseline": { targets: { root: "r-ab12" }, size: 2219 },
      "region-allow-list": { targets: { root: "r-ab12" }, size: 918 },
      "deny-iam-users": { targets: { root: "r-ab12" }, size: 205 },
      "consumer-rekognition-lockout": { targets: { nonprod: "ou-ab12-nonprod1", prod: "ou-ab12-prod0001" }, size: 235 },
      "enforce-org-identities": { targets: { root: "r-ab12" }, size: 274 },
    });
    assert.equal(summary["enforce-org-identities"].policyType, "RESOURCE_CONTROL_POLICY");
    const rcp = ofType(resources, "aws:organizations/policy:Policy").find((p) => p.inputs.name === "mlz-enforce-org-identities")!;
    assert.equal(rcp.inputs.type, "RESOURCE_CONTROL_POLICY");
    assertGrants(parseJsonInput(rcp, "content").Statement, [{
      Effect: "Deny", Principal: "*", Action: "sts:AssumeRole", Resource: "*",
      Condition: { StringNotEqualsIfExists: { "aws:PrincipalOrgID": "o-exampleorg1" }, BoolIfExists: { "aws:PrincipalIsAWSService": "false" } },
    }]);
    const region = ofType(resources, "aws:organizations/policy:Policy").find((p) => p.inputs.name === "mlz-region-allow-list")!;
    assert.deepEqual(parseJsonInput(region, "content").Statement[0].Condition, { StringNotEquals: { "aws:RequestedRegion": ["us-east-1", "eu-west-1"] } });
    const baseline = parseJsonInput(ofType(resources, "aws:organizations/policy:Policy").find((p) => p.inputs.name === "mlz-baseline")!, "content");
    const protect = statementNaming(baseline.Statement, AUDIT_LOG_BUCKET_PROTECTED_ACTIONS[0]);
    assert.deepEqual(protect.Resource, [
      "arn:aws:s3:::mlz-audit-logs-333333333333", "arn:aws:s3:::mlz-audit-logs-333333333333/*",
      "arn:aws:s3:::mlz-config-logs-333333333333", "arn:aws:s3:::mlz-config-logs-333333333333/*",
    ]);
    assert.deepEqual(protect.Condition, { ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/OrganizationAccountAccessRole"] } });
    assert.ok(protect.Action.includes("s3:PutBucketPolicy") && protect.Action.includes("s3:PutEncryptionConfiguration"));
    const key = statementNaming(baseline.Statement, AUDIT_LOG_KEY_PROTECTED_ACTIONS[0]);
    // The trail's key is named by its key ARN, so the SCP names that exact key (no alias to protect).
    assertGrants([key], [{
      Effect: "Deny", Action: ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"],
      Resource: TRAIL_KEY,
      Condition: protect.Condition,
    }]);
    assert.equal(statementNaming(baseline.Statement, AUDIT_LOG_KEY_ALIAS_PROTECTED_ACTIONS[0]), undefined);
    assert.deepEqual(statementNaming(baseline.Statement, CONFIG_PROTECTED_ACTIONS[0]).Condition, protect.Condition);

    assert.deepEqual(ofType(resources, "aws:accessanalyzer/analyzer:Analyzer").map((a) => a.inputs.type).sort(), ["ORGANIZATION", "ORGANIZATION_UNUSED_ACCESS"]);
    const trail = only(resources, "aws:cloudtrail/trail:Trail");
    assert.equal(trail.inputs.s3BucketName, "mlz-audit-logs-333333333333");
    assert.equal(trail.inputs.kmsKeyId, TRAIL_KEY);
    assert.equal(trail.inputs.isOrganizationTrail, true);
    assert.equal(await promiseOf(result.auditLogBucketName), "mlz-audit-logs-333333333333");
    assert.equal(ofType(resources, "aws:cfg/organizationManagedRule:OrganizationManagedRule").length, 7);
  });

  it("defaults the region allow-list to the stack's region and can skip the trail, the rules and the bucket protection", async () => {
    const cfg = parse({ guardrails: { organizationTrail: { enabled: false }, configRules: { enabled: false }, protectAuditLogBuckets: false } });
    const { result, resources } = await recordProgram(() => declareGuardrails(exampleContext("management", "management"), cfg, exampleOrg()));
    const region = ofType(resources, "aws:organizations/policy:Policy").find((p) => p.inputs.name === "mlz-region-allow-list")!;
    assert.deepEqual(parseJsonInput(region, "content").Statement[0].Condition.StringNotEquals, { "aws:RequestedRegion": ["us-east-1"] });
    assert.equal(ofType(resources, "aws:cloudtrail/trail:Trail").length, 0);
    assert.equal(ofType(resources, "aws:cfg/organizationManagedRule:OrganizationManagedRule").length, 0);
    assert.equal(result.organizationTrailArn, undefined);
    assert.equal(result.configRuleNames, undefined);
    const baseline = parseJsonInput(ofType(resources, "aws:organizations/policy:Policy").find((p) => p.inputs.name === "mlz-baseline")!, "content");
    // Leave, root user, CloudTrail, Config, Access Analyzer: no audit-log protection.
    assert.deepEqual(actionsOf(baseline.Statement), [
      ["organizations:LeaveOrganization"], ["*"], sorted(CLOUDTRAIL_PROTECTED_ACTIONS), sorted(CONFIG_PROTECTED_ACTIONS), sorted(ACCESS_ANALYZER_PROTECTED_ACTIONS),
    ]);
  });

  it("can skip the enforce-org-identities RCP", async () => {
    const { result, resources } = await recordProgram(() => declareGuardrails(exampleContext("management", "management"), parse({ guardrails: { enforceOrgIdentities: false } }), exampleOrg()));
    assert.ok(!ofType(resources, "aws:organizations/policy:Policy").some((p) => p.inputs.type === "RESOURCE_CONTROL_POLICY"));
    assert.equal((await promiseOf(result.guardrails))["enforce-org-identities"], undefined);
  });

  it("derives the protected audit-log key from organizationTrail.kmsKeyArn", async () => {
    assert.deepEqual(auditLogKeyOf(undefined, "333333333333"), { accountId: "333333333333", alias: "alias/mlz-audit-logs" });
    assert.equal(auditLogKeyOf("none", "333333333333"), undefined);
    assert.deepEqual(auditLogKeyOf("arn:aws:kms:eu-west-1:777777777777:alias/org-trail", "333333333333"), { accountId: "777777777777", alias: "alias/org-trail" });
    const keyArn = "arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    assert.deepEqual(auditLogKeyOf(keyArn, "333333333333"), { keyArn });
    assert.throws(() => auditLogKeyOf("mlz-audit-logs", "333333333333"), {
      message: "ml-landing-zone:guardrails.organizationTrail.kmsKeyArn: expected a KMS key ARN, a KMS alias ARN or \"none\"; got 'mlz-audit-logs'",
    });
    // With kmsKeyArn "none", the baseline keeps the bucket statement and drops the key statements.
    const { resources } = await recordProgram(() => declareGuardrails(exampleContext("management", "management"), parse({ guardrails: { organizationTrail: { kmsKeyArn: "none" } } }), exampleOrg()));
    const baseline = parseJsonInput(ofType(resources, "aws:organizations/policy:Policy").find((p) => p.inputs.name === "mlz-baseline")!, "content");
    assert.deepEqual(actionsOf(baseline.Statement).slice(5), [sorted(AUDIT_LOG_BUCKET_PROTECTED_ACTIONS)]);
  });

  it("declares one configuration recorder per account through its provider, and the rules wait for them", async () => {
    const cfg = parse({});
    const { result, resources } = await recordProgram(() => {
      const ctx = exampleContext("management", "management");
      const org = exampleOrg();
      const recorders = declareConfigRecorders(ctx, cfg, org, memberProviders());
      return { recorders, outputs: declareGuardrails(ctx, cfg, org, recorders) };
    });
    assert.deepEqual(Object.keys(result.recorders), ["cicd", "lakehouse", "management", "ml", "prod", "qa"]);
    const comps = ofType(resources, "mlz:organization:ConfigRecorder");
    assert.deepEqual(comps.map((c) => c.name).sort(), [
      "config-recorder-cicd", "config-recorder-lakehouse", "config-recorder-management", "config-recorder-ml", "config-recorder-prod", "config-recorder-qa",
    ]);
    const providerOf = (key: string) => only(resources, "pulumi:providers:aws", key === "management" ? "account" : `account-${key}`).urn;
    for (const key of Object.keys(result.recorders)) {
      const comp = only(resources, "mlz:organization:ConfigRecorder", `config-recorder-${key}`);
      const children = resources.filter((r) => r.parent === comp.urn);
      assert.equal(children.length, 4, key);
      for (const c of children) assert.ok(c.provider?.startsWith(providerOf(key)), `${c.name} goes to the ${key} account`);
      const channel = children.find((c) => c.type === "aws:cfg/deliveryChannel:DeliveryChannel")!;
      assert.equal(channel.inputs.s3BucketName, "mlz-config-logs-333333333333");
      assert.equal(channel.inputs.s3KeyPrefix, "config");
      const recorder = children.find((c) => c.type === "aws:cfg/recorder:Recorder")!;
      assert.deepEqual(recorder.inputs.recordingGroup, { allSupported: true, includeGlobalResourceTypes: true });
    }
    assert.equal(ofType(resources, "aws:iam/serviceLinkedRole:ServiceLinkedRole").length, 6);
    const statuses = ofType(resources, "aws:cfg/recorderStatus:RecorderStatus");
    const rules = ofType(resources, "aws:cfg/organizationManagedRule:OrganizationManagedRule");
    assert.equal(rules.length, 7);
    for (const r of rules) for (const st of statuses) assert.ok(r.dependencies.includes(st.urn), `${r.name} waits for ${st.name}`);
  });

  it("recorders: skips excluded accounts, reuses existing service-linked roles, records global types only in the home region", async () => {
    const cfg = parse({ guardrails: {
      configRules: { excludedAccounts: ["cicd"] },
      configRecorders: { bucketName: "org-config-logs", homeRegion: "eu-west-1", existingServiceLinkedRole: ["ml"] },
    } });
    const { result, resources } = await recordProgram(() => declareConfigRecorders(exampleContext("management", "management"), cfg, exampleOrg(), memberProviders()));
    assert.deepEqual(Object.keys(result), ["lakehouse", "management", "ml", "prod", "qa"]);
    assert.equal(ofType(resources, "aws:iam/serviceLinkedRole:ServiceLinkedRole").length, 4);
    const mlRecorder = only(resources, "aws:cfg/recorder:Recorder", "config-recorder-ml-recorder");
    assert.equal(mlRecorder.inputs.roleArn, "arn:aws:iam::444444444444:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig");
    for (const r of ofType(resources, "aws:cfg/recorder:Recorder")) {
      assert.deepEqual(r.inputs.recordingGroup, { allSupported: true, includeGlobalResourceTypes: false }, r.name);
    }
    for (const c of ofType(resources, "aws:cfg/deliveryChannel:DeliveryChannel")) assert.equal(c.inputs.s3BucketName, "org-config-logs");
    const off = await recordProgram(() => declareConfigRecorders(exampleContext("management", "management"), parse({ guardrails: { configRecorders: { enabled: false } } }), exampleOrg(), memberProviders()));
    assert.deepEqual(off.result, {});
    assert.equal(ofType(off.resources, "mlz:organization:ConfigRecorder").length, 0);
    await assert.rejects(recordProgram(() => declareConfigRecorders(exampleContext("management", "management"), parse({}), exampleOrg(), memberProviders(["staging"]))), {
      message: "guardrails: no member account 'staging' in the organization (cicd, lakehouse, ml, qa, prod)",
    });
  });

  it("maps consumer accounts to OUs; the config schema refuses unknown keys and an OU shared with a non-consumer account", () => {
    assert.deepEqual(consumerOuKeys(["qa", "prod"], ACCOUNT_OUS), ["nonprod", "prod"]);
    assert.deepEqual(consumerOuKeys(["qa", "qa"], ACCOUNT_OUS), ["nonprod"]);
    const checked = (g: Record<string, any>, accountOus: Record<string, string>) => {
      const schema = guardrailsConfigSchema.superRefine((c, ctx) => refineGuardrailsConfig(c.guardrails, accountOus, ctx));
      const r = schema.safeParse({ guardrails: { organizationTrail: { enabled: false }, ...g } });
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    assert.deepEqual(checked({}, ACCOUNT_OUS), []);
    assert.deepEqual(checked({ consumerAccounts: ["qa"] }, { ...ACCOUNT_OUS, ml: "nonprod" }), [
      "guardrails.consumerAccounts: OU 'nonprod' would get the Rekognition lockout, but it also holds account 'ml', which is not a consumer; move it to another OU or list it",
    ]);
    assert.deepEqual(checked({ consumerAccounts: ["staging"] }, ACCOUNT_OUS), [
      "guardrails.consumerAccounts.0: expected account keys of the organization (cicd, lakehouse, ml, qa, prod); got 'staging'",
    ]);
    assert.deepEqual(checked({ configRules: { excludedAccounts: ["ml", "sandbox"] }, configRecorders: { existingServiceLinkedRole: ["management"] } }, ACCOUNT_OUS), [
      "guardrails.configRules.excludedAccounts.1: expected account keys of the organization (cicd, lakehouse, ml, qa, prod); got 'sandbox'",
    ]);
  });
});
