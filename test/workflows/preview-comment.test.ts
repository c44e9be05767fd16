/**
 * The github-script of preview-comment.yml, run as actions/github-script runs it (an async
 * function of `github`, `context`, `core`, `require`) against a fake GitHub client: one sticky
 * comment, created once and then updated; untrusted artifact data checked.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { PREVIEW_MARKER } from "../../delivery/preview-comment";

const WORKFLOW = path.resolve(__dirname, "..", "..", ".github", "workflows", "preview-comment.yml");

interface Comment {
  id: number;
  body: string;
  user: { type: string };
}

function loadScript(): string {
  const wf = parse(fs.readFileSync(WORKFLOW, "utf8")) as { jobs: { comment: { steps: { uses?: string; with?: { script?: string } }[] } } };
  const step = wf.jobs.comment.steps.find((s) => s.uses?.startsWith("actions/github-script@"));
  return step!.with!.script!;
}

class FakeGitHub {
  calls: string[] = [];
  constructor(public comments: Comment[], public headSha: string) {}
  rest = {
    pulls: {
      get: async (p: { owner: string; repo: string; pull_number: number }) => {
        this.calls.push(`pulls.get ${p.owner}/${p.repo}#${p.pull_number}`);
        return { data: { head: { sha: this.headSha } } };
      },
    },
    issues: {
      listComments: Symbol("listComments"),
      updateComment: async (p: { comment_id: number; body: string }) => {
        this.calls.push(`issues.updateComment ${p.comment_id}`);
        this.comments.find((c) => c.id === p.comment_id)!.body = p.body;
      },
      createComment: async (p: { issue_number: number; body: string }) => {
        this.calls.push(`issues.createComment #${p.issue_number}`);
        const c = { id: 100 + this.comments.length, body: p.body, user: { type: "Bot" } };
        this.comments.push(c);
        return { data: c };
      },
    },
  };
  paginate = async (route: unknown, p: { issue_number: number; per_page: number }) => {
    assert.equal(route, this.rest.issues.listComments);
    this.calls.push(`paginate listComments #${p.issue_number} per_page=${p.per_page}`);
    return this.comments;
  };
}

async function runScript(github: FakeGitHub, files: { prNumber: string; comment: string }, headSha = "abc123"): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-preview-"));
  fs.writeFileSync(path.join(dir, "pr-number"), files.prNumber);
  fs.writeFileSync(path.join(dir, "comment.md"), files.comment);
  const notices: string[] = [];
  const core = { info: () => undefined, notice: (m: string) => notices.push(m) };
  const context = { repo: { owner: "acme", repo: "mlz" }, payload: { workflow_run: { head_sha: headSha } } };
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<unknown>;
  const fn = new AsyncFunction("require", "github", "context", "core", "process", loadScript());
  const proc = { env: { PREVIEW_DIR: dir } };
  try {
    await fn(require, github, context, core, proc);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return notices;
}

describe("preview-comment.yml script", () => {
  const body = `${PREVIEW_MARKER}\n_planned_\n\n## Offline plan\n`;

  it("creates the comment when there is none", async () => {
    const gh = new FakeGitHub([{ id: 1, body: "LGTM", user: { type: "User" } }], "abc123");
    await runScript(gh, { prNumber: "12\n", comment: body });
    assert.deepEqual(gh.calls, [
      "pulls.get acme/mlz#12",
      "paginate listComments #12 per_page=100",
      "issues.createComment #12",
    ]);
    assert.equal(gh.comments[1].body, body);
  });

  it("updates the bot's marked comment instead of adding a second one", async () => {
    const gh = new FakeGitHub([
      { id: 1, body: `${PREVIEW_MARKER}\nold, by a human quoting it`, user: { type: "User" } },
      { id: 2, body: `${PREVIEW_MARKER}\nold`, user: { type: "Bot" } },
    ], "abc123");
    await runScript(gh, { prNumber: "12", comment: body });
    assert.deepEqual(gh.calls.at(-1), "issues.updateComment 2");
    assert.equal(gh.comments.length, 2);
    assert.equal(gh.comments[1].body, body);
    assert.equal(gh.comments[0].body, `${PREVIEW_MARKER}\nold, by a human quoting it`);
  });

  it("does not comment when the number in the artifact is not the run's pull request", async () => {
    const gh = new FakeGitHub([], "other-sha");
    const notices = await runScript(gh, { prNumber: "13", comment: body });
    assert.deepEqual(gh.calls, ["pulls.get acme/mlz#13"]);
    assert.deepEqual(notices, ["pull request #13 head other-sha is not the run's head abc123 (stale run or foreign number): not commenting"]);
  });

  it("refuses a malformed pull-request number", async () => {
    const gh = new FakeGitHub([], "abc123");
    await assert.rejects(runScript(gh, { prNumber: "12; rm -rf /", comment: body }), { message: "artifact pr-number is not a pull-request number: '12; rm -rf /'" });
    assert.deepEqual(gh.calls, []);
  });

  it("adds the marker when the artifact lacks it, and truncates oversized bodies", async () => {
    const gh = new FakeGitHub([], "abc123");
    await runScript(gh, { prNumber: "5", comment: "x".repeat(70_000) });
    const posted = gh.comments[0].body;
    assert.ok(posted.startsWith(`${PREVIEW_MARKER}\nxxx`));
    assert.ok(posted.endsWith("\n\n_…truncated_\n"));
    assert.equal(posted.length, 65_000 + "\n\n_…truncated_\n".length);
  });
});
