/**
 * plan/topology.ts: the organization's picture from hand-made plans (subgraphs, SCPs where
 * attached, GitHub → deploy role, application role → model-access role → model version via the
 * endpoint, pipeline → stream → bucket), the flowchart grammar rules the renderer relies on
 * (@mermaid-js/parser has no flowchart grammar, so they are checked here), byte-identical output
 * whatever the resource order, and the highlighting of a change.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildTopology, compareTopologies, mermaidIds, mermaidLabel, renderMermaid } from "../../plan/topology";
import type { StackPlan } from "../../lib/plan-model";
import { plan, res, runner, versionArn } from "./fixtures/cost-plans";

const doc = (statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const VPCE = "vpce-0123456789abcdef0";

function organization(versions: string[]): StackPlan[] {
  const mgmt = plan("management", [
    res("management", "aws:organizations/organization:Organization", "org", {}, { id: "o-abc", masterAccountId: "111111111111", roots: [{ id: "r-root" }] }, { account: "111111111111" }),
    res("management", "aws:organizations/organizationalUnit:OrganizationalUnit", "ou-workloads", { name: "Workloads", parentId: "r-root" }, { id: "ou-w" }, { account: "111111111111" }),
    res("management", "aws:organizations/organizationalUnit:OrganizationalUnit", "ou-ml", { name: "Machine \"Learning\"", parentId: "r-root" }, { id: "ou-m" }, { account: "111111111111" }),
    res("management", "aws:organizations/account:Account", "acct-qa", { name: "qa", parentId: "ou-w" }, { id: "555555555555" }, { account: "111111111111" }),
    res("management", "aws:organizations/account:Account", "acct-ml", { name: "ml", parentId: "ou-m" }, { id: "444444444444" }, { account: "111111111111" }),
    res("management", "aws:organizations/policy:Policy", "lockout", { name: "mlz-lockout", type: "SERVICE_CONTROL_POLICY" }, { id: "p-1" }, { account: "111111111111" }),
    res("management", "aws:organizations/policyAttachment:PolicyAttachment", "lockout-workloads", { policyId: "p-1", targetId: "ou-w" }, {}, { account: "111111111111" }),
  ], { account: "111111111111", role: "management" });
  const cicd = plan("cicd", [
    res("cicd", "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "oidc", { url: "https://token.actions.githubusercontent.com" }, { arn: "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com" }, { account: "222222222222" }),
    res("cicd", "aws:iam/role:Role", "gh-qa", { name: "mlz-github-deploy-qa", assumeRolePolicy: doc([{ Effect: "Allow", Principal: { Federated: "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { "token.actions.githubusercontent.com:sub": "repo:o/r:environment:qa" } } }]) }, { arn: "arn:aws:iam::222222222222:role/mlz-github-deploy-qa" }, { account: "222222222222" }),
  ], { account: "222222222222" });
  const qa = plan("qa", [
    res("qa", "aws:iam/role:Role", "deploy", { name: "mlz-deploy", assumeRolePolicy: doc([{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::222222222222:role/mlz-github-deploy-qa" }, Action: "sts:AssumeRole" }]) }, { arn: "arn:aws:iam::555555555555:role/mlz-deploy" }, { account: "555555555555" }),
    res("qa", "aws:iam/role:Role", "app", { name: "mlz-app-defect-detector", assumeRolePolicy: doc([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]) }, { arn: "arn:aws:iam::555555555555:role/mlz-app-defect-detector" }, { account: "555555555555" }),
  ], { account: "555555555555" });
  const ml = plan("ml", [
    res("ml", "aws:iam/role:Role", "access", { name: "mlz-model-access-qa", assumeRolePolicy: doc([{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::555555555555:root" }, Action: "sts:AssumeRole", Condition: { ArnEquals: { "aws:PrincipalArn": ["arn:aws:iam::555555555555:role/mlz-app-defect-detector"] } } }]) }, { arn: "arn:aws:iam::444444444444:role/mlz-model-access-qa" }),
    res("ml", "aws:iam/rolePolicy:RolePolicy", "access-invoke", { role: "mlz-model-access-qa", policy: doc([{ Effect: "Allow", Action: "rekognition:DetectCustomLabels", Resource: versions.map(versionArn), Condition: { StringEquals: { "aws:SourceVpce": VPCE } } }]) }),
    ...versions.map((v) => runner("ml", v, 1)),
    res("ml", "mlz:pipelines:Ingestion", "trips", {}),
    res("ml", "aws:s3/bucket:Bucket", "raw", { bucket: "raw-trips" }, {}, { parent: "urn:pulumi:ml::ml-landing-zone::mlz:pipelines:Ingestion::trips" }),
    res("ml", "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "stream", { name: "trips", extendedS3Configuration: { bucketArn: "arn:aws:s3:::raw-trips" } }, { arn: "arn:aws:firehose:us-east-1:444444444444:deliverystream/trips" }, { parent: "urn:pulumi:ml::ml-landing-zone::mlz:pipelines:Ingestion::trips" }),
  ], { role: "ml" });
  return [mgmt, cicd, qa, ml];
}

/**
 * The flowchart rules the renderer relies on: a `flowchart` header; ids of letters, digits and `_`
 * starting with a letter, never the keyword `end`; every label in double quotes with no raw `"`
 * inside; `subgraph id["label"]` … `end` balanced; nodes declared once, before the edges that use
 * them; `linkStyle` indexes within the edges.
 */
