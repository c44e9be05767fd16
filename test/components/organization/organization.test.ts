import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import { Organization, orderOrganizationalUnits } from "../../../components/organization/organization";
import { createSimulator } from "../../../plan/simulated-aws";
import { recordProgram, ofType, only, promiseOf } from "../../helpers/pulumi";

const OUS = {
  workloads: { name: "Workloads" },
  prod: { name: "Prod", parent: "workloads" },
  nonprod: { name: "NonProd", parent: "workloads" },
  infrastructure: { name: "Infrastructure" },
};
const ACCOUNTS = {
  cicd: { name: "example-cicd", email: "aws-cicd@example.com", ou: "infrastructure", id: "222222222222" },
  qa: { name: "example-qa", email: "aws-qa@example.com", ou: "nonprod" },
  prod: { name: "example-prod", email: "aws-prod@example.com", ou: "prod", id: "666666666666" },
};

function simulator() {
  return createSimulator({ defaultAccount: "111111111111", stackOutputs: () => undefined }, "ml-landing-zone", "test").simulator;
}

async function record() {
  return recordProgram(() => {
    const provider = new aws.Provider("management", { region: "us-east-1", allowedAccountIds: ["111111111111"] });
    return new Organization("org", { id: "o-exampleorg1", organizationalUnits: OUS, accounts: ACCOUNTS }, { provider });
  }, { simulator: simulator() });
}

