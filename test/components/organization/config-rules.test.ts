import { strict as assert } from "node:assert";
import { recordProgram, only, ofType } from "../../helpers/pulumi";
import * as pulumi from "@pulumi/pulumi";
import { OrganizationConfigRules, DEFAULT_ORGANIZATION_CONFIG_RULES } from "../../../components/organization/config-rules";
import { ConfigRecorder } from "../../../components/organization/config-recorder";

describe("OrganizationConfigRules", () => {
  it("deploys the baseline managed rules with their real identifiers", async () => {
    const { resources } = await recordProgram(() => new OrganizationConfigRules("rules", {}));
    const comp = only(resources, "mlz:organization:ConfigRules", "rules");
    const rules = ofType(resources, "aws:cfg/organizationManagedRule:OrganizationManagedRule");
    for (const r of rules) assert.equal(r.parent, comp.urn);
    assert.deepEqual(Object.fromEntries(rules.map((r) => [r.inputs.name, r.inputs.ruleIdentifier])), {
      "mlz-s3-bucket-sse-enabled": "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
      "mlz-s3-bucket-public-read-prohibited": "S3_BUCKET_PUBLIC_READ_PROHIBITED",
      "mlz-s3-bucket-public-write-prohibited": "S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
      "mlz-iam-user-no-policies": "IAM_USER_NO_POLICIES_CHECK",
      "mlz-iam-root-access-key": "IAM_ROOT_ACCESS_KEY_CHECK",
      "mlz-root-account-mfa-enabled": "ROOT_ACCOUNT_MFA_ENABLED",
      "mlz-multi-region-cloudtrail-enabled": "MULTI_REGION_CLOUD_TRAIL_ENABLED",
    });
    const s3 = only(resources, "aws:cfg/organizationManagedRule:OrganizationManagedRule", "rules-s3-bucket-public-read-prohibited");
    assert.deepEqual(s3.inputs.resourceTypesScopes, ["AWS::S3::Bucket"]);
    assert.equal(s3.inputs.maximumExecutionFrequency, undefined);
    const mfa = only(resources, "aws:cfg/organizationManagedRule:OrganizationManagedRule", "rules-root-account-mfa-enabled");
    assert.equal(mfa.inputs.maximumExecutionFrequency, "TwentyFour_Hours");
    assert.equal(mfa.inputs.excludedAccounts, undefined);
    assert.equal(Object.keys(DEFAULT_ORGANIZATION_CONFIG_RULES).length, 7);
  });

  it("passes excluded accounts and refuses a malformed identifier", async () => {
    const { resources } = await recordProgram(() => new OrganizationConfigRules("rules", { excludedAccountIds: ["222222222222"] }));
    for (const r of ofType(resources, "aws:cfg/organizationManagedRule:OrganizationManagedRule")) assert.deepEqual(r.inputs.excludedAccounts, ["222222222222"]);
    await assert.rejects(recordProgram(() => new OrganizationConfigRules("r", { rules: { x: { identifier: "s3-bucket-public-read-prohibited", description: "d" } } })), {
      message: "[rules] 'x' must have a managed-rule identifier such as 'S3_BUCKET_PUBLIC_READ_PROHIBITED'; got 's3-bucket-public-read-prohibited'",
    });
  });

  it("makes every rule wait for the configuration recorders passed as [recorders]", async () => {
    const { resources } = await recordProgram(() => {
      const recorders = ["111111111111", "555555555555"].map((id) => new ConfigRecorder(`recorder-${id}`, {
        accountId: id, s3BucketName: pulumi.output("mlz-config-logs-333333333333"),
      }));
      return new OrganizationConfigRules("rules", { recorders });
    });
    const statuses = ofType(resources, "aws:cfg/recorderStatus:RecorderStatus");
    const recorders = ofType(resources, "aws:cfg/recorder:Recorder");
    assert.equal(statuses.length, 2);
    const rules = ofType(resources, "aws:cfg/organizationManagedRule:OrganizationManagedRule");
    assert.equal(rules.length, 7);
    for (const r of rules) {
      for (const dep of [...statuses, ...recorders]) assert.ok(r.dependencies.includes(dep.urn), `${r.name} waits for ${dep.name}`);
    }
    // Without recorders the rules depend on nothing.
    const plain = await recordProgram(() => new OrganizationConfigRules("rules", {}));
    for (const r of ofType(plain.resources, "aws:cfg/organizationManagedRule:OrganizationManagedRule")) assert.deepEqual(r.dependencies, []);
  });
});