function assertFlowchartGrammar(text: string): void {
  const lines = text.split("\n");
  assert.match(lines[0], /^flowchart (LR|TB|TD|RL|BT)$/);
  const ID = /^[A-Za-z][A-Za-z0-9_]*$/;
  const LABEL = /^"[^"\n]*"$/;
  const declared = new Set<string>();
  let depth = 0;
  let edges = 0;
  for (const raw of lines.slice(1)) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^subgraph (\S+?)\[(.*)\]$/.exec(line))) {
      assert.match(m[1], ID, line);
      assert.match(m[2], LABEL, line);
      assert.ok(!declared.has(m[1]), `declared twice: ${m[1]}`);
      declared.add(m[1]);
      depth++;
    } else if (line === "end") {
      depth--;
      assert.ok(depth >= 0, "end without subgraph");
    } else if ((m = /^classDef (added|changed|removed) [\w:#,.-]+( [\w:#,.-]+)*$/.exec(line))) {
      // class definitions
    } else if ((m = /^linkStyle ([\d,]+) \S+$/.exec(line))) {
      for (const i of m[1].split(",").map(Number)) assert.ok(i < edges, `linkStyle ${i} beyond ${edges} edges`);
    } else if ((m = /^(\S+) (-->|-\.->)\|(".*")\| (\S+)$/.exec(line))) {
      assert.match(m[3], LABEL, line);
      for (const id of [m[1], m[4]]) assert.ok(declared.has(id), `edge uses undeclared node ${id}: ${line}`);
      edges++;
    } else if ((m = /^([^\s[({]+)(\[\(|\(\[|\{\{|\[|\()(".*")(\)\]|\]\)|\}\}|\]|\))(:::(added|changed|removed))?$/.exec(line))) {
      assert.match(m[1], ID, line);
      assert.match(m[3], LABEL, line);
      assert.ok(!declared.has(m[1]), `declared twice: ${m[1]}`);
      declared.add(m[1]);
    } else {
      assert.fail(`not a flowchart statement this renderer writes: ${JSON.stringify(raw)}`);
    }
  }
  assert.equal(depth, 0, "unbalanced subgraph/end");
  for (const id of declared) assert.notEqual(id.toLowerCase(), "end");
}

/** The real mermaid parser's verdicts (test/helpers/mermaid-parse.mjs, in one child process). */
function mermaidParse(texts: string[]): { ok: boolean; message: string }[] {
  const r = spawnSync(process.execPath, [path.resolve(__dirname, "..", "helpers", "mermaid-parse.mjs")], { input: JSON.stringify(texts), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe("plan/topology", () => {
  it("draws OUs and accounts as nested subgraphs, the SCP where attached, and the access paths", () => {
    const text = renderMermaid(buildTopology(organization(["v1"])));
    assertFlowchartGrammar(text);
    const ids = mermaidIds(buildTopology(organization(["v1"])).nodes.map((n) => n.key));
    const id = (key: string) => ids.get(key)!;
    const lines = text.split("\n");
    const indexOf = (needle: string) => lines.findIndex((l) => l.includes(needle));
    // qa account inside the Workloads OU inside the root; the SCP inside the OU.
    assert.ok(indexOf('subgraph group_root["Organization o-abc root"]') < indexOf('subgraph group_ou_ou_w["OU Workloads"]'));
    assert.ok(indexOf('subgraph group_ou_ou_w["OU Workloads"]') < indexOf('subgraph group_account_555555555555["qa 555555555555"]'));
    assert.ok(lines.includes('      policy_mlz_lockout_ou_w{{"SCP mlz-lockout"}}'), text);
    assert.ok(lines.includes('    subgraph group_ou_ou_m["OU Machine #quot;Learning#quot;"]'), "quotes in labels become #quot;");
    assert.ok(lines.includes(`  github -->|"repo:o/r:environment:qa"| ${id("role:arn:aws:iam::222222222222:role/mlz-github-deploy-qa")}`), text);
    assert.ok(lines.includes(`  ${id("role:arn:aws:iam::222222222222:role/mlz-github-deploy-qa")} -->|"assumes"| ${id("role:arn:aws:iam::555555555555:role/mlz-deploy")}`), text);
    assert.ok(lines.includes(`  ${id("role:arn:aws:iam::555555555555:role/mlz-app-defect-detector")} -->|"assumes"| ${id("role:arn:aws:iam::444444444444:role/mlz-model-access-qa")}`), "the PrincipalArn condition names the application role, not the whole account");
    assert.ok(lines.includes(`  ${id("role:arn:aws:iam::444444444444:role/mlz-model-access-qa")} -->|"calls via ${VPCE}"| ${id(`model:${versionArn("v1")}`)}`), text);
    assert.ok(lines.includes(`  ${id("pipeline:urn:pulumi:ml::ml-landing-zone::mlz:pipelines:Ingestion::trips")} -->|"stores in"| bucket_raw_trips`), text);
    assert.ok(lines.includes(`  ${id("stream:arn:aws:firehose:us-east-1:444444444444:deliverystream/trips")} -->|"delivers to"| bucket_raw_trips`), text);
    assert.equal(lines.filter((l) => l.includes("principals_")).length, 0, "no whole-account node when a PrincipalArn condition narrows the trust");
  });

  it("is byte-identical across runs and whatever the order of the resources", () => {
    const a = renderMermaid(buildTopology(organization(["v1", "v2"])));
    const b = renderMermaid(buildTopology(organization(["v1", "v2"])));
    const shuffled = organization(["v1", "v2"]).reverse().map((p) => ({ ...p, resources: [...p.resources].reverse() }));
    assert.equal(a, b);
    assert.equal(renderMermaid(buildTopology(shuffled)), a);
  });

  it("highlights what a change adds and removes: the new version's access path green, the old one dashed red", () => {
    const base = buildTopology(organization(["v1"]));
    const head = buildTopology(organization(["v2"]));
    const text = renderMermaid(compareTopologies(base, head, []));
    assertFlowchartGrammar(text);
    const ids = mermaidIds([...base.nodes, ...head.nodes].map((n) => n.key));
    const lines = text.split("\n");
    const access = ids.get("role:arn:aws:iam::444444444444:role/mlz-model-access-qa")!;
    const v1 = ids.get(`model:${versionArn("v1")}`)!;
    const v2 = ids.get(`model:${versionArn("v2")}`)!;
    assert.ok(lines.some((l) => l.trim().startsWith(`${v2}[(`) && l.endsWith(":::added")), text);
    assert.ok(lines.some((l) => l.trim().startsWith(`${v1}[(`) && l.endsWith(":::removed")), text);
    const edgeLines = lines.filter((l) => /-->|-\.->/.test(l));
    const added = edgeLines.indexOf(`  ${access} -->|"calls via ${VPCE}"| ${v2}`);
    const removed = edgeLines.indexOf(`  ${access} -.->|"removed: calls via ${VPCE}"| ${v1}`);
    assert.ok(added >= 0 && removed >= 0, text);
    assert.ok(lines.includes(`  linkStyle ${added} stroke:#1a7f37,stroke-width:3px`), text);
    assert.ok(lines.includes(`  linkStyle ${removed} stroke:#cf222e,stroke-width:2px`), text);
    assert.equal(renderMermaid(compareTopologies(head, head, [])).includes(":::"), false, "no change, no highlight");
  });

  it("parses with mermaid itself: the pictures here, a highlighted change, the README's example organization", function () {
    this.timeout(60000);
    const readme = fs.readFileSync(path.resolve(__dirname, "..", "..", "README.md"), "utf8");
    const example = /```mermaid\n([\s\S]*?)\n```/.exec(readme)?.[1];
    assert.ok(example, "README has a mermaid picture");
    const pictures = [
      renderMermaid(buildTopology(organization(["v1", "v2"]))),
      renderMermaid(compareTopologies(buildTopology(organization(["v1"])), buildTopology(organization(["v2"])), [])),
      example,
    ];
    // The parser does reject what the renderer must never write: a raw quote inside a label.
    const broken = pictures[0].replace('["role mlz-deploy"]', '["role "mlz-deploy"]');
    assert.notEqual(broken, pictures[0]);
    const results = mermaidParse([...pictures, broken]);
    assert.deepEqual(results.slice(0, 3), pictures.map(() => ({ ok: true, message: "flowchart-v2" })));
    assert.equal(results[3].ok, false);
    assert.match(results[3].message, /Parse error/);
  });

  it("quotes labels and makes ids Mermaid accepts from any key", () => {
    assert.equal(mermaidLabel('a "b" <c> #d'), '"a #quot;b#quot; #lt;c#gt; #35;d"');
    const ids = mermaidIds(["role:arn:aws:iam::1:role/a-b", "role:arn:aws:iam::1:role/a_b", "end:x", "x:9"]);
    assert.deepEqual([...ids.values()].sort(), ["end_x", "role_1_role_a_b", "role_1_role_a_b_2", "x_9"]);
    for (const id of ids.values()) assert.match(id, /^[A-Za-z][A-Za-z0-9_]*$/);
  });
});