describe("Organization component", () => {
  it("imports the existing organization when its id is given (CreateOrganization fails where one exists)", async () => {
    const { resources, result } = await recordProgram(() => {
      const provider = new aws.Provider("management", { region: "us-east-1", allowedAccountIds: ["111111111111"] });
      return new Organization("org", { id: "o-exampleorg1", organizationalUnits: OUS, accounts: ACCOUNTS }, { provider });
    }, { simulator: simulator() });
    const org = only(resources, "aws:organizations/organization:Organization", "org-organization");
    assert.equal(org.importId, "o-exampleorg1");
    assert.equal(await promiseOf(result.organizationId), "o-exampleorg1");
  });

  it("refuses adopted accounts without the organization's id, and a malformed id", async () => {
    await assert.rejects(recordProgram(() => new Organization("org", { organizationalUnits: OUS, accounts: ACCOUNTS })), {
      message: "[id] must be given when accounts are adopted by id (cicd, prod): their organization exists, and CreateOrganization fails where one exists",
    });
    await assert.rejects(recordProgram(() => new Organization("org", { id: "org-1", organizationalUnits: OUS, accounts: {} })), {
      message: "[id] must be an organization id (o- and 10 to 32 lowercase letters or digits); got 'org-1'",
    });
    const created = await recordProgram(() => {
      const provider = new aws.Provider("management", { region: "us-east-1" });
      return new Organization("org", { organizationalUnits: OUS, accounts: { qa: ACCOUNTS.qa } }, { provider });
    }, { simulator: simulator() });
    assert.equal(only(created.resources, "aws:organizations/organization:Organization").importId, undefined);
  });

  it("gives a created account the configured bootstrap role name", async () => {
    const { resources } = await recordProgram(() => {
      const provider = new aws.Provider("management", { region: "us-east-1" });
      return new Organization("org", { organizationalUnits: OUS, accounts: { qa: { ...ACCOUNTS.qa, bootstrapRoleName: "mlz-bootstrap" } } }, { provider });
    }, { simulator: simulator() });
    assert.equal(only(resources, "aws:organizations/account:Account").inputs.roleName, "mlz-bootstrap");
  });

  it("declares an all-features organization with SCPs enabled and trusted service access", async () => {
    const { resources } = await record();
    const org = only(resources, "aws:organizations/organization:Organization", "org-organization");
    assert.equal(org.inputs.featureSet, "ALL");
    assert.deepEqual(org.inputs.enabledPolicyTypes, ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"]);
    assert.deepEqual(org.inputs.awsServiceAccessPrincipals, [
      "access-analyzer.amazonaws.com", "cloudtrail.amazonaws.com", "config-multiaccountsetup.amazonaws.com", "config.amazonaws.com", "sso.amazonaws.com",
    ]);
  });

  it("nests OUs under the root or their parent OU", async () => {
    const { resources, result } = await record();
    const ous = ofType(resources, "aws:organizations/organizationalUnit:OrganizationalUnit");
    assert.deepEqual(ous.map((o) => o.name).sort(), ["org-ou-infrastructure", "org-ou-nonprod", "org-ou-prod", "org-ou-workloads"]);
    const rootId = await promiseOf(result.rootId);
    const idOf = (name: string) => only(resources, "aws:organizations/organizationalUnit:OrganizationalUnit", name).id;
    assert.match(rootId, /^r-[a-z0-9]{4}$/);
    assert.equal(only(resources, "aws:organizations/organizationalUnit:OrganizationalUnit", "org-ou-workloads").inputs.parentId, rootId);
    assert.equal(only(resources, "aws:organizations/organizationalUnit:OrganizationalUnit", "org-ou-infrastructure").inputs.parentId, rootId);
    assert.equal(only(resources, "aws:organizations/organizationalUnit:OrganizationalUnit", "org-ou-prod").inputs.parentId, idOf("org-ou-workloads"));
    assert.equal(only(resources, "aws:organizations/organizationalUnit:OrganizationalUnit", "org-ou-nonprod").inputs.parentId, idOf("org-ou-workloads"));
  });

  it("places each account in its OU, adopting existing ones by id and exporting their ids", async () => {
    const { resources, result } = await record();
    const ouId = (key: string) => only(resources, "aws:organizations/organizationalUnit:OrganizationalUnit", `org-ou-${key}`).id;
    const qa = only(resources, "aws:organizations/account:Account", "org-account-qa");
    assert.deepEqual(
      { name: qa.inputs.name, email: qa.inputs.email, parentId: qa.inputs.parentId, roleName: qa.inputs.roleName, billing: qa.inputs.iamUserAccessToBilling, close: qa.inputs.closeOnDeletion },
      { name: "example-qa", email: "aws-qa@example.com", parentId: ouId("nonprod"), roleName: "OrganizationAccountAccessRole", billing: "DENY", close: false },
    );
    assert.equal(only(resources, "aws:organizations/account:Account", "org-account-prod").inputs.parentId, ouId("prod"));
    assert.equal(only(resources, "aws:organizations/account:Account", "org-account-cicd").inputs.parentId, ouId("infrastructure"));
    assert.equal(await promiseOf(result.accountIds.cicd), "222222222222");
    assert.equal(await promiseOf(result.accountIds.prod), "666666666666");
    assert.match(await promiseOf(result.accountIds.qa), /^\d{12}$/);
    assert.equal(await promiseOf(result.organizationalUnitIds.prod), ouId("prod"));
  });

  it("sends every child to the provider it was given", async () => {
    const { resources } = await record();
    for (const r of resources.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"))) {
      assert.match(r.provider ?? "", /::pulumi:providers:aws::management::/, `${r.type} ${r.name}`);
    }
  });

  it("orders OUs parents first and refuses cycles and unknown parents before declaring anything", async () => {
    assert.deepEqual(orderOrganizationalUnits(OUS), ["infrastructure", "workloads", "nonprod", "prod"]);
    assert.throws(() => orderOrganizationalUnits({ a: { name: "A", parent: "b" }, b: { name: "B", parent: "a" } }),
      /^Error: \[organizationalUnits\] must not form a cycle: a → b → a$/);
    assert.throws(() => orderOrganizationalUnits({ a: { name: "A", parent: "zz" } }),
      /^Error: \[organizationalUnits\.a\.parent\] must name another OU; got 'zz'$/);
    await assert.rejects(recordProgram(() => new Organization("o", { organizationalUnits: OUS, accounts: { x: { name: "x", email: "x@example.com", ou: "nope" } } }), { simulator: simulator() }),
      /^Error: \[accounts\.x\.ou\] must name an OU \(workloads, prod, nonprod, infrastructure\); got 'nope'$/);
  });
});
