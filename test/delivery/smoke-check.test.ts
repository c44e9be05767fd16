import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { judgeSmokeTest, main } from "../../delivery/smoke-check";
import { makeProject, QA_BIKE, QA_DEFECT, PROD_DEFECT } from "../promotion/fixture";

const expected = { "defect-detector": QA_DEFECT, "bikeshare-classifier": QA_BIKE };
const report = (over: Record<string, unknown> = {}) => JSON.stringify({
  model: "defect-detector",
  versionArn: QA_DEFECT,
  parameterName: "/mlz/models/defect-detector/arn",
  image: { bucket: "b", key: "k" },
  labels: [{ name: "scratch", confidence: 91.2 }],
  latencyMs: 312,
  ...over,
});

describe("delivery/smoke-check", () => {
  it("passes a report of the pinned version", () => {
    assert.deepEqual(judgeSmokeTest({ StatusCode: 200, ExecutedVersion: "$LATEST" }, report(), "qa", expected), {
      ok: true,
      message: `smoke test of qa passed: defect-detector ${QA_DEFECT}, 1 label(s) in 312 ms`,
    });
  });

  it("fails on FunctionError with the function's error type and message", () => {
    const payload = JSON.stringify({ errorType: "ModelNotRunning", errorMessage: "version is STOPPED: start it", trace: [] });
    assert.deepEqual(judgeSmokeTest({ StatusCode: 200, FunctionError: "Unhandled" }, payload, "prod", expected), {
      ok: false,
      message: "smoke test of prod failed: ModelNotRunning: version is STOPPED: start it",
    });
  });

  it("fails on FunctionError with an unparsable payload", () => {
    assert.deepEqual(judgeSmokeTest({ StatusCode: 200, FunctionError: "Unhandled" }, "Task timed out", "qa", expected), {
      ok: false,
      message: "smoke test of qa failed: Unhandled: Task timed out",
    });
  });

  it("fails on a non-200 status", () => {
    assert.equal(judgeSmokeTest({ StatusCode: 500 }, report(), "qa", expected).message, "smoke test of qa failed: invoke returned status 500");
  });

  it("fails when the payload is not a report", () => {
    assert.equal(judgeSmokeTest({ StatusCode: 200 }, "null", "qa", expected).message, "smoke test of qa failed: the function returned no report (got null)");
    assert.equal(judgeSmokeTest({ StatusCode: 200 }, "", "qa", expected).message, "smoke test of qa failed: the function returned no report (got nothing)");
  });

  it("fails when the environment still answers with another version (the promotion did not land)", () => {
    assert.deepEqual(judgeSmokeTest({ StatusCode: 200 }, report({ versionArn: PROD_DEFECT }), "qa", expected), {
      ok: false,
      message: `smoke test of qa failed: model 'defect-detector' answered with ${PROD_DEFECT}, but stacks/Pulumi.qa.yaml pins ${QA_DEFECT}`,
    });
  });

  it("fails for a model the stack does not pin", () => {
    assert.equal(
      judgeSmokeTest({ StatusCode: 200 }, report({ model: "other" }), "qa", expected).message,
      "smoke test of qa failed: it tested model 'other', which stacks/Pulumi.qa.yaml does not pin",
    );
  });

  it("main reads the stack file and the aws lambda invoke outputs", () => {
    const { root, cleanup } = makeProject();
    try {
      fs.writeFileSync(path.join(root, "response.json"), JSON.stringify({ StatusCode: 200, ExecutedVersion: "$LATEST" }));
      fs.writeFileSync(path.join(root, "payload.json"), report());
      const verdict = main(["--stack", "qa", "--response", path.join(root, "response.json"), "--payload", path.join(root, "payload.json")], root);
      assert.equal(verdict.ok, true);
      const prod = main(["--stack", "prod", "--response", path.join(root, "response.json"), "--payload", path.join(root, "payload.json")], root);
      assert.equal(prod.ok, false);
      assert.throws(() => main(["--stack", "qa"], root), { message: "--stack, --response and --payload are required (see --help)" });
    } finally {
      cleanup();
    }
  });
});
