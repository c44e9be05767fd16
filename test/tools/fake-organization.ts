/**
 * A realistic AWS organization answered through aws-sdk-client-mock, paginated the way the
 * Organizations API paginates (NextToken, a small page size so every list takes several pages):
 * nested OUs (Workloads → NonProd/Prod, Sandbox → Team A → Experiments), 30 member accounts
 * (the example stacks' five among them), one SUSPENDED and one CLOSED account, one account
 * INVITED into the organization, one account directly under the root, AWS Control Tower's SCPs
 * (`aws-guardrails-…`), the AWS-managed FullAWSAccess and a team's own RCP.
 */
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { mockClient } from "aws-sdk-client-mock";

export const ORG_ID = "o-exampleorg1";
export const ROOT = "r-ab12";
export const MANAGEMENT = "111111111111";
const PAGE = 4;

export interface FakeOu {
  Id: string;
  Name: string;
  parent: string;
}
export interface FakeAccount {
  Id: string;
  Name: string;
  Email: string;
  State: string;
  JoinedMethod: "CREATED" | "INVITED";
  parent: string;
}
export interface FakePolicy {
  Id: string;
  Name: string;
  Type: "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY";
  AwsManaged: boolean;
  Description: string;
  Content: string;
  targets: string[];
}

export const ou = (key: string) => `ou-ab12-${key.padEnd(8, "0")}`;

export function exampleOrganization() {
  const ous: FakeOu[] = [
    { Id: ou("infra"), Name: "Infrastructure", parent: ROOT },
    { Id: ou("data"), Name: "Data", parent: ROOT },
    { Id: ou("ml"), Name: "MachineLearning", parent: ROOT },
    { Id: ou("work"), Name: "Workloads", parent: ROOT },
    { Id: ou("nonprod"), Name: "NonProd", parent: ou("work") },
    { Id: ou("prod"), Name: "Prod", parent: ou("work") },
    { Id: ou("sandbox"), Name: "Sandbox", parent: ROOT },
    { Id: ou("teama"), Name: "Team A", parent: ou("sandbox") },
    { Id: ou("exp"), Name: "Experiments", parent: ou("teama") },
  ];
  const acct = (Id: string, Name: string, parent: string, State = "ACTIVE", JoinedMethod: "CREATED" | "INVITED" = "CREATED"): FakeAccount => ({
    Id, Name, Email: `aws-${Name.replace(/^example-/, "")}@example.com`, State, JoinedMethod, parent,
  });
  const accounts: FakeAccount[] = [
    acct(MANAGEMENT, "example-management", ROOT),
    acct("222222222222", "example-cicd", ou("infra")),
    acct("333333333333", "example-lakehouse", ou("data")),
    acct("444444444444", "example-ml", ou("ml")),
    acct("555555555555", "example-qa", ou("nonprod")),
    acct("666666666666", "example-prod", ou("prod")),
    acct("777777777701", "example-legacy-shared", ou("infra"), "ACTIVE", "INVITED"),
    acct("777777777702", "example-old-project", ou("sandbox"), "SUSPENDED"),
    acct("777777777703", "example-closed", ou("sandbox"), "CLOSED"),
    acct("777777777704", "example-billing-tools", ROOT),
  ];
  for (let i = 1; i <= 20; i++) {
    const parent = [ou("teama"), ou("exp"), ou("sandbox")][i % 3];
    accounts.push(acct(`8888888888${String(i).padStart(2, "0")}`, `example-sandbox-${i}`, parent));
  }
  const policies: FakePolicy[] = [
    { Id: "p-FullAWSAccess", Name: "FullAWSAccess", Type: "SERVICE_CONTROL_POLICY", AwsManaged: true, Description: "Allows access to every operation", Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', targets: [ROOT] },
    { Id: "p-ct0guard1", Name: "aws-guardrails-AbCdEf", Type: "SERVICE_CONTROL_POLICY", AwsManaged: false, Description: "", Content: '{"Version":"2012-10-17","Statement":[{"Sid":"GRCLOUDTRAILENABLED","Effect":"Deny","Action":["cloudtrail:DeleteTrail","cloudtrail:StopLogging"],"Resource":["arn:aws:cloudtrail:*:*:trail/aws-controltower-*"],"Condition":{"ArnNotLike":{"aws:PrincipalARN":"arn:aws:iam::*:role/AWSControlTowerExecution"}}}]}', targets: [ou("sandbox"), ou("work")] },
    { Id: "p-ct0guard2", Name: "aws-guardrails-GhIjKl", Type: "SERVICE_CONTROL_POLICY", AwsManaged: false, Description: "", Content: '{"Version":"2012-10-17","Statement":[{"Sid":"GRAUDITBUCKETDELETIONPROHIBITED","Effect":"Deny","Action":["s3:DeleteBucket"],"Resource":["arn:aws:s3:::aws-controltower*"]}]}', targets: [ou("infra")] },
    { Id: "p-mlzbase01", Name: "mlz-baseline", Type: "SERVICE_CONTROL_POLICY", AwsManaged: false, Description: "ml-landing-zone baseline", Content: '{"Version":"2012-10-17","Statement":[]}', targets: [ROOT] },
    { Id: "p-teamrcp01", Name: "team-a-data-perimeter", Type: "RESOURCE_CONTROL_POLICY", AwsManaged: false, Description: "Team A's data perimeter", Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}]}', targets: [ou("teama"), "888888888801"] },
  ];
  return { ous, accounts, policies };
}

