import { strict as assert } from "node:assert";
import { recordProgram, ofType, only, parseJsonInput } from "../helpers/pulumi";
import { statementNaming } from "../helpers/iam";
import { CONFIG_PROTECTED_ACTIONS } from "../../components/organization/guardrail-statements";
import { createSimulator } from "../../plan/simulated-aws";
import { parseStackConfig, readStackConfigFile, readStackFile, ConfigError, type ManagementConfig } from "../../stacks/config";
import { managementProgram } from "../../stacks/management";

function exampleManagement(): ManagementConfig {
  const c = readStackConfigFile("management");
  assert.equal(c.role, "management");
  return c as ManagementConfig;
}

function simulator() {
  return createSimulator({ defaultAccount: "111111111111", stackOutputs: () => undefined }, "ml-landing-zone", "management").simulator;
}

describe("management stack program", () => {
  it("imports the example's existing organization by its id", async () => {
    const { resources } = await recordProgram(() => managementProgram("management", exampleManagement()), { simulator: simulator(), stack: "management" });
    assert.equal(only(resources, "aws:organizations/organization:Organization").importId, "o-exampleorg1");
  });

  it("requires the organization's id when accounts are adopted by id", () => {
    const f = readStackFile("management");
    const { organizationId: _, ...values } = f.values;
    assert.throws(() => parseStackConfig(values, f.file), (e: unknown) => e instanceof ConfigError && e.message ===
      "stacks/Pulumi.management.yaml: ml-landing-zone:organizationId: is required when accounts are adopted by id (cicd, lakehouse, ml, prod, qa): their organization exists and is imported by its id (CreateOrganization fails where one exists)");
  });

  it("bootstraps an invited account through its own bootstrap role, which the SCP exemptions and its boundary name", async () => {
    const config = exampleManagement();
    config.accounts.qa = { ...config.accounts.qa, bootstrapRoleName: "mlz-invited-admin" };
    const { resources } = await recordProgram(() => managementProgram("management", config), { simulator: simulator(), stack: "management" });
    const providers = ofType(resources, "pulumi:providers:aws");
    const qa = providers.find((p) => p.name === "account-qa")!;
    assert.equal(JSON.parse(String(qa.inputs.assumeRoles))[0].roleArn, "arn:aws:iam::555555555555:role/mlz-invited-admin");
    const prod = providers.find((p) => p.name === "account-prod")!;
    assert.equal(JSON.parse(String(prod.inputs.assumeRoles))[0].roleArn, "arn:aws:iam::666666666666:role/OrganizationAccountAccessRole");
    const baseline = parseJsonInput(ofType(resources, "aws:organizations/policy:Policy").find((p) => p.inputs.name === "mlz-baseline")!, "content");
    const exempt = statementNaming(baseline.Statement, CONFIG_PROTECTED_ACTIONS[0]).Condition.ArnNotLike["aws:PrincipalARN"];
    assert.deepEqual(exempt, ["arn:aws:iam::*:role/OrganizationAccountAccessRole", "arn:aws:iam::*:role/mlz-invited-admin"]);
    const boundary = ofType(resources, "aws:iam/policy:Policy").find((p) => p.name === "qa-workload-boundary-policy")!;
    const deny = statementNaming(parseJsonInput(boundary, "policy").Statement, "iam:UpdateAssumeRolePolicy");
    assert.ok(JSON.stringify(deny.Resource).includes("role/mlz-invited-admin"), JSON.stringify(deny.Resource));
  });
});
