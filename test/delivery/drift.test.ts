import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parsePreview } from "../../delivery/compare-preview";
import { driftReport, issueBody, issueTitle, syncDriftIssue } from "../../delivery/drift";
import { HELP, parseCli, run } from "../../delivery/drift-cli";
import { createOctokit } from "../../promotion/github";
import { LoopbackApi, type Recorded } from "../helpers/loopback-api";

const FIX = path.resolve(__dirname, "..", "fixtures", "drift");
const file = (name: string) => path.join(FIX, `${name}.json`);
const report = (name: string) => driftReport("qa", parsePreview(fs.readFileSync(file(name), "utf8"), `${name}.json`, "qa"));
const ROLE = "urn:pulumi:qa::ml-landing-zone::mlz:models:ModelConsumer$aws:iam/role:Role::model-consumer-defect-detector-app-role";

interface Issue {
  number: number;
  title: string;
  body: string;
  state: string;
  labels: Array<{ name: string }>;
  pull_request?: object;
}

/** A loopback GitHub with the issue routes the drift workflow uses; records every request. */
class FakeIssues extends LoopbackApi<any> {
  constructor(readonly issues: Issue[]) {
    super();
  }
  protected answer(r: Recorded<any>): [number, unknown] {
    const [p, q] = r.path.split("?");
    const query = new URLSearchParams(q ?? "");
    if (r.method === "GET" && p === "/repos/acme/mlz/issues") {
      const label = query.get("labels");
      return [200, this.issues.filter((i) => i.state === query.get("state") && (!label || i.labels.some((l) => l.name === label)))];
    }
    if (r.method === "POST" && p === "/repos/acme/mlz/issues") {
      const issue = { number: 100 + this.issues.length, title: r.body.title, body: r.body.body, state: "open", labels: r.body.labels.map((name: string) => ({ name })) };
      this.issues.push(issue);
      return [201, issue];
    }
    const m = /^\/repos\/acme\/mlz\/issues\/(\d+)(\/comments)?$/.exec(p);
    const issue = m && this.issues.find((i) => i.number === Number(m[1]));
    if (issue && r.method === "PATCH" && !m![2]) {
      Object.assign(issue, r.body);
      return [200, issue];
    }
    if (issue && r.method === "POST" && m![2]) return [201, { id: 1, body: r.body.body }];
    return [404, { message: `no route ${r.method} ${p}` }];
  }
}

describe("drift: what a refreshed preview says", () => {
  it("lists every resource that differs, with its properties: AWS's value and the program's", () => {
    const r = report("drifted");
    assert.equal(r.status, "drifted");
    assert.deepEqual(r.resources.map((x) => [x.op, x.name]), [
      ["update", "model-consumer-defect-detector-app-role"],
      ["create", "model-consumer-defect-detector-parameter"],
      ["replace", "model-network-endpoints-sg"],
    ]);
    const role = r.resources.find((x) => x.urn === ROLE)!;
    assert.deepEqual(role.properties.map((p) => [p.path, p.kind, p.before, p.after]), [
      ["assumeRolePolicy", "update", '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]}', '{"Version":"2012-10-17","Statement":[{"Sid":"LambdaRunsTheApplication","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'],
      ["maxSessionDuration", "update", 43200, 3600],
      ["tags.owner", "delete", "someone-in-the-console", undefined],
    ]);
    const sg = r.resources.find((x) => x.name === "model-network-endpoints-sg")!;
    assert.deepEqual(sg.properties, [{ path: "description", before: "temporary debugging access", after: "HTTPS between the VPC's functions and its AWS service endpoints only" }]);
  });

  it("a clean stack and a failed preview", () => {
    assert.deepEqual(report("clean"), { stack: "qa", status: "clean", resources: [], errors: [] });
    const e = report("error");
    assert.equal(e.status, "error");
    assert.deepEqual(e.errors, ["error: configuring Terraform AWS Provider: operation error STS: AssumeRole, AccessDenied"]);
  });

  it("the issue text: one row per property, secrets as Pulumi wrote them, backticks and pipes escaped", () => {
    const body = issueBody(report("drifted"), "https://github.com/acme/mlz/actions/runs/1");
    const lines = body.split("\n");
    assert.equal(lines[0], "<!-- mlz-drift:qa -->");
    assert.match(lines[1], /found 3 resource\(s\) where AWS differs .*\(\[run\]\(https:\/\/github.com\/acme\/mlz\/actions\/runs\/1\)\)\.$/);
    assert.ok(lines.includes("| `model-consumer-defect-detector-app-role` | `aws:iam/role:Role` | changed outside Pulumi (update) | `maxSessionDuration` (update) | `43200` | `3600` |"), body);
    assert.ok(lines.includes("| `model-consumer-defect-detector-app-role` | `aws:iam/role:Role` | changed outside Pulumi (update) | `tags.owner` (delete) | `someone-in-the-console` | (absent) |"), body);
    assert.ok(lines.includes("| `model-network-endpoints-sg` | `aws:ec2/securityGroup:SecurityGroup` | changed outside Pulumi; restoring it replaces the resource | `description` | `temporary debugging access` | `HTTPS between the VPC's functions and its AWS service endpoints only` |"), body);
    assert.ok(lines.includes("| `model-consumer-defect-detector-parameter` | `aws:ssm/parameter:Parameter` | missing in AWS (deleted outside Pulumi?): would be created | | | |"), body);
  });
});

