import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main, MAX_COMMENT, PREVIEW_MARKER, previewComment } from "../../delivery/preview-comment";

describe("delivery/preview-comment", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-preview-comment-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("clean diff: exit 0, marker first, the diff, the full diff file", async () => {
    const calls: unknown[] = [];
    const code = await main(["--base", "abc", "--head", "def", "--out", path.join(dir, "c.md"), "--full", path.join(dir, "full.md")], "/repo", async (o) => {
      calls.push(o);
      return { markdown: "| qa | ~ 1 |\n", violations: false };
    });
    assert.equal(code, 0);
    assert.deepEqual(calls, [{ root: "/repo", baseRef: "abc" }]);
    assert.equal(fs.readFileSync(path.join(dir, "c.md"), "utf8"), [
      PREVIEW_MARKER,
      "_Every stack planned offline (no cloud access) at `def` and compared with `abc`._",
      "",
      "| qa | ~ 1 |",
      "",
    ].join("\n"));
    assert.equal(fs.readFileSync(path.join(dir, "full.md"), "utf8"), "| qa | ~ 1 |\n");
  });

  it("mandatory violation: exit 1, flagged", async () => {
    const code = await main(["--base", "abc", "--out", path.join(dir, "c.md")], "/repo", async () => ({ markdown: "x", violations: true }));
    assert.equal(code, 1);
    assert.ok(fs.readFileSync(path.join(dir, "c.md"), "utf8").includes("> [!CAUTION]\n> **Mandatory policy violation**: this change will not deploy as is.\n\nx\n"));
  });

  it("plan error: exit 2, the comment says why", async () => {
    const code = await main(["--base", "abc", "--out", path.join(dir, "c.md")], "/repo", async () => {
      throw new Error("offline plan of abc failed (exit 2):\n  boom");
    });
    assert.equal(code, 2);
    assert.ok(fs.readFileSync(path.join(dir, "c.md"), "utf8").endsWith("> [!CAUTION]\n> The offline plan failed: offline plan of abc failed (exit 2): boom\n"));
  });

  it("truncates to GitHub's comment limit", () => {
    const body = previewComment({ baseRef: "b", markdown: "y".repeat(80_000) });
    assert.ok(body.startsWith(PREVIEW_MARKER));
    assert.ok(body.length < 65_536);
    assert.ok(body.endsWith("_…truncated: the full diff is in the workflow run's `preview-comment` artifact._\n"));
    assert.equal(body.indexOf("\n\n_…truncated"), MAX_COMMENT);
  });
});
