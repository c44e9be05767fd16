/**
 * The replace-on-change table (plan/replacements.ts) and the diff that uses it (plan/diff.ts,
 * plan/render.ts): every type the example stacks declare is in the table, every listed input is an
 * input of its type in the provider's own declarations, and changes are classified and shown as
 * `pulumi preview` does.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { diffCounts, diffStack, valueAtPath } from "../../plan/diff";
import { classifyChange, REPLACE_ON_CHANGE, topLevelInput } from "../../plan/replacements";
import { renderMarkdown, renderText, type OrganizationReport } from "../../plan/render";
import type { PlannedResource, StackPlan } from "../../lib/plan-model";
import { examplePlan } from "../helpers/example-plan";

const AWS = path.resolve(__dirname, "..", "..", "node_modules", "@pulumi", "aws");

/** `aws:s3/bucket:Bucket` → the input names of `BucketArgs` in node_modules/@pulumi/aws/s3/bucket.d.ts. */
function argsOf(type: string): Set<string> {
  const m = /^aws:([a-z0-9]+)\/([A-Za-z0-9]+):([A-Za-z0-9]+)$/.exec(type);
  assert.ok(m, type);
  const text = fs.readFileSync(path.join(AWS, m[1], `${m[2]}.d.ts`), "utf8");
  const start = text.indexOf(`export interface ${m[3]}Args {`);
  assert.ok(start >= 0, `${type}: no ${m[3]}Args`);
  const body = text.slice(start, text.indexOf("\n}", start));
  return new Set([...body.matchAll(/^\s{4}([A-Za-z0-9]+)\??:/gm)].map((x) => x[1]));
}

function resource(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<PlannedResource> = {}): PlannedResource {
  return { urn: `urn:pulumi:qa::ml-landing-zone::${type}::${name}`, type, name, custom: true, inputs, outputs: {}, dependencies: [], ...extra };
}

function plan(resources: PlannedResource[]): StackPlan {
  return { stack: "qa", role: "workload", configFile: "stacks/Pulumi.qa.yaml", config: {}, resources, outputs: {} };
}

describe("plan/replacements: the replace-on-change table", function () {
  this.timeout(120000);

  it("covers every resource type the example organization declares", async () => {
    const org = await examplePlan();
    const types = new Set(org.runs.flatMap((r) => r.plan.resources).filter((r) => r.custom && r.type.startsWith("aws:")).map((r) => r.type));
    const missing = [...types].filter((t) => !(t in REPLACE_ON_CHANGE)).sort();
    assert.deepEqual(missing, []);
  });

  it("lists only inputs the provider declares for each type (no typo can hide a replacement)", () => {
    for (const [type, rule] of Object.entries(REPLACE_ON_CHANGE)) {
      if (!type.startsWith("aws:")) continue;
      const args = argsOf(type);
      for (const input of rule.replaceOn) assert.ok(args.has(input), `${type}: '${input}' is not an input (${[...args].join(", ")})`);
    }
  });

  it("classifies a bucket rename as a replacement with data loss, a VPC CIDR change as a replacement, tags as an update", () => {
    assert.deepEqual(classifyChange("aws:s3/bucket:Bucket", ["bucket", "tags.owner"]), { kind: "replace", replacedBy: ["bucket"], loss: "data loss: the bucket and every object in it are deleted" });
    assert.equal(classifyChange("aws:ec2/vpc:Vpc", ["cidrBlock"]).kind, "replace");
    assert.deepEqual(classifyChange("aws:s3/bucket:Bucket", ["tags.owner"]), { kind: "update", replacedBy: [] });
    assert.deepEqual(classifyChange("aws:sagemaker/endpointConfiguration:EndpointConfiguration", ["productionVariants[0].instanceType"]).replacedBy, ["productionVariants"]);
    assert.deepEqual(classifyChange("aws:unknown/thing:Thing", ["name"]), { kind: "update-unknown", replacedBy: [] });
    assert.equal(topLevelInput("a[0].b.c"), "a");
  });
});

