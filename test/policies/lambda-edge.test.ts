import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import { lambdaEdgeRestrictions } from "../../policies/functions";
import { runStackPolicy, urnOf, type StackResourceSpec } from "./util";

const FN = "arn:aws:lambda:us-east-1:555555555555:function:mlz-narration-paywall";
const ROLE = "arn:aws:iam::555555555555:role/paywall-role";
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] }, Action: "sts:AssumeRole" }] });

function stack(fn: Record<string, unknown> = {}, association: Record<string, unknown> = {}, trust = TRUST): StackResourceSpec[] {
  return [
    { cls: aws.iam.Role, name: "paywall-role", props: { arn: ROLE, assumeRolePolicy: trust } },
    { cls: aws.lambda.Function, name: "paywall", props: { name: "mlz-narration-paywall", arn: FN, role: ROLE, runtime: "nodejs22.x", publish: true, architectures: ["x86_64"], memorySize: 128, timeout: 5, ...fn } },
    {
      cls: aws.cloudfront.Distribution,
      name: "cdn",
      props: { defaultCacheBehavior: { viewerProtocolPolicy: "https-only", lambdaFunctionAssociations: [{ eventType: "viewer-request", lambdaArn: `${FN}:3`, includeBody: false, ...association }] } },
    },
  ];
}

const messages = async (specs: StackResourceSpec[]) => (await runStackPolicy(lambdaEdgeRestrictions, specs)).violations.map((v) => v.message);

describe("lambda-edge-restrictions", () => {
  it("passes a function that follows Lambda@Edge's rules", async () => {
    assert.deepEqual(await messages(stack()), []);
  });

  it("reports each broken rule on the function", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ publish: false }, "publish a numbered version (publish: true)"],
      [{ architectures: ["arm64"] }, "use the x86_64 architecture"],
      [{ environment: { variables: { KEY: "x" } } }, "have no environment variables"],
      [{ layers: ["arn:aws:lambda:us-east-1:555555555555:layer:x:1"] }, "use no layers"],
      [{ vpcConfig: { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] } }, "run outside a VPC"],
      [{ deadLetterConfig: { targetArn: "arn:aws:sqs:us-east-1:555555555555:dlq" } }, "have no dead-letter queue"],
      [{ tracingConfig: { mode: "Active" } }, "not use active X-Ray tracing"],
      [{ memorySize: 256 }, "have at most 128 MB for a viewer trigger"],
      [{ timeout: 6 }, "time out within 5 s for a viewer-request trigger"],
    ];
    for (const [change, problem] of cases) {
      const r = await runStackPolicy(lambdaEdgeRestrictions, stack(change));
      assert.deepEqual(r.violations, [{ message: `Lambda@Edge function 'mlz-narration-paywall' must ${problem}.`, urn: urnOf(aws.lambda.Function, "paywall") }], problem);
    }
  });

  it("allows origin triggers more time and memory", async () => {
    assert.deepEqual(await messages(stack({ memorySize: 1024, timeout: 30 }, { eventType: "origin-request" })), []);
    assert.deepEqual(await messages(stack({ timeout: 31 }, { eventType: "origin-request" })), ["Lambda@Edge function 'mlz-narration-paywall' must time out within 30 s for a origin-request trigger."]);
  });

  it("reports an association to $LATEST and a role Lambda@Edge cannot assume", async () => {
    assert.deepEqual(await messages(stack({}, { lambdaArn: `${FN}:$LATEST` })), [`CloudFront viewer-request association must reference a numbered function version, not '${FN}:$LATEST'.`]);
    const lambdaOnly = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    assert.deepEqual(await messages(stack({}, {}, lambdaOnly)), ["Lambda@Edge function 'mlz-narration-paywall' must have a role edgelambda.amazonaws.com may assume."]);
  });
});
