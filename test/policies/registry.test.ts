import * as assert from "node:assert/strict";
import type { StackValidationPolicy } from "@pulumi/policy";
import { resolvePolicyConfig, type MlzPolicy } from "../../policies/config";
import { functionPolicies } from "../../policies/functions";
import { iamPolicies } from "../../policies/iam";
import { iamReferencePolicies } from "../../policies/iam-reference";
import { languagePolicies } from "../../policies/language";
import { modelPolicies } from "../../policies/models";
import { networkPolicies } from "../../policies/network";
import { organizationPolicies } from "../../policies/organization";
import { allPolicies, buildRegistry } from "../../policies/registry";
import { s3Policies } from "../../policies/s3";
import { accessPointPolicies } from "../../policies/access-points";
import { stackPolicies } from "../../policies/stack";
import { tagPolicies } from "../../policies/tags";

const rule = (name: string, extra: Partial<StackValidationPolicy> = {}): StackValidationPolicy => ({
  name,
  description: "Checks whether something holds.",
  enforcementLevel: "advisory",
  validateStack: () => undefined,
  ...extra,
});

describe("policies/registry", () => {
  it("holds exactly the pack's rules, domain by domain, with their default enforcement levels", () => {
    const levels = (policies: readonly MlzPolicy[]) => policies.map((p) => [p.name, p.enforcementLevel]).sort(([a], [b]) => String(a).localeCompare(String(b)));
    const expected: Record<string, [string, string][]> = {
      s3: [
        ["s3-bucket-public-access-block", "mandatory"],
        ["s3-bucket-server-side-encryption", "mandatory"],
        ["s3-bucket-tls-only-policy", "mandatory"],
        ["s3-bucket-versioning", "mandatory"],
        ["s3-no-public-acl", "mandatory"],
      ],
      iam: [
        ["iam-cross-account-trust-in-organization", "mandatory"],
        ["iam-github-oidc-trust-pinned", "mandatory"],
        ["iam-no-users-or-access-keys", "mandatory"],
        ["iam-no-wildcard-actions", "mandatory"],
        ["iam-no-wildcard-resource-writes", "mandatory"],
        ["iam-passrole-scoped", "mandatory"],
        ["iam-policy-size-limits", "mandatory"],
      ],
      iamReference: [
        ["iam-actions-exist", "mandatory"],
        ["iam-condition-keys-supported", "mandatory"],
        ["iam-resource-level-permissions", "mandatory"],
        ["rcp-services-supported", "mandatory"],
      ],
      models: [
        ["rekognition-project-version-arns-only", "mandatory"],
        ["sagemaker-endpoint-config-kms", "mandatory"],
        ["sagemaker-endpoint-instance-types", "mandatory"],
        ["sagemaker-model-network-isolation", "mandatory"],
      ],
      organization: [
        ["rekognition-guardrail-attached", "mandatory"],
        ["scp-document-valid", "mandatory"],
        ["scp-size-quota", "mandatory"],
      ],
      network: [
        ["security-group-no-public-ingress", "mandatory"],
        ["vpc-endpoint-policy", "mandatory"],
        ["vpc-interface-endpoint-private-dns", "mandatory"],
      ],
      functions: [
        ["cloudfront-https-only", "mandatory"],
        ["cloudfront-s3-origin-access-control", "mandatory"],
        ["cloudfront-tls-minimum", "mandatory"],
        ["firehose-encrypted", "mandatory"],
        ["lambda-async-failure-destination", "advisory"],
        ["lambda-edge-restrictions", "mandatory"],
        ["lambda-function-url-auth", "mandatory"],
        ["lambda-supported-runtime", "mandatory"],
      ],
      tags: [["required-tags", "mandatory"]],
      accessPoints: [
        ["s3-access-point-block-public-access", "mandatory"],
        ["s3-access-point-policy-exact-principals", "mandatory"],
        ["s3-bucket-policy-public-allow-scoped", "mandatory"],
      ],
      stack: [
        ["model-parameters-granted", "mandatory"],
        ["prod-models-in-qa", "mandatory"],
      ],
      language: [
        ["comprehend-recognizer-encrypted", "mandatory"],
        ["language-data-access-scoped", "mandatory"],
      ],
    };
    const actual = {
      s3: levels(s3Policies),
      iam: levels(iamPolicies),
      iamReference: levels(iamReferencePolicies),
      models: levels(modelPolicies),
      organization: levels(organizationPolicies),
      network: levels(networkPolicies),
      functions: levels(functionPolicies),
      tags: levels(tagPolicies),
      accessPoints: levels(accessPointPolicies),
      stack: levels(stackPolicies),
      language: levels(languagePolicies),
    };
    assert.deepEqual(actual, expected);
    // The pack is exactly the union of the domain lists: no rule left out of the registry, none added beside it.
    assert.deepEqual(levels(allPolicies), Object.values(expected).flat().sort(([a], [b]) => a.localeCompare(b)));
    assert.equal(allPolicies.length, 42);
  });
  it("resolves every rule's defaults without configuration", () => {
    const resolved = resolvePolicyConfig(allPolicies);
    assert.deepEqual(
      [...resolved.entries()].map(([name, r]) => [name, r.enforcementLevel]).sort(([a], [b]) => a.localeCompare(b)),
      allPolicies.map((p) => [p.name, p.enforcementLevel]).sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
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
