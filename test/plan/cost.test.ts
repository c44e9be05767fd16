/**
 * plan/cost.ts: every priced type against hand-computed figures (from the test price file, so a
 * price update does not change the arithmetic under test), unknown types as not priced, the
 * usage-priced list, the budget violation, and the delta of a promotion (old and new version
 * running, then the old one revoked). Also the pinned price file's rules.
 */
import { strict as assert } from "node:assert";
import { budgetViolation, costDelta, loadPrices, parsePrices, pendingRevoke, stackCost, type StackCost } from "../../plan/cost";
import { costHeadline, costMarkdownSection, costSummaryLines, costTextLines } from "../../plan/cost-render";
import type { OrganizationReport } from "../../plan/render";
import { PRICES, plan, res, runner, versionArn } from "./fixtures/cost-plans";

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);

function only(cost: StackCost) {
  assert.equal(cost.items.length, 1, JSON.stringify(cost.items));
  return cost.items[0];
}

describe("plan/cost", () => {
  it("prices an interface endpoint per distinct AZ of its subnets: 2 AZ × $0.01/h = $14.60/month", () => {
    const p = plan("qa", [
      res("qa", "aws:ec2/subnet:Subnet", "a", { availabilityZone: "us-east-1a" }, { id: "subnet-a" }),
      res("qa", "aws:ec2/subnet:Subnet", "b", { availabilityZone: "us-east-1b" }, { id: "subnet-b" }),
      res("qa", "aws:ec2/subnet:Subnet", "c", { availabilityZone: "us-east-1b" }, { id: "subnet-c" }),
      res("qa", "aws:ec2/vpcEndpoint:VpcEndpoint", "vpce-sts", { vpcEndpointType: "Interface", subnetIds: ["subnet-a", "subnet-b", "subnet-c"] }),
      res("qa", "aws:ec2/vpcEndpoint:VpcEndpoint", "vpce-s3", { vpcEndpointType: "Gateway" }),
    ]);
    const cost = stackCost(p, PRICES);
    const item = only(cost);
    assert.deepEqual({ ...item, hourlyUsd: 0, monthlyUsd: 0 }, { urn: "urn:pulumi:qa::ml-landing-zone::aws:ec2/vpcEndpoint:VpcEndpoint::vpce-sts", type: "aws:ec2/vpcEndpoint:VpcEndpoint", hourlyUsd: 0, monthlyUsd: 0, basis: "2 AZ × $0.01/h", priceEntry: "us-east-1/vpce-interface-az-hour" });
    close(item.hourlyUsd, 0.02);
    close(item.monthlyUsd, 14.6);
    close(cost.monthlyUsd, 14.6);
    assert.deepEqual(cost.unpriced, []);
    assert.deepEqual(cost.usagePriced, [{ type: "aws:ec2/vpcEndpoint:VpcEndpoint", unit: "GB processed", usd: 0.01 }]);
  });

  it("prices a running Rekognition version at its minimum inference units × $4/h; a stopped one costs nothing", () => {
    const cost = stackCost(plan("ml", [runner("ml", "v2", 2), runner("ml", "v1", 1, "STOPPED")]), PRICES);
    const item = only(cost);
    assert.equal(item.type, "mlz:rekognition:ProjectVersionRunner");
    assert.equal(item.basis, "2 inference units × $4/h");
    close(item.hourlyUsd, 8);
    close(item.monthlyUsd, 5840);
    assert.equal(item.priceEntry, "us-east-1/rekognition-custom-labels-inference-unit-hour");
  });

  it("prices a SageMaker endpoint by its configuration's instance type × count; an unknown instance type is not priced", () => {
    const p = plan("ml", [
      res("ml", "aws:sagemaker/endpointConfiguration:EndpointConfiguration", "cfg", { productionVariants: [{ instanceType: "ml.m5.xlarge", initialInstanceCount: 2, modelName: "m" }] }, { name: "cfg-1" }),
      res("ml", "aws:sagemaker/endpoint:Endpoint", "ep", { endpointConfigName: "cfg-1" }),
      res("ml", "aws:sagemaker/endpointConfiguration:EndpointConfiguration", "big", { productionVariants: [{ instanceType: "ml.p4d.24xlarge", initialInstanceCount: 1 }] }, { name: "big-1" }),
      res("ml", "aws:sagemaker/endpoint:Endpoint", "ep-big", { endpointConfigName: "big-1" }),
    ]);
    const cost = stackCost(p, PRICES);
    const item = only(cost);
    assert.equal(item.basis, "2 ml.m5.xlarge instances × $0.23/h");
    close(item.monthlyUsd, 335.8);
    assert.deepEqual(cost.unpriced, ["aws:sagemaker/endpoint:Endpoint"]);
  });

  it("prices a KMS key at $1/month ($1 ÷ 730 per hour) and lists its requests as usage-priced", () => {
    const cost = stackCost(plan("lakehouse", [res("lakehouse", "aws:kms/key:Key", "key", { enableKeyRotation: true })]), PRICES);
    const item = only(cost);
    assert.equal(item.basis, "1 key × $1/month");
    close(item.hourlyUsd, 1 / 730);
    close(item.monthlyUsd, 1);
    assert.deepEqual(cost.usagePriced, [{ type: "aws:kms/key:Key", unit: "10,000 requests", usd: 0.03 }]);
  });

  it("gives CloudFront distributions, Config recorders and trails their fixed part ($0) and lists their usage prices", () => {
    const cost = stackCost(plan("management", [
      res("management", "aws:cloudfront/distribution:Distribution", "cdn", {}),
      res("management", "aws:cfg/recorder:Recorder", "rec", {}),
      res("management", "aws:cloudtrail/trail:Trail", "trail", {}),
    ]), PRICES);
    assert.deepEqual(cost.items.map((i) => [i.type, i.basis, i.monthlyUsd]), [
      ["aws:cfg/recorder:Recorder", "1 recorder × $0/month", 0],
      ["aws:cloudfront/distribution:Distribution", "1 distribution × $0/month", 0],
      ["aws:cloudtrail/trail:Trail", "1 trail × $0/month", 0],
    ]);
    assert.deepEqual(cost.usagePriced, [
      { type: "aws:cfg/recorder:Recorder", unit: "configuration item", usd: 0.003 },
      { type: "aws:cloudfront/distribution:Distribution", unit: "GB out", usd: null },
      { type: "aws:cloudtrail/trail:Trail", unit: "100,000 data events", usd: 0.1 },
    ]);
    assert.deepEqual(cost.unpriced, ["aws:cloudtrail/trail:Trail"], "its additional-management-events entry is missing from the test prices");
  });

  it("lists types the price file does not know, entries without a figure and regions it lacks as not priced, never as zero", () => {
    const prices = parsePrices({ ...PRICES, regions: { "us-east-1": { ...PRICES.regions["us-east-1"], "kms-key-month": { per: "month", usd: null, unit: "key month", source: "https://example.com/kms", read: "2026-12-05", missing: "not in the stored page" } } } });
    const cost = stackCost(plan("ml", [
      res("ml", "aws:sns/topic:Topic", "topic", {}),
      res("ml", "aws:ec2/natGateway:NatGateway", "nat", {}),
      res("ml", "aws:kms/key:Key", "key", {}),
      res("ml", "pulumi-nodejs:dynamic:Resource", "job", { kind: "mlz:sagemaker:AutoMLJobV2" }),
      res("ml", "aws:ec2/vpcEndpoint:VpcEndpoint", "far", { vpcEndpointType: "Interface", subnetIds: ["subnet-x"] }, {}, { region: "eu-west-1" }),
      res("ml", "aws:iam/role:Role", "role", {}),
      res("ml", "mlz:models:Thing", "component", {}),
    ]), prices);
    assert.deepEqual(cost.items, []);
    assert.equal(cost.monthlyUsd, 0);
    assert.deepEqual(cost.unpriced, ["aws:ec2/natGateway:NatGateway", "aws:ec2/vpcEndpoint:VpcEndpoint", "aws:kms/key:Key", "aws:sns/topic:Topic", "mlz:sagemaker:AutoMLJobV2"]);
  });

  it("lists Lambda (by architecture) and services reached only by IAM actions (Polly) as usage-priced", () => {
    const cost = stackCost(plan("qa", [
      res("qa", "aws:lambda/function:Function", "fn", { architectures: ["arm64"] }),
      res("qa", "aws:iam/rolePolicy:RolePolicy", "narrate", { policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["polly:SynthesizeSpeech"], Resource: "*" }] }) }),
    ]), PRICES);
    assert.deepEqual(cost.usagePriced, [
      { type: "aws:lambda/function:Function", unit: "1M requests", usd: 0.2 },
      { type: "aws:lambda/function:Function", unit: "GB-second arm64", usd: 0.0000133334 },
      { type: "polly:SynthesizeSpeech", unit: "1M characters neural", usd: 16 },
      { type: "polly:SynthesizeSpeech", unit: "1M characters standard", usd: 4 },
    ]);
    assert.deepEqual(cost.items, []);
  });

  it("reports a stack over its budget as a mandatory violation naming the stack, the budget and the top three items", () => {
    const p = plan("ml", [
      runner("ml", "v2", 1),
      res("ml", "aws:kms/key:Key", "key-a", {}),
      res("ml", "aws:kms/key:Key", "key-b", {}),
      res("ml", "aws:ec2/vpcEndpoint:VpcEndpoint", "vpce", { vpcEndpointType: "Interface", subnetIds: ["s-1"] }),
      res("ml", "aws:sns/topic:Topic", "topic", {}),
    ], { config: { costBudget: JSON.stringify({ monthlyUsd: 1000 }) } });
    const cost = stackCost(p, PRICES);
    close(cost.monthlyUsd, 2920 + 1 + 1 + 7.3);
    assert.deepEqual(budgetViolation(p, cost), {
      policy: "stack-monthly-budget",
      enforcementLevel: "mandatory",
      stack: "ml",
      message: "stack ml's always-on cost $2,929.30/month must not exceed its budget of $1,000.00/month (costBudget.monthlyUsd in stacks/Pulumi.ml.yaml) (not priced, so not counted: aws:sns/topic:Topic); top items: defect-detector.v2-runner $2,920.00/month (1 inference unit × $4/h); vpce $7.30/month (1 AZ × $0.01/h); key-a $1.00/month (1 key × $1/month)",
    });
    assert.equal(budgetViolation({ ...p, config: { costBudget: { monthlyUsd: 3000 } } }, cost), undefined);
    assert.equal(budgetViolation({ ...p, config: {} }, cost), undefined);
    assert.throws(() => budgetViolation({ ...p, config: { costBudget: { monthlyUsd: -5 } } }, cost), /stacks\/Pulumi\.ml\.yaml: costBudget: expected a positive number/);
  });

  describe("a promotion: old and new version running, then the old one revoked", () => {
    const qaAsks = (v: string) => plan("qa", [], { role: "workload", config: { models: JSON.stringify({ "defect-detector": { kind: "rekognition", versionArn: versionArn(v) } }) } });
    const before = plan("ml", [runner("ml", "v1", 1)], { role: "ml" });
    const during = plan("ml", [runner("ml", "v1", 1), runner("ml", "v2", 1)], { role: "ml" });
    const after = plan("ml", [runner("ml", "v2", 1)], { role: "ml" });
    const cost = (p: ReturnType<typeof plan>) => stackCost(p, PRICES);

    it("while both run, the ML stack costs twice and the old version is listed as not yet revoked", () => {
      const d = costDelta(cost(before), cost(during));
      close(d.monthlyUsd, 2920);
      assert.deepEqual(d.added.map((i) => i.urn), ["urn:pulumi:ml::ml-landing-zone::pulumi-nodejs:dynamic:Resource::defect-detector.v2-runner"]);
      assert.deepEqual(d.removed, []);
      const pending = pendingRevoke([qaAsks("v2"), during], new Map([["ml", cost(during)]]));
      assert.deepEqual(pending.map((p) => [p.stack, p.versionArn, p.item.monthlyUsd]), [["ml", versionArn("v1"), 2920]]);
    });

    it("the revoke step removes the old version's cost", () => {
      const d = costDelta(cost(during), cost(after));
      close(d.monthlyUsd, -2920);
      assert.deepEqual(d.removed.map((i) => i.urn), ["urn:pulumi:ml::ml-landing-zone::pulumi-nodejs:dynamic:Resource::defect-detector.v1-runner"]);
      assert.deepEqual(pendingRevoke([qaAsks("v2"), after], new Map([["ml", cost(after)]])), []);
    });

    it("the pull request's delta (old → new) is zero, and names the old version running until the revoke step", () => {
      const d = costDelta(cost(before), cost(after));
      close(d.monthlyUsd, 0);
      assert.deepEqual(d.untilRevoke.map((i) => i.urn), ["urn:pulumi:ml::ml-landing-zone::pulumi-nodejs:dynamic:Resource::defect-detector.v1-runner"]);
    });

    it("the comment's headline names the cost change and what changed", () => {
      const headCost = cost(during);
      const report = {
        stacks: [{ plan: during, policies: [], genericTypes: [], stackReferences: [], warnings: [], cost: headCost, costDelta: costDelta(cost(before), headCost) }],
        checks: [], passes: 1, unconverged: [], errors: [],
        cost: { hourlyUsd: headCost.hourlyUsd, monthlyUsd: headCost.monthlyUsd, delta: { hourlyUsd: 4, monthlyUsd: 2920 }, pendingRevoke: [] },
      } as OrganizationReport;
      assert.deepEqual(costHeadline(report), [
        "**Cost:** this change adds $2,920.00/month: + ml `defect-detector.v2-runner` (ProjectVersionRunner, 1 inference unit × $4/h). Always on after it: $5,840.00/month.",
        "",
      ]);
    });
  });

  describe("rendering a promotion that replaces a version everywhere", () => {
    const before = plan("ml", [runner("ml", "v1", 1), res("ml", "aws:kms/key:Key", "key", {})], { role: "ml" });
    const after = plan("ml", [runner("ml", "v2", 1), res("ml", "aws:kms/key:Key", "key", {})], { role: "ml" });
    const headCost = stackCost(after, PRICES);
    const stack = { plan: after, policies: [], genericTypes: [], stackReferences: [], warnings: [], cost: headCost, costDelta: costDelta(stackCost(before, PRICES), headCost) };
    const report = {
      stacks: [stack], checks: [], passes: 1, unconverged: [], errors: [],
      cost: {
        hourlyUsd: headCost.hourlyUsd, monthlyUsd: headCost.monthlyUsd, delta: { hourlyUsd: 0, monthlyUsd: 0 },
        pendingRevoke: [{ stack: "ml", urn: "urn:pulumi:ml::ml-landing-zone::pulumi-nodejs:dynamic:Resource::defect-detector.v0-runner", type: "mlz:rekognition:ProjectVersionRunner", monthlyUsd: 2920, versionArn: versionArn("v0") }],
      },
    } as OrganizationReport;

    it("the headline: no change in the end, the double cost until the revoke step, and a version not yet revoked", () => {
      assert.deepEqual(costHeadline(report), [
        "**Cost:** this change does not change the always-on cost: + ml `defect-detector.v2-runner` (ProjectVersionRunner, 1 inference unit × $4/h); − ml `defect-detector.v1-runner` (ProjectVersionRunner, 1 inference unit × $4/h). Always on after it: $2,921.00/month.",
        "⚠️ Until the revoke step, ml keeps the replaced `defect-detector.v1-runner` running: +$2,920.00/month while both versions run.",
        `⚠️ Double cost until the revoke step: ml \`defect-detector.v0-runner\` runs ${versionArn("v0")}, which no stack file asks for ($2,920.00/month).`,
        "",
      ]);
    });

    it("the per-stack lines: text and markdown", () => {
      assert.deepEqual(costTextLines(stack), [
        "",
        "Cost (always on): $2,921.00/month ($4.0014/h, 730 h/month)",
        "      $2,920.00/month  ProjectVersionRunner defect-detector.v2-runner: 1 inference unit × $4/h [us-east-1/rekognition-custom-labels-inference-unit-hour]",
        "          $1.00/month  Key key: 1 key × $1/month [us-east-1/kms-key-month]",
        "    usage-priced (not in the total):",
        "      aws:kms/key:Key: $0.03 per 10,000 requests",
        "    change: +$0.00/month",
        "      + $2,920.00/month ProjectVersionRunner defect-detector.v2-runner, 1 inference unit × $4/h",
        "      − $2,920.00/month ProjectVersionRunner defect-detector.v1-runner, 1 inference unit × $4/h",
        "      until the revoke step (ml-revoke) the replaced ProjectVersionRunner defect-detector.v1-runner, 1 inference unit × $4/h keeps running: +$2,920.00/month while both run",
      ]);
      assert.deepEqual(costMarkdownSection(report).slice(4), [
        "- **ml**: $2,921.00/month (+$0.00/month) · 2 priced item(s) · usage-priced: `aws:kms/key:Key`",
        "  - + $2,920.00/month ProjectVersionRunner defect-detector.v2-runner, 1 inference unit × $4/h",
        "  - − $2,920.00/month ProjectVersionRunner defect-detector.v1-runner, 1 inference unit × $4/h",
        "  - until the revoke step (ml-revoke) the replaced ProjectVersionRunner defect-detector.v1-runner, 1 inference unit × $4/h keeps running: +$2,920.00/month while both run",
        "",
      ]);
      assert.deepEqual(costSummaryLines(report), [
        "    always-on cost: $2,921.00/month ($4.0014/h), change +$0.00/month",
        `      not yet revoked: ml defect-detector.v0-runner (${versionArn("v0")}) $2,920.00/month until the revoke step`,
      ]);
    });
  });

  describe("the pinned price file", () => {
    it("parses: every entry names its region, source page and read date", () => {
      const prices = loadPrices();
      for (const [region, entries] of Object.entries(prices.regions)) {
        for (const [id, e] of Object.entries(entries)) {
          assert.match(e.source, /^https:\/\//, `${region}/${id}`);
          assert.match(e.read, /^\d{4}-\d{2}-\d{2}$/, `${region}/${id}`);
          if (e.usd === null) assert.ok(e.missing, `${region}/${id} has no figure and must say why`);
        }
      }
    });

    it("refuses an entry without a figure that does not say why, naming the file and the key", () => {
      assert.throws(
        () => parsePrices({ hoursPerMonth: 730, free: { types: [] }, regions: { "us-east-1": { x: { per: "hour", usd: null, unit: "u", source: "https://example.com", read: "2026-12-05" } } } }, "prices.json"),
        /prices\.json: regions\.us-east-1\.x\.missing: an entry without a figure \(usd null\) must say in 'missing' why/,
      );
      assert.throws(() => parsePrices({ hoursPerMonth: 720, free: { types: [] }, regions: {} }, "prices.json"), /prices\.json: hoursPerMonth/);
    });
  });
});