function page<T>(items: T[], token: string | undefined): { items: T[]; NextToken?: string } {
  const start = token ? Number(token.replace(/^tok-/, "")) : 0;
  const slice = items.slice(start, start + PAGE);
  return start + PAGE < items.length ? { items: slice, NextToken: `tok-${start + PAGE}` } : { items: slice };
}

/** An OrganizationsClient answering from `org`; the mock records every call. */
export function fakeOrganizationsClient(org = exampleOrganization()) {
  const client = new OrganizationsClient({ region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const mock = mockClient(client);
  mock.on(DescribeOrganizationCommand).resolves({ Organization: { Id: ORG_ID, MasterAccountId: MANAGEMENT, FeatureSet: "ALL" } });
  mock.on(ListRootsCommand).resolves({ Roots: [{ Id: ROOT, Name: "Root", PolicyTypes: [{ Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED" }, { Type: "RESOURCE_CONTROL_POLICY", Status: "ENABLED" }] }] });
  // The SDK's paginators reuse one input object, so the requests are copied as they arrive.
  const requests: Array<{ command: string; input: Record<string, unknown> }> = [];
  const record = (command: string, input: Record<string, unknown>) => requests.push({ command, input: JSON.parse(JSON.stringify(input)) });
  mock.on(ListOrganizationalUnitsForParentCommand).callsFake((input) => {
    record("ListOrganizationalUnitsForParent", input);
    const p = page(org.ous.filter((o) => o.parent === input.ParentId), input.NextToken);
    return { OrganizationalUnits: p.items.map((o) => ({ Id: o.Id, Name: o.Name, Arn: `arn:aws:organizations::${MANAGEMENT}:ou/${ORG_ID}/${o.Id}` })), NextToken: p.NextToken };
  });
  mock.on(ListAccountsForParentCommand).callsFake((input) => {
    record("ListAccountsForParent", input);
    const p = page(org.accounts.filter((a) => a.parent === input.ParentId), input.NextToken);
    return { Accounts: p.items.map(({ parent: _parent, ...a }) => a), NextToken: p.NextToken };
  });
  mock.on(ListPoliciesCommand).callsFake((input) => {
    const p = page(org.policies.filter((x) => x.Type === input.Filter), input.NextToken);
    return { Policies: p.items.map((x) => ({ Id: x.Id, Name: x.Name, Type: x.Type, AwsManaged: x.AwsManaged, Description: x.Description })), NextToken: p.NextToken };
  });
  mock.on(ListTargetsForPolicyCommand).callsFake((input) => {
    const x = org.policies.find((p) => p.Id === input.PolicyId)!;
    const p = page(x.targets, input.NextToken);
    return { Targets: p.items.map((t) => ({ TargetId: t, Type: t.startsWith("r-") ? "ROOT" : t.startsWith("ou-") ? "ORGANIZATIONAL_UNIT" : "ACCOUNT" })), NextToken: p.NextToken };
  });
  mock.on(DescribePolicyCommand).callsFake((input) => {
    const x = org.policies.find((p) => p.Id === input.PolicyId)!;
    return { Policy: { PolicySummary: { Id: x.Id, Name: x.Name, Type: x.Type }, Content: x.Content } };
  });
  return { client, mock, org, requests };
}
