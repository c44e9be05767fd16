/**
 * The pack against the offline plan of the example organization (stacks/Pulumi.*.yaml): every stack
 * passes every mandatory rule, and a deliberately broken copy of a stack fails naming rule,
 * resource and stack.
 */
import * as assert from "node:assert/strict";
import type { PlannedResource, StackPlan } from "../../lib/plan-model";
import { evaluateStack, hasMandatoryViolation } from "../../policies/evaluate";
import { renderMarkdown, renderText } from "../../policies/render";
import { examplePlan } from "../helpers/example-plan";

describe("policies against the example organization's offline plan", () => {
  let plans: StackPlan[];

  before(async () => {
    const org = await examplePlan();
    plans = org.runs.map((r) => r.plan);
  });

  it("passes every mandatory rule in every stack", async () => {
    assert.ok(plans.length >= 6, `planned ${plans.map((p) => p.stack).join(", ")}`);
    const results = (await Promise.all(plans.map((p) => evaluateStack(p, { organization: plans })))).flat();
    assert.equal(hasMandatoryViolation(results), false, renderText(results));
  });

  it("fails a broken copy of the lakehouse stack, naming rule, resource and stack", async () => {
    const lakehouse = plans.find((p) => p.stack === "lakehouse");
    assert.ok(lakehouse, "the example organization has a lakehouse stack");
    const broken: StackPlan = structuredClone(lakehouse);
    // Drop every public access block and make one bucket's SSE configuration AES256.
    broken.resources = broken.resources.filter((r) => r.type !== "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
    const sse = broken.resources.find((r) => r.type === "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration") as PlannedResource;
    const aes = { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] };
    Object.assign(sse.inputs, aes);
    Object.assign(sse.outputs, aes);
    const bucketNames = broken.resources.filter((r) => r.type === "aws:s3/bucket:Bucket").map((r) => r.name).sort();
    assert.ok(bucketNames.length > 0);

    const results = await evaluateStack(broken, { organization: plans.map((p) => (p.stack === "lakehouse" ? broken : p)) });
    assert.equal(hasMandatoryViolation(results), true);
    const pab = results.filter((r) => r.policy === "s3-bucket-public-access-block");
    assert.deepEqual(pab.map((r) => [r.stack, r.enforcementLevel, r.resourceType, r.resourceName]), bucketNames.map((n) => ["lakehouse", "mandatory", "aws:s3/bucket:Bucket", n]));
    const sseResults = results.filter((r) => r.policy === "s3-bucket-server-side-encryption");
    assert.equal(sseResults.length, 1);
    assert.match(sseResults[0].message, /^S3 bucket '.+' must encrypt with aws:kms or aws:kms:dsse; got 'AES256'\.$/);
    assert.deepEqual(new Set(results.map((r) => r.policy)), new Set(["s3-bucket-public-access-block", "s3-bucket-server-side-encryption"]));
    const markdown = renderMarkdown(results, { stacks: plans.map((p) => p.stack) });
    assert.match(markdown, /^### Policy check: ❌ blocked/);
    assert.match(markdown, /#### Stack `lakehouse` \(\d+ mandatory, 0 advisory\)/);
    assert.match(markdown, /\*\*`s3-bucket-public-access-block`\*\* \(mandatory, \d+ violations?\)/);
  });
});
