import { strict as assert } from "node:assert";
import { recordProgram, only, ofType, parseJsonInput, promiseOf } from "../../helpers/pulumi";
import { declareGuardrails, guardrailsConfigSchema, consumerOuKeys } from "../../../stacks/parts/guardrails";
import { ACCOUNT_OUS, exampleContext, exampleOrg } from "./organization-fixtures";

const parse = (v: unknown) => guardrailsConfigSchema.parse(v);

describe("guardrails part (management stack)", () => {
  it("documents its defaults", () => {
    assert.deepEqual(parse({}), {
      guardrails: {
        consumerAccounts: ["qa", "prod"],
        iamUserExceptionAccountIds: [],
        scpSizeQuota: 5120,
        exemptRoleNames: ["mlz-deploy"],
        unusedAccessAgeDays: 90,
        organizationTrail: { enabled: true, name: "mlz-organization-trail" },
        configRules: { enabled: true, excludedAccounts: [] },
      },
    });
    assert.throws(() => parse({ guardrails: { allowedRegions: ["us-east-*"] } }), /expected an AWS region/);
    assert.throws(() => parse({ guardrails: { exemptRoleNames: ["mlz-*"] } }), /expected an IAM role name without wildcards; got 'mlz-\*'/);
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
      "baseline": { targets: { root: "r-ab12" }, size: 1510 },
      "region-allow-list": { targets: { root: "r-ab12" }, size: 987 },
      "deny-iam-users": { targets: { root: "r-ab12" }, size: 155 },
      "consumer-rekognition-lockout": { targets: { nonprod: "ou-ab12-nonprod1", prod: "ou-ab12-prod0001" }, size: 267 },
    });
    const region = ofType(resources, "aws:organizations/policy:Policy").find((p) => p.inputs.name === "mlz-region-allow-list")!;
    assert.deepEqual(parseJsonInput(region, "content").Statement[0].Condition.StringNotEquals, { "aws:RequestedRegion": ["us-east-1", "eu-west-1"] });

    assert.deepEqual(ofType(resources, "aws:accessanalyzer/analyzer:Analyzer").map((a) => a.inputs.type).sort(), ["ORGANIZATION", "ORGANIZATION_UNUSED_ACCESS"]);
    const trail = only(resources, "aws:cloudtrail/trail:Trail");
    assert.equal(trail.inputs.s3BucketName, "mlz-audit-logs-333333333333");
    assert.equal(trail.inputs.kmsKeyId, "arn:aws:kms:us-east-1:333333333333:alias/mlz-audit-logs");
    assert.equal(trail.inputs.isOrganizationTrail, true);
    assert.equal(await promiseOf(result.auditLogBucketName), "mlz-audit-logs-333333333333");
    assert.equal(ofType(resources, "aws:cfg/organizationManagedRule:OrganizationManagedRule").length, 7);
  });

  it("defaults the region allow-list to the stack's region and can skip the trail and the rules", async () => {
    const cfg = parse({ guardrails: { organizationTrail: { enabled: false }, configRules: { enabled: false } } });
    const { result, resources } = await recordProgram(() => declareGuardrails(exampleContext("management", "management"), cfg, exampleOrg()));
    const region = ofType(resources, "aws:organizations/policy:Policy").find((p) => p.inputs.name === "mlz-region-allow-list")!;
    assert.deepEqual(parseJsonInput(region, "content").Statement[0].Condition.StringNotEquals, { "aws:RequestedRegion": ["us-east-1"] });
    assert.equal(ofType(resources, "aws:cloudtrail/trail:Trail").length, 0);
    assert.equal(ofType(resources, "aws:cfg/organizationManagedRule:OrganizationManagedRule").length, 0);
    assert.equal(result.organizationTrailArn, undefined);
    assert.equal(result.configRuleNames, undefined);
  });

  it("maps consumer accounts to OUs and refuses an OU shared with a non-consumer account", () => {
    assert.deepEqual(consumerOuKeys(["qa", "prod"], ACCOUNT_OUS), ["nonprod", "prod"]);
    assert.throws(() => consumerOuKeys(["qa"], { ...ACCOUNT_OUS, ml: "nonprod" }), {
      message: "ml-landing-zone:guardrails.consumerAccounts: OU 'nonprod' would get the Rekognition lockout, but it also holds account 'ml', which is not a consumer; move it to another OU or list it",
    });
    assert.throws(() => consumerOuKeys(["staging"], ACCOUNT_OUS), {
      message: "ml-landing-zone:guardrails.consumerAccounts: expected account keys of the organization (cicd, lakehouse, ml, qa, prod); got 'staging'",
    });
  });
});
