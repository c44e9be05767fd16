/** A loopback HTTP server standing in for the GitHub REST API; records every request. */
import { LoopbackApi, type Recorded } from "../helpers/loopback-api";

export type { Recorded };

/** A fake GitHub: answers the routes the promotion uses; `openPr` decides whether a PR exists. */
export class FakeGitHub extends LoopbackApi {
  constructor(
    readonly state: {
      file: string;
      openPr?: number;
      branchExists?: boolean;
      failOn?: string;
    },
  ) {
    super();
  }

  protected answer(r: Recorded): [number, unknown] {
    const key = `${r.method} ${r.path.split("?")[0]}`;
    if (this.state.failOn === key) return [422, { message: "Validation Failed" }];
    const pr = (n: number) => ({ number: n, html_url: `https://github.com/acme/mlz/pull/${n}` });
    switch (key) {
      case "GET /repos/acme/mlz":
        return [200, { default_branch: "main" }];
      case "GET /repos/acme/mlz/git/ref/heads%2Fmain":
        return [200, { ref: "refs/heads/main", object: { sha: "base000", type: "commit" } }];
      case "GET /repos/acme/mlz/git/commits/base000":
        return [200, { sha: "base000", tree: { sha: "tree000" } }];
      case "GET /repos/acme/mlz/contents/stacks%2FPulumi.qa.yaml":
        return [200, { type: "file", sha: "blob000", encoding: "base64", content: Buffer.from(this.state.file).toString("base64").replace(/(.{60})/g, "$1\n") }];
      case "POST /repos/acme/mlz/git/trees":
        return [201, { sha: "tree111" }];
      case "POST /repos/acme/mlz/git/commits":
        return [201, { sha: "commit111" }];
      case "GET /repos/acme/mlz/pulls":
        return [200, this.state.openPr ? [pr(this.state.openPr)] : []];
      case "GET /repos/acme/mlz/git/ref/heads%2Fpromote%2Fqa%2Fdefect-detector":
        return this.state.branchExists
          ? [200, { ref: "refs/heads/promote/qa/defect-detector", object: { sha: "old999" } }]
          : [404, { message: "Not Found" }];
      case "POST /repos/acme/mlz/git/refs":
        return [201, { ref: "refs/heads/promote/qa/defect-detector", object: { sha: "commit111" } }];
      case "PATCH /repos/acme/mlz/git/refs/heads%2Fpromote%2Fqa%2Fdefect-detector":
        return [200, { ref: "refs/heads/promote/qa/defect-detector", object: { sha: "commit111" } }];
      case "POST /repos/acme/mlz/pulls":
        return [201, pr(7)];
      case `PATCH /repos/acme/mlz/pulls/${this.state.openPr}`:
        return [200, pr(this.state.openPr as number)];
      case `POST /repos/acme/mlz/issues/${this.state.openPr ?? 7}/labels`:
        return [200, [{ name: "promotion" }, { name: "qa" }]];
      default:
        return [404, { message: `fake GitHub has no route ${key}` }];
    }
  }
}

export const BASE_FILE = "config:\n  ml-landing-zone:models:\n    defect-detector:\n      versionArn: old # keep me\n";
export const NEW_FILE = "config:\n  ml-landing-zone:models:\n    defect-detector:\n      versionArn: new # keep me\n";