describe("plan/diff and render: update/replace markers, old → new values, counts", () => {
  const basePlan = plan([
    resource("aws:s3/bucket:Bucket", "data", { bucket: "mlz-data", tags: { owner: "a@example.com" } }),
    resource("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.40.0.0/16" }),
    resource("aws:ssm/parameter:Parameter", "secret", { name: "/x", value: "[secret]" }, { secretInputs: ["value"] }),
    resource("aws:iam/role:Role", "trusting", { name: "r", assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }),
    resource("aws:unknown/thing:Thing", "odd", { size: 1 }),
    resource("aws:kms/alias:Alias", "gone", { name: "alias/x" }),
  ]);
  const headPlan = plan([
    resource("aws:s3/bucket:Bucket", "data", { bucket: "mlz-data-2", tags: { owner: "b@example.com" } }),
    resource("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.40.0.0/16" }),
    resource("aws:ssm/parameter:Parameter", "secret", { name: "/x", value: "[secret]", description: "d" }, { secretInputs: ["value"] }),
    resource("aws:iam/role:Role", "trusting", { name: "r", assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }),
    resource("aws:unknown/thing:Thing", "odd", { size: 2 }),
    resource("aws:organizations/account:Account", "adopted", { name: "x" }, { importId: "999999999999" }),
    resource("aws:sqs/queue:Queue", "new", {}),
  ]);
  const d = diffStack(basePlan, headPlan);

  it("marks each changed resource update or replace with old → new values", () => {
    const byName = Object.fromEntries(d.changed.map((c) => [c.name, c]));
    assert.deepEqual(Object.keys(byName).sort(), ["data", "odd", "secret", "trusting"]);
    assert.deepEqual([byName.data.kind, byName.data.replacedBy, byName.data.values], ["replace", ["bucket"], [
      { path: "bucket", old: "mlz-data", new: "mlz-data-2" },
      { path: "tags.owner", old: "a@example.com", new: "b@example.com" },
    ]]);
    assert.equal(byName.odd.kind, "update-unknown");
    assert.deepEqual(byName.secret.values, [{ path: "description", old: undefined, new: "d" }]);
    assert.deepEqual(byName.trusting.values, [{ path: "assumeRolePolicy.Statement[0].Principal.Service", old: "lambda.amazonaws.com", new: "ec2.amazonaws.com" }]);
    assert.deepEqual(diffCounts(d), { create: 1, import: 1, update: 3, replace: 1, delete: 1 });
  });

  it("redacts secret inputs in old → new values", () => {
    const head = plan([resource("aws:ssm/parameter:Parameter", "secret", { name: "/x", value: "[secret]", other: { token: 2 } }, { secretInputs: ["other"] })]);
    const base = plan([resource("aws:ssm/parameter:Parameter", "secret", { name: "/x", value: "[secret]", other: { token: 1 } }, { secretInputs: ["other"] })]);
    assert.deepEqual(diffStack(base, head).changed[0].values, [{ path: "other.token", old: "[secret]", new: "[secret]" }]);
    assert.equal(valueAtPath({ a: JSON.stringify({ b: [1, { c: 3 }] }) }, "a.b[1].c"), 3);
  });

  it("text: the tree shows changed resources only, with +, =, ~, +- and - markers, and preview-like counts", () => {
    const report: OrganizationReport = {
      stacks: [{ plan: headPlan, policies: [], diff: d, genericTypes: [], stackReferences: [], warnings: [] }],
      checks: [], passes: 1, unconverged: [], errors: [],
    };
    const lines = renderText(report).split("\n");
    const rows = lines.filter((l) => /^ (\+-|[+=~-] ) /.test(l)).map((l) => l.replace(/\s+/g, " ").trim());
    assert.deepEqual(rows, [
      "~ aws:iam/role:Role trusting",
      "= aws:organizations/account:Account adopted",
      "+- aws:s3/bucket:Bucket data",
      "+ aws:sqs/queue:Queue new",
      "~ aws:ssm/parameter:Parameter secret",
      "~ aws:unknown/thing:Thing odd",
      "- aws:kms/alias:Alias gone",
    ]);
    assert.ok(!lines.some((l) => l.includes("aws:ec2/vpc:Vpc")), "unchanged resources are hidden");
    const i = lines.indexOf("Resources:");
    assert.deepEqual(lines.slice(i + 1, i + 7), ["    + 1 to create", "    = 1 to import", "    ~ 3 to update", "    +-1 to replace", "    - 1 to delete", "    1 unchanged"]);
    assert.ok(lines.includes("    +- aws:s3/bucket:Bucket data: replace (bucket changed; data loss: the bucket and every object in it are deleted)"));
    assert.ok(lines.includes('        bucket: "mlz-data" → "mlz-data-2"'));
    assert.ok(lines.includes("    ~  aws:unknown/thing:Thing odd: update (replacement not known)"));
    assert.ok(lines.includes("    changes against the base: +1 to create, =1 to import, ~3 to update, +-1 to replace, -1 to delete"));
  });

  it("markdown: the same changes, imports included, and the role-trust changes listed", () => {
    const md = renderMarkdown({
      stacks: [{ plan: headPlan, policies: [], diff: d, genericTypes: [], stackReferences: [], warnings: [] }],
      checks: [], passes: 1, unconverged: [], errors: [],
    });
    assert.ok(md.includes("| qa | workload | ? | ? | 6 | 0 | +1 =1 ~3 +-1 −1 |"), md);
    assert.ok(md.includes("| = | `aws:organizations/account:Account` | adopted | import | |"), md);
    assert.ok(md.includes("| +- | `aws:s3/bucket:Bucket` | data | **replace (bucket changed; data loss: the bucket and every object in it are deleted)** | `bucket`: `\"mlz-data\"` → `\"mlz-data-2\"`<br>`tags.owner`: `\"a@example.com\"` → `\"b@example.com\"` |"), md);
    assert.ok(md.includes("| − | `aws:kms/alias:Alias` | gone | delete | |"), md);
    assert.ok(md.includes("**Guardrail and role-trust changes**\n\n- trust policy of role `trusting`:\n  - `assumeRolePolicy.Statement[0].Principal.Service`: `\"lambda.amazonaws.com\"` → `\"ec2.amazonaws.com\"`"), md);
  });
});
