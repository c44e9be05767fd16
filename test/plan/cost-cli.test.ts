/**
 * A promotion through the CLI: plan the example organization with --out, promote qa to a new
 * Rekognition version, and plan again with --diff. The comment starts with the cost delta naming
 * the new version (prod still uses the old one, so both run); the picture embedded in it, which
 * `--format mermaid` prints alone, shows qa's new access path as added and the old one as removed.
 * The pinned price file has no Custom Labels figure, so the test passes one with --prices.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { STACKS_DIR } from "../../stacks/config";
import { PRICES_FILE } from "../../plan/cost";
import { cachedRunPlan, planCli } from "../helpers/plan-cli";

const ROOT = path.resolve(__dirname, "..", "..");
const OLD = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";
const NEW = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-20T08.00.00/1763625600000";

// The command in process; the markdown and mermaid runs of the same inputs share one plan.
const runPlan = cachedRunPlan();
const plan = (args: string[]) => planCli(args, { runPlan });

describe("plan CLI: the cost and the picture of a promotion", function () {
  this.timeout(180000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-cost-cli-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("names the added version and its monthly cost at the top, and highlights the new access path", async () => {
    const base = path.join(tmp, "base-stacks");
    const head = path.join(tmp, "head-stacks");
    fs.mkdirSync(base);
    fs.mkdirSync(head);
    for (const f of fs.readdirSync(STACKS_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
      const text = fs.readFileSync(path.join(STACKS_DIR, f), "utf8");
      fs.writeFileSync(path.join(base, f), text);
      fs.writeFileSync(path.join(head, f), f === "Pulumi.qa.yaml" ? text.replace(OLD, NEW) : text);
    }
    assert.ok(fs.readFileSync(path.join(head, "Pulumi.qa.yaml"), "utf8").includes(NEW));
    const prices = JSON.parse(fs.readFileSync(PRICES_FILE, "utf8"));
    prices.regions["us-east-1"]["rekognition-custom-labels-inference-unit-hour"] = { per: "hour", usd: 4, unit: "inference unit hour", source: "https://aws.amazon.com/rekognition/pricing/", read: "2026-12-05" };
    const pricesFile = path.join(tmp, "prices.json");
    fs.writeFileSync(pricesFile, JSON.stringify(prices));

    // Promoting qa alone leaves prod behind qa, which the plan allows (prod may only change to a
    // version qa holds): the repository's own policy configuration applies.
    const policyConfig = path.join(ROOT, "policies", "policy-config.json");

    const out = path.join(tmp, "base-plans");
    const r1 = await plan(["--stacks-dir", base, "--out", out, "--prices", pricesFile, "--format", "json"]);
    assert.equal(r1.status, 0, r1.stderr);
    const baseMl = JSON.parse(fs.readFileSync(path.join(out, "ml.json"), "utf8"));
    assert.equal(baseMl.cost.items.filter((i: { type: string }) => i.type === "mlz:rekognition:ProjectVersionRunner").length, 1, "--out files carry the cost");

    const r2 = await plan(["--stacks-dir", head, "--diff", out, "--prices", pricesFile, "--policy-config", policyConfig, "--format", "markdown"]);
    assert.equal(r2.status, 0, r2.stderr);
    const md = r2.stdout;
    const top = md.split("\n").slice(0, 6).join("\n");
    assert.match(top, /\n\*\*Cost:\*\* this change adds \$2,920\.00\/month: \+ ml `defect-detector\.defect-detector\.2026-11-20T08\.00\.00-runner` \(ProjectVersionRunner, 1 inference unit × \$4\/h\)\. Always on after it: \$[\d,]+\.\d\d\/month\./, top);
    assert.match(md, /\n- \*\*ml\*\*: \$[\d,]+\.\d\d\/month \(\+\$2,920\.00\/month\)/);
    // qa: 4 interface endpoints × 2 AZ × $0.01/h × 730 h + 3 KMS keys × $1/month; the promotion changes none of it.
    assert.match(md, /\n- \*\*qa\*\*: \$61\.40\/month \(\+\$0\.00\/month\)/);

    const picture = /```mermaid\n([\s\S]*?)\n```/.exec(md)?.[1];
    assert.ok(picture);
    const lines = picture.split("\n");
    const newNode = lines.find((l) => l.includes('"Rekognition version defect-detector.2026-11-20T08.00.00"'));
    assert.ok(newNode?.endsWith(":::added"), newNode);
    const oldNode = lines.find((l) => l.includes('"Rekognition version defect-detector.2026-11-02T10.15.00"'));
    assert.ok(oldNode && !oldNode.includes(":::"), "prod still calls the old version: it stays, unmarked");
    const edges = lines.filter((l) => / (-->|-\.->)\|/.test(l));
    const qaToNew = edges.findIndex((l) => l.includes("role_444444444444_role_mlz_model_access_qa -->|\"calls\"| model_") && l.includes("2026_11_20T08"));
    const qaToOld = edges.findIndex((l) => l.includes("role_444444444444_role_mlz_model_access_qa -.->|\"removed: calls\"| model_") && l.includes("2026_11_02T10"));
    assert.ok(qaToNew >= 0 && qaToOld >= 0, edges.join("\n"));
    assert.ok(lines.some((l) => new RegExp(`^  linkStyle (\\d+,)*${qaToNew}(,\\d+)* stroke:#1a7f37`).test(l)), picture);

    const r3 = await plan(["--stacks-dir", head, "--diff", out, "--prices", pricesFile, "--policy-config", policyConfig, "--format", "mermaid"]);
    assert.equal(r3.status, 0, r3.stderr);
    assert.equal(r3.stdout, `${picture}\n`, "--format mermaid prints the picture the comment embeds");
  });
});
