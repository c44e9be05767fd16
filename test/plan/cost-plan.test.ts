/**
 * Cost and picture in the whole-organization plan: a stack over its budget blocks the plan (exit 1)
 * with the violation naming the stack, the budget and the top three items; a bad budget is a config
 * error naming the file and key; the JSON carries the cost in the documented shape; the README's
 * picture is the example organization's.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runPlan } from "../../plan/run";
import { renderJson, renderMarkdown } from "../../plan/render";
import { STACKS_DIR } from "../../stacks/config";

describe("plan: cost and picture of the example organization", function () {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-cost-"));
    for (const f of fs.readdirSync(STACKS_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) fs.copyFileSync(path.join(STACKS_DIR, f), path.join(dir, f));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const withQaBudget = (budget: string) => {
    const file = path.join(dir, "Pulumi.qa.yaml");
    const original = fs.readFileSync(path.join(STACKS_DIR, "Pulumi.qa.yaml"), "utf8");
    fs.writeFileSync(file, original.replace("  ml-landing-zone:account: qa\n", `  ml-landing-zone:account: qa\n  ml-landing-zone:costBudget:\n    monthlyUsd: ${budget}\n`));
  };

  it("a stack over its monthly budget is a mandatory violation: exit 1, naming the stack, the budget and the top three items", async () => {
    withQaBudget("50");
    const { report, exitCode } = await runPlan({ stacksDir: dir });
    assert.equal(exitCode, 1);
    const qa = report.stacks.find((s) => s.plan.stack === "qa")!;
    assert.deepEqual(qa.policies.filter((p) => p.policy === "stack-monthly-budget"), [{
      policy: "stack-monthly-budget",
      enforcementLevel: "mandatory",
      stack: "qa",
      // 4 interface endpoints × 2 AZ × $0.01/h × 730 h = $58.40, + 3 KMS keys (narration, translation,
      // document analysis) × $1/month = $61.40; the CloudFront distribution's fixed part is $0.
      message: `stack qa's always-on cost $61.40/month must not exceed its budget of $50.00/month (costBudget.monthlyUsd in ${qa.plan.configFile}) (not priced, so not counted: aws:cloudwatch/metricAlarm:MetricAlarm, aws:lambda/layerVersion:LayerVersion, aws:s3/bucketObjectv2:BucketObjectv2, aws:sns/topic:Topic, aws:sqs/queue:Queue, mlz:comprehend:ImportedModel); top items: model-network-vpce-rekognition $14.60/month (2 AZ × $0.01/h); model-network-vpce-sagemaker.runtime $14.60/month (2 AZ × $0.01/h); model-network-vpce-ssm $14.60/month (2 AZ × $0.01/h)`,
    }]);
    assert.match(qa.plan.configFile, /Pulumi\.qa\.yaml$/);
    assert.deepEqual(report.stacks.filter((s) => s.plan.stack !== "qa").flatMap((s) => s.policies), [], "no other stack has a budget");

    // JSON: per stack cost in the documented shape; the organization total; 730 h/month.
    const json = JSON.parse(renderJson(report));
    const qaJson = json.stacks.find((s: { stack: string }) => s.stack === "qa");
    assert.deepEqual(Object.keys(qaJson.cost).sort(), ["hourlyUsd", "items", "monthlyUsd", "unpriced", "usagePriced"]);
    assert.deepEqual(Object.keys(qaJson.cost.items[0]).sort(), ["basis", "hourlyUsd", "monthlyUsd", "priceEntry", "type", "urn"]);
    assert.equal(qaJson.cost.items.length, 8);
    assert.ok(Math.abs(qaJson.cost.monthlyUsd - 730 * qaJson.cost.hourlyUsd) < 1e-9);
    const total = json.stacks.reduce((n: number, s: { cost: { monthlyUsd: number } }) => n + s.cost.monthlyUsd, 0);
    assert.ok(Math.abs(json.cost.monthlyUsd - total) < 1e-9);
    assert.deepEqual(json.stacks.find((s: { stack: string }) => s.stack === "ml").cost.unpriced, ["aws:s3/bucketObjectv2:BucketObjectv2", "mlz:comprehend:EntityRecognizerTraining", "mlz:rekognition:ProjectVersionRunner"], "the pinned price file has no Custom Labels figure");

    // The comment: the cost headline, a cost line per stack, and the picture.
    const md = renderMarkdown(report);
    assert.match(md, /\n\*\*Cost:\*\* \$\d[\d,]*\.\d\d\/month always on/);
    for (const s of report.stacks) assert.match(md, new RegExp(`\\n- \\*\\*${s.plan.stack}\\*\\*: \\$`));
    assert.ok(md.includes("```mermaid\nflowchart LR\n"));

    // The README shows this organization's picture (the budget changes no resource).
    const readme = fs.readFileSync(path.resolve(__dirname, "..", "..", "README.md"), "utf8");
    const pictures = [...readme.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]);
    assert.deepEqual(pictures, [report.topology], "README's picture is stale: paste `npm run -s plan -- --format mermaid`");
  });

  it("a budget that is not a positive number is a config error naming the file and the key", async () => {
    withQaBudget("-1");
    const { report, exitCode } = await runPlan({ stacksDir: dir });
    assert.equal(exitCode, 2);
    assert.match(report.errors.map((e) => e.message).join("\n"), /Pulumi\.qa\.yaml: ml-landing-zone:costBudget\.monthlyUsd: expected a positive number of US dollars per month/);
  });
});
