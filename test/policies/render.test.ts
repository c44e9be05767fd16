import * as assert from "node:assert/strict";
import type { PolicyResult } from "../../lib/plan-model";
import { groupResults, renderMarkdown, renderText } from "../../policies/render";

const r = (stack: string, policy: string, level: PolicyResult["enforcementLevel"], message: string, resourceName?: string): PolicyResult => ({
  policy,
  enforcementLevel: level,
  message,
  stack,
  ...(resourceName ? { urn: `urn:pulumi:${stack}::p::t::${resourceName}`, resourceName, resourceType: "aws:s3/bucket:Bucket" } : {}),
});

const RESULTS: PolicyResult[] = [
  r("qa", "required-tags", "advisory", "Resource must carry the tags owner.", "logs"),
  r("prod", "s3-bucket-versioning", "mandatory", "S3 bucket 'b' must have versioning | enabled.", "b-bucket"),
  r("prod", "required-tags", "mandatory", "Resource must carry the tags owner.", "z-bucket"),
  r("prod", "required-tags", "mandatory", "Resource must carry the tags owner.", "a-bucket"),
  r("prod", "rekognition-guardrail-attached", "advisory", "The guardrail must be attached\nto OU 'Prod'."),
];

describe("policies/render", () => {
  it("groups by stack, then rule (mandatory first, then name), rows by resource", () => {
    const groups = groupResults(RESULTS);
    assert.deepEqual(
      groups.map((g) => [g.stack, g.rules.map((x) => [x.policy, x.enforcementLevel, x.results.map((y) => y.resourceName ?? "-")])]),
      [
        ["prod", [["required-tags", "mandatory", ["a-bucket", "z-bucket"]], ["s3-bucket-versioning", "mandatory", ["b-bucket"]], ["rekognition-guardrail-attached", "advisory", ["-"]]]],
        ["qa", [["required-tags", "advisory", ["logs"]]]],
      ],
    );
  });

  it("renders the pull-request comment as markdown, grouped and escaped", () => {
    assert.equal(
      renderMarkdown(RESULTS, { stacks: ["ml", "prod", "qa", "cicd"] }),
      [
        "### Policy check: ❌ blocked",
        "",
        "3 mandatory violations, 2 advisory violations.",
        "",
        "No violations in `cicd`, `ml`.",
        "",
        "#### Stack `prod` (3 mandatory, 1 advisory)",
        "",
        "**`required-tags`** (mandatory, 2 violations)",
        "",
        "| Resource | Type | Message |",
        "| --- | --- | --- |",
        "| `a-bucket` | `aws:s3/bucket:Bucket` | Resource must carry the tags owner. |",
        "| `z-bucket` | `aws:s3/bucket:Bucket` | Resource must carry the tags owner. |",
        "",
        "**`s3-bucket-versioning`** (mandatory, 1 violation)",
        "",
        "| Resource | Type | Message |",
        "| --- | --- | --- |",
        "| `b-bucket` | `aws:s3/bucket:Bucket` | S3 bucket 'b' must have versioning \\| enabled. |",
        "",
        "**`rekognition-guardrail-attached`** (advisory, 1 violation)",
        "",
        "| Resource | Type | Message |",
        "| --- | --- | --- |",
        "| (stack) |  | The guardrail must be attached<br>to OU 'Prod'. |",
        "",
        "#### Stack `qa` (0 mandatory, 1 advisory)",
        "",
        "**`required-tags`** (advisory, 1 violation)",
        "",
        "| Resource | Type | Message |",
        "| --- | --- | --- |",
        "| `logs` | `aws:s3/bucket:Bucket` | Resource must carry the tags owner. |",
        "",
      ].join("\n"),
    );
  });

  it("does not depend on input order", () => {
    assert.equal(renderMarkdown([...RESULTS].reverse()), renderMarkdown(RESULTS));
    assert.equal(renderText([...RESULTS].reverse()), renderText(RESULTS));
  });

  it("says when everything passed", () => {
    assert.equal(renderMarkdown([], { stacks: ["qa"] }), "### Policy check: ✅ passed\n\n0 mandatory violations, 0 advisory violations.\n\nNo violations in `qa`.\n");
    assert.equal(renderMarkdown(RESULTS.filter((x) => x.enforcementLevel === "advisory")).split("\n")[0], "### Policy check: ✅ passed");
  });

  it("renders plain text for the terminal", () => {
    assert.equal(
      renderText(RESULTS),
      [
        "Policy check: 3 mandatory violations, 2 advisory violations",
        "stack prod",
        "  [mandatory] required-tags",
        "    aws:s3/bucket:Bucket a-bucket: Resource must carry the tags owner.",
        "    aws:s3/bucket:Bucket z-bucket: Resource must carry the tags owner.",
        "  [mandatory] s3-bucket-versioning",
        "    aws:s3/bucket:Bucket b-bucket: S3 bucket 'b' must have versioning | enabled.",
        "  [advisory] rekognition-guardrail-attached",
        "    (stack): The guardrail must be attached to OU 'Prod'.",
        "stack qa",
        "  [advisory] required-tags",
        "    aws:s3/bucket:Bucket logs: Resource must carry the tags owner.",
        "",
      ].join("\n"),
    );
  });
});
