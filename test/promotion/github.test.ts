/**
 * The promotion pull request against a loopback HTTP server standing in for the GitHub REST API:
 * every request's method, path and body asserted in order.
 */
import * as assert from "node:assert/strict";
import { createOctokit, openOrUpdatePullRequest, parseRepository, type PullRequestSpec } from "../../promotion/github";
import { BASE_FILE, FakeGitHub, NEW_FILE, type Recorded } from "./fake-github";

function spec(overrides: Partial<PullRequestSpec> = {}): PullRequestSpec {
  return {
    owner: "acme",
    repo: "mlz",
    branch: "promote/qa/defect-detector",
    path: "stacks/Pulumi.qa.yaml",
    edit: (text) => text.replace("versionArn: old", "versionArn: new"),
    commitMessage: "Promote defect-detector v2 to qa",
    title: "Promote defect-detector v2 to qa",
    body: "the body",
    labels: ["promotion", "qa"],
    ...overrides,
  };
}

/** The requests common to both flows, up to and including the branch lookup. */
function prefix(): Recorded[] {
  return [
    { method: "GET", path: "/repos/acme/mlz" },
    { method: "GET", path: "/repos/acme/mlz/git/ref/heads%2Fmain" },
    { method: "GET", path: "/repos/acme/mlz/git/commits/base000" },
    { method: "GET", path: "/repos/acme/mlz/contents/stacks%2FPulumi.qa.yaml?ref=base000" },
    {
      method: "POST",
      path: "/repos/acme/mlz/git/trees",
      body: { base_tree: "tree000", tree: [{ path: "stacks/Pulumi.qa.yaml", mode: "100644", type: "blob", content: NEW_FILE }] },
    },
    {
      method: "POST",
      path: "/repos/acme/mlz/git/commits",
      body: { message: "Promote defect-detector v2 to qa", tree: "tree111", parents: ["base000"] },
    },
    { method: "GET", path: "/repos/acme/mlz/pulls?head=acme%3Apromote%2Fqa%2Fdefect-detector&state=open" },
    { method: "GET", path: "/repos/acme/mlz/git/ref/heads%2Fpromote%2Fqa%2Fdefect-detector" },
  ];
}

describe("promotion/github (loopback GitHub API)", () => {
  let fake: FakeGitHub | undefined;
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
  });

  it("new pull request: exact request sequence", async () => {
    fake = new FakeGitHub({ file: BASE_FILE });
    const octokit = await createOctokit({ token: "t0ken", baseUrl: await fake.start() });
    const result = await openOrUpdatePullRequest(octokit, spec());
    assert.deepEqual(fake.requests, [
      ...prefix(),
      { method: "POST", path: "/repos/acme/mlz/git/refs", body: { ref: "refs/heads/promote/qa/defect-detector", sha: "commit111" } },
      {
        method: "POST",
        path: "/repos/acme/mlz/pulls",
        body: { title: "Promote defect-detector v2 to qa", head: "promote/qa/defect-detector", base: "main", body: "the body" },
      },
      { method: "POST", path: "/repos/acme/mlz/issues/7/labels", body: { labels: ["promotion", "qa"] } },
    ]);
    assert.deepEqual(result, { number: 7, url: "https://github.com/acme/mlz/pull/7", created: true, base: "main", commitSha: "commit111" });
    assert.equal(fake.headers[0].authorization, "token t0ken");
  });

  it("existing pull request: branch moved with force, pull request updated, not a second one", async () => {
    fake = new FakeGitHub({ file: BASE_FILE, openPr: 42, branchExists: true });
    const octokit = await createOctokit({ token: "t0ken", baseUrl: await fake.start() });
    const result = await openOrUpdatePullRequest(octokit, spec({ body: "new body" }));
    assert.deepEqual(fake.requests, [
      ...prefix(),
      {
        method: "PATCH",
        path: "/repos/acme/mlz/git/refs/heads%2Fpromote%2Fqa%2Fdefect-detector",
        body: { sha: "commit111", force: true },
      },
      { method: "PATCH", path: "/repos/acme/mlz/pulls/42", body: { title: "Promote defect-detector v2 to qa", body: "new body" } },
      { method: "POST", path: "/repos/acme/mlz/issues/42/labels", body: { labels: ["promotion", "qa"] } },
    ]);
    assert.equal(result.created, false);
    assert.equal(result.number, 42);
    assert.equal(fake.requests.filter((r) => r.method === "POST" && r.path === "/repos/acme/mlz/pulls").length, 0);
  });

  it("a branch left over without an open pull request is reused and a pull request opened", async () => {
    fake = new FakeGitHub({ file: BASE_FILE, branchExists: true });
    const octokit = await createOctokit({ token: "t0ken", baseUrl: await fake.start() });
    await openOrUpdatePullRequest(octokit, spec());
    assert.deepEqual(fake.requests.slice(8).map((r) => `${r.method} ${r.path}`), [
      "PATCH /repos/acme/mlz/git/refs/heads%2Fpromote%2Fqa%2Fdefect-detector",
      "POST /repos/acme/mlz/pulls",
      "POST /repos/acme/mlz/issues/7/labels",
    ]);
  });

  it("an edit that refuses stops before anything is written", async () => {
    fake = new FakeGitHub({ file: BASE_FILE });
    const octokit = await createOctokit({ token: "t0ken", baseUrl: await fake.start() });
    await assert.rejects(
      openOrUpdatePullRequest(octokit, spec({ edit: () => { throw new Error("already there"); } })),
      { message: "already there" },
    );
    assert.deepEqual(fake.requests.map((r) => r.method), ["GET", "GET", "GET", "GET"]);
  });

  it("an API error surfaces with its status", async () => {
    fake = new FakeGitHub({ file: BASE_FILE, failOn: "POST /repos/acme/mlz/pulls" });
    const octokit = await createOctokit({ token: "t0ken", baseUrl: await fake.start() });
    await assert.rejects(openOrUpdatePullRequest(octokit, spec()), (e: Error & { status?: number }) => e.status === 422);
  });

  it("parses owner/repo", () => {
    assert.deepEqual(parseRepository("acme/mlz", "--repo"), { owner: "acme", repo: "mlz" });
    assert.throws(() => parseRepository("acme", "GITHUB_REPOSITORY"), { message: "GITHUB_REPOSITORY must be 'owner/repo'; got 'acme'" });
  });
});
