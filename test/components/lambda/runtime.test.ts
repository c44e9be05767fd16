import { strict as assert } from "node:assert";
import { NODE_RUNTIME } from "../../../components/lambda/node-function";
import { BUNDLE_TARGET } from "../../../components/lambda/bundle";
import { lambdaSupportedRuntime } from "../../../policies/functions";

describe("Lambda runtime", () => {
  it("is the Node.js runtime AWS supports longest (nodejs24.x), and bundles target that Node.js major", () => {
    assert.equal(NODE_RUNTIME, "nodejs24.x");
    assert.equal(BUNDLE_TARGET, `node${/^nodejs(\d+)\.x$/.exec(NODE_RUNTIME)![1]}`);
  });

  it("no longer allows nodejs20.x (deprecated by Lambda on 30 April 2026) by default", () => {
    const schema = (lambdaSupportedRuntime as any).configSchema.properties.allowedRuntimes;
    assert.ok(!schema.default.includes("nodejs20.x"));
    assert.ok(schema.default.includes(NODE_RUNTIME));
  });
});
