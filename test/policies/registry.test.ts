import * as assert from "node:assert/strict";
import type { StackValidationPolicy } from "@pulumi/policy";
import { resolvePolicyConfig } from "../../policies/config";
import { allPolicies, buildRegistry } from "../../policies/registry";

const rule = (name: string, extra: Partial<StackValidationPolicy> = {}): StackValidationPolicy => ({
  name,
  description: "Checks whether something holds.",
  enforcementLevel: "advisory",
  validateStack: () => undefined,
  ...extra,
});

describe("policies/registry", () => {
  it("holds at least 25 uniquely named rules with defaults that resolve", () => {
    assert.ok(allPolicies.length >= 25, `only ${allPolicies.length} rules`);
    assert.equal(new Set(allPolicies.map((p) => p.name)).size, allPolicies.length);
    const resolved = resolvePolicyConfig(allPolicies);
    assert.equal(resolved.size, allPolicies.length);
  });
  it("covers every domain of the issue", () => {
    const names = allPolicies.map((p) => p.name);
    for (const prefix of ["s3-", "iam-", "rekognition-", "sagemaker-", "scp-", "vpc-", "security-group-", "lambda-", "cloudfront-", "firehose-", "required-tags", "prod-model-", "model-parameters-"]) {
      assert.ok(names.some((n) => n.startsWith(prefix)), prefix);
    }
  });
  it("refuses duplicate names", () => {
    assert.throws(() => buildRegistry([rule("same-name"), rule("other"), rule("same-name")]), { message: "duplicate policy name 'same-name'" });
  });
  it("refuses names that are not kebab-case, the reserved name 'all', and missing levels", () => {
    assert.throws(() => buildRegistry([rule("Not_Kebab")]), { message: "policy name 'Not_Kebab' must be kebab-case" });
    assert.throws(() => buildRegistry([rule("all")]), { message: "policy name 'all' is reserved for the pack-wide config entry" });
    assert.throws(() => buildRegistry([rule("no-level", { enforcementLevel: undefined })]), { message: "policy 'no-level' must declare a default enforcementLevel" });
    assert.throws(() => buildRegistry([rule("bad-description", { description: "Ensures things." })]), {
      message: "policy 'bad-description': description must start with 'Checks whether'",
    });
  });
  it("is importable without starting the policy server (index.ts is never loaded)", () => {
    const policyModules = Object.keys(require.cache).filter((k) => /[\\/]policies[\\/][a-z-]+\.ts$/.test(k) && !/[\\/]test[\\/]/.test(k));
    assert.ok(policyModules.some((k) => k.endsWith("registry.ts")), "registry.ts is tracked in require.cache");
    assert.deepEqual(policyModules.filter((k) => k.endsWith("index.ts")), []);
  });
});
