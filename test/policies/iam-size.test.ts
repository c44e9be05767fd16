/**
 * iam-policy-size-limits: IAM's size limits (whitespace not counted) checked at plan time.
 */
import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { policyDocument } from "../../components/iam/policy-document";
import { IAM_SIZE_LIMITS, iamPolicySize, iamPolicySizeLimits } from "../../policies/iam";
import { runStackPolicy, urnOf, type StackResourceSpec } from "./util";

/** A policy document granting DetectCustomLabels on `n` project-version ARNs. */
function grants(n: number): string {
  const versions = Array.from({ length: n }, (_, i) => `arn:aws:rekognition:us-east-1:444444444444:project/model-${i}/version/model-${i}.v1/1762078500000`);
  return JSON.stringify(policyDocument([{ Sid: "Detect", Effect: "Allow", Action: "rekognition:DetectCustomLabels", Resource: versions }]), null, 2);
}

const TRUST = JSON.stringify(policyDocument([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]));

function role(name: string, extra: Record<string, unknown> = {}): StackResourceSpec {
  return { cls: aws.iam.Role, name: `${name}-role`, props: { name, assumeRolePolicy: TRUST, ...extra } };
}

describe("policies/iam: iam-policy-size-limits", () => {
  it("counts a document as IAM does: without whitespace", () => {
    const doc = grants(3);
    assert.ok(doc.includes("\n  "));
    assert.equal(iamPolicySize(doc), JSON.stringify(JSON.parse(doc)).length);
    assert.equal(iamPolicySize("not json"), undefined);
  });

  it("passes documents within the limits", async () => {
    const specs = [
      role("small", { inlinePolicies: [{ name: "a", policy: grants(10) }] }),
      { cls: aws.iam.RolePolicy, name: "small-more", props: { name: "more", role: "small", policy: grants(10) } },
      { cls: aws.iam.Policy, name: "managed", props: { name: "managed", policy: grants(20) } },
    ];
    assert.deepEqual(await runStackPolicy(iamPolicySizeLimits, specs), { violations: [] });
  });

  it("reports a role whose inline policies (inlinePolicies and RolePolicy together) exceed 10,240, naming role and size", async () => {
    const a = grants(60);
    const b = grants(60);
    const total = iamPolicySize(a)! + iamPolicySize(b)!;
    assert.ok(iamPolicySize(a)! < IAM_SIZE_LIMITS.roleInlinePolicies && total > IAM_SIZE_LIMITS.roleInlinePolicies, String(total));
    const specs = [
      role("mlz-model-access-prod", { inlinePolicies: [{ name: "first", policy: a }] }),
      { cls: aws.iam.RolePolicy, name: "access-prod-permissions", props: { name: "second", role: "mlz-model-access-prod", policy: b } },
    ];
    const fmt = (n: number) => n.toLocaleString("en-US");
    assert.deepEqual((await runStackPolicy(iamPolicySizeLimits, specs)).violations, [{
      message: `IAM role 'mlz-model-access-prod' inline policies must total at most 10,240 characters without whitespace (IAM's limit); they total ${fmt(total)} (first: ${fmt(iamPolicySize(a)!)}, second: ${fmt(iamPolicySize(b)!)}). Split the grants into managed policies or fewer statements.`,
      urn: urnOf(aws.iam.Role, "mlz-model-access-prod-role"),
    }]);
  });

  it("reports a managed policy over 6,144", async () => {
    const doc = grants(70);
    const size = iamPolicySize(doc)!;
    assert.ok(size > 6144 && size < 10240);
    const { violations } = await runStackPolicy(iamPolicySizeLimits, [{ cls: aws.iam.Policy, name: "big", props: { name: "big-policy", policy: doc } }]);
    assert.deepEqual(violations, [{ message: `IAM managed policy 'big-policy' must be at most 6,144 characters without whitespace (IAM's limit); it has ${size.toLocaleString("en-US")}.`, urn: urnOf(aws.iam.Policy, "big") }]);
  });

  it("reports a trust policy over the 2,048 default quota; the quota option raises it", async () => {
    const principals = Array.from({ length: 50 }, (_, i) => `arn:aws:iam::${String(100000000000 + i)}:role/consumer-${i}`);
    const trust = JSON.stringify(policyDocument([{ Effect: "Allow", Principal: { AWS: principals }, Action: "sts:AssumeRole" }]));
    const size = iamPolicySize(trust)!;
    assert.ok(size > 2048 && size < 4096, String(size));
    const specs = [role("wide-trust", { assumeRolePolicy: trust })];
    assert.deepEqual((await runStackPolicy(iamPolicySizeLimits, specs)).violations.map((v) => v.message), [
      `IAM role 'wide-trust' trust policy must be at most 2,048 characters without whitespace (IAM's default quota; raise it in Service Quotas up to 4,096 and set trustPolicyQuota); it has ${size.toLocaleString("en-US")}.`,
    ]);
    assert.deepEqual(await runStackPolicy(iamPolicySizeLimits, specs, { trustPolicyQuota: 4096 }), { violations: [] });
  });
});