describe("drift: one issue per stack", () => {
  let gh: FakeIssues;
  let baseUrl: string;
  afterEach(() => gh.stop());
  const octokit = () => createOctokit({ token: "t", baseUrl });
  const repo = { owner: "acme", repo: "mlz" };

  it("opens an issue for a drifted stack, labelled drift", async () => {
    gh = new FakeIssues([{ number: 5, title: "Drift: stack prod", body: "", state: "open", labels: [{ name: "drift" }] }]);
    baseUrl = await gh.start();
    const s = await syncDriftIssue(await octokit(), repo, report("drifted"));
    assert.deepEqual(s, { stack: "qa", action: "created", number: 101 });
    const post = gh.requests.find((r) => r.method === "POST")!;
    assert.equal(post.path, "/repos/acme/mlz/issues");
    assert.deepEqual({ ...post.body, body: undefined }, { title: issueTitle("qa"), labels: ["drift"], body: undefined });
    assert.equal(post.body.body, issueBody(report("drifted")));
    assert.match(gh.requests[0].path, /^\/repos\/acme\/mlz\/issues\?.*labels=drift/);
  });

  it("updates the open issue instead of opening a second one; a pull request with the title is not it", async () => {
    gh = new FakeIssues([
      { number: 7, title: "Drift: stack qa", body: "old", state: "open", labels: [{ name: "drift" }], pull_request: {} },
      { number: 9, title: "Drift: stack qa", body: "old", state: "open", labels: [{ name: "drift" }] },
    ]);
    baseUrl = await gh.start();
    const s = await syncDriftIssue(await octokit(), repo, report("drifted"));
    assert.deepEqual(s, { stack: "qa", action: "updated", number: 9 });
    assert.deepEqual(gh.requests.filter((r) => r.method !== "GET").map((r) => [r.method, r.path]), [["PATCH", "/repos/acme/mlz/issues/9"]]);
    assert.equal(gh.issues[1].body, issueBody(report("drifted")));
  });

  it("closes the issue with a comment when the stack is clean; nothing when there is none", async () => {
    gh = new FakeIssues([{ number: 9, title: "Drift: stack qa", body: "old", state: "open", labels: [{ name: "drift" }] }]);
    baseUrl = await gh.start();
    assert.deepEqual(await syncDriftIssue(await octokit(), repo, report("clean")), { stack: "qa", action: "closed", number: 9 });
    assert.deepEqual(gh.requests.filter((r) => r.method !== "GET").map((r) => [r.method, r.path, r.body.state ?? null]), [
      ["POST", "/repos/acme/mlz/issues/9/comments", null],
      ["PATCH", "/repos/acme/mlz/issues/9", "closed"],
    ]);
    assert.deepEqual(await syncDriftIssue(await octokit(), repo, report("clean")), { stack: "qa", action: "none" });
  });

  it("a failed preview touches no issue", async () => {
    gh = new FakeIssues([{ number: 9, title: "Drift: stack qa", body: "old", state: "open", labels: [{ name: "drift" }] }]);
    baseUrl = await gh.start();
    assert.deepEqual(await syncDriftIssue(await octokit(), repo, report("error")), { stack: "qa", action: "skipped" });
    assert.deepEqual(gh.requests, []);
  });

  it("the command: statuses per stack, exit 1 on drift, GitHub from the environment", async () => {
    gh = new FakeIssues([]);
    baseUrl = await gh.start();
    const env = { GITHUB_TOKEN: "t", GITHUB_API_URL: baseUrl, GITHUB_REPOSITORY: "acme/mlz" };
    const r = await run(["--stack", `qa=${file("drifted")}`], env);
    assert.deepEqual(r, { code: 1, stdout: "qa: drifted: 3 resource(s); issue #100 created\n" });
    const clean = await run(["--stack", `qa=${file("clean")}`], env);
    assert.deepEqual(clean, { code: 0, stdout: "qa: clean; issue #100 closed\n" });
  });
});

describe("drift: command arguments", () => {
  it("refuses what it cannot use, naming it", () => {
    const env = { GITHUB_TOKEN: "t", GITHUB_REPOSITORY: "acme/mlz" };
    assert.deepEqual(parseCli(["-h"], env), { help: true });
    assert.throws(() => parseCli([], env), { message: "at least one --stack <stack>=<preview.json> is required" });
    assert.throws(() => parseCli(["--stack", "qa"], env), { message: "--stack must be <stack>=<preview.json>; got 'qa'" });
    assert.throws(() => parseCli(["--stack", "qa=a", "--repo", "acme"], env), { message: "--repo must be <owner>/<name>; got 'acme'" });
    assert.throws(() => parseCli(["--stack", "qa=a"], { GITHUB_REPOSITORY: "acme/mlz" }), { message: "GITHUB_TOKEN is not set: the drift issues need a token with issues: write" });
    assert.throws(() => parseCli(["--stack", "qa=a"], { GITHUB_TOKEN: "t" }), { message: "--repo <owner/name> is required (or GITHUB_REPOSITORY)" });
    assert.ok(HELP.startsWith("Usage: npm run -s drift-report -- --stack <stack>=<preview.json>"));
  });

  it("--dry-run prints the issue text and calls nothing", async () => {
    const r = await run(["--stack", `qa=${file("drifted")}`, "--stack", `prod=${file("error").replace("error", "error")}`, "--dry-run"], {}).catch((e: Error) => e);
    // The error fixture belongs to stack qa: naming it prod is refused, naming the step.
    assert.ok(r instanceof Error && r.message === `${file("error")}: steps[0].urn belongs to stack 'qa', not 'prod'`);
    const ok = await run(["--stack", `qa=${file("drifted")}`, "--dry-run"], {});
    assert.equal(ok.code, 1);
    assert.ok(ok.stdout.startsWith("qa: drifted: 3 resource(s)\n<!-- mlz-drift:qa -->\n"));
  });
});
