/**
 * Opens or updates the promotion pull request through the GitHub REST API (@octokit/rest).
 *
 * The commit is built with the Git data API so the branch moves exactly once per run:
 *   1. `repos.get`                      → default branch (the pull request's base)
 *   2. `git.getRef heads/<default>`     → base commit
 *   3. `git.getCommit <base>`           → base tree
 *   4. `repos.getContent <file>@<base>` → the file as the base holds it; the edit is applied to that
 *   5. `git.createTree` + `git.createCommit` (parent: base)
 *   6. `pulls.list head=<owner>:<branch> state=open` → an existing pull request?
 *   7. `git.getRef heads/<branch>` → `git.createRef`, or `git.updateRef` (force: the branch is the
 *      tool's own and is rebuilt on the current base each run)
 *   8. `pulls.create`, or `pulls.update` (title, body)
 *   9. `issues.addLabels` (`promotion`, the stack)
 */
import type { Octokit } from "@octokit/rest" with { "resolution-mode": "import" };

export interface PullRequestSpec {
  readonly owner: string;
  readonly repo: string;
  /** Head branch, e.g. `promote/qa/defect-detector`. */
  readonly branch: string;
  /** File to change, relative to the repository root. */
  readonly path: string;
  /** Turns the base branch's file text into the new text (throws to refuse). */
  readonly edit: (text: string) => string;
  readonly commitMessage: string;
  readonly title: string;
  readonly body: string;
  readonly labels: readonly string[];
}

export interface PullRequestResult {
  readonly number: number;
  readonly url: string;
  /** `true` when this run opened it, `false` when it updated an open one. */
  readonly created: boolean;
  readonly base: string;
  readonly commitSha: string;
}

/** Creates an Octokit client (ESM-only package, loaded dynamically). */
export async function createOctokit(opts: { token: string; baseUrl?: string }): Promise<Octokit> {
  const { Octokit: OctokitClass } = await import("@octokit/rest");
  return new OctokitClass({
    auth: opts.token,
    baseUrl: opts.baseUrl,
    userAgent: "ml-landing-zone-promotion",
    // Failed requests are thrown (and printed by the command); an expected 404 (no branch yet)
    // must not be logged as an error.
    log: { debug: () => undefined, info: () => undefined, warn: (m: string) => process.stderr.write(`${m}\n`), error: () => undefined },
  });
}

export async function openOrUpdatePullRequest(octokit: Octokit, spec: PullRequestSpec): Promise<PullRequestResult> {
  const { owner, repo } = spec;
  const { data: repository } = await octokit.rest.repos.get({ owner, repo });
  const base = repository.default_branch;
  const { data: baseRef } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${base}` });
  const baseSha = baseRef.object.sha;
  const { data: baseCommit } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: baseSha });

  const { data: content } = await octokit.rest.repos.getContent({ owner, repo, path: spec.path, ref: baseSha });
  if (Array.isArray(content) || content.type !== "file" || typeof (content as { content?: unknown }).content !== "string") {
    throw new Error(`${spec.path} on ${base} is not a file`);
  }
  const text = Buffer.from((content as { content: string }).content, "base64").toString("utf8");
  const next = spec.edit(text);

  const { data: tree } = await octokit.rest.git.createTree({
    owner,
    repo,
    base_tree: baseCommit.tree.sha,
    tree: [{ path: spec.path, mode: "100644", type: "blob", content: next }],
  });
  const { data: commit } = await octokit.rest.git.createCommit({
    owner,
    repo,
    message: spec.commitMessage,
    tree: tree.sha,
    parents: [baseSha],
  });

  const { data: open } = await octokit.rest.pulls.list({ owner, repo, head: `${owner}:${spec.branch}`, state: "open" });
  const existing = open[0];

  let branchExists = true;
  try {
    await octokit.rest.git.getRef({ owner, repo, ref: `heads/${spec.branch}` });
  } catch (e) {
    if ((e as { status?: number }).status !== 404) throw e;
    branchExists = false;
  }
  if (branchExists) {
    await octokit.rest.git.updateRef({ owner, repo, ref: `heads/${spec.branch}`, sha: commit.sha, force: true });
  } else {
    await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${spec.branch}`, sha: commit.sha });
  }

  let number: number;
  let url: string;
  if (existing) {
    const { data: pr } = await octokit.rest.pulls.update({ owner, repo, pull_number: existing.number, title: spec.title, body: spec.body });
    number = pr.number;
    url = pr.html_url;
  } else {
    const { data: pr } = await octokit.rest.pulls.create({ owner, repo, title: spec.title, head: spec.branch, base, body: spec.body });
    number = pr.number;
    url = pr.html_url;
  }
  await octokit.rest.issues.addLabels({ owner, repo, issue_number: number, labels: [...spec.labels] });
  return { number, url, created: !existing, base, commitSha: commit.sha };
}

/** Splits `owner/repo`; throws naming where the value came from. */
export function parseRepository(value: string, from: string): { owner: string; repo: string } {
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(value);
  if (!m) throw new Error(`${from} must be 'owner/repo'; got '${value}'`);
  return { owner: m[1], repo: m[2] };
}
