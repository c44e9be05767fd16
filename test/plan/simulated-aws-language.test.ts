import { strict as assert } from "node:assert";
import { createSimulator } from "../../plan/simulated-aws";

const PROVIDER_INPUTS = {
  region: "us-east-1",
  assumeRoles: JSON.stringify([{ roleArn: "arn:aws:iam::444444444444:role/mlz-deploy", sessionName: "mlz-ml" }]),
};

function simulator() {
  const { simulator } = createSimulator({ defaultAccount: "111111111111", stackOutputs: () => undefined }, "ml-landing-zone", "ml");
  const provider = simulator.newResource({ type: "pulumi:providers:aws", name: "account", inputs: PROVIDER_INPUTS, custom: true }) as { id: string };
  const ref = `urn:pulumi:ml::ml-landing-zone::pulumi:providers:aws::account::${provider.id}`;
  return (type: string, name: string, inputs: Record<string, unknown> = {}) =>
    simulator.newResource({ type, name, inputs, provider: ref, custom: true }) as { id: string; state: Record<string, any> };
}

describe("simulated AWS: language pipeline types", () => {
  it("answers a recognizer with its version ARN", () => {
    const r = simulator()("aws:comprehend/entityRecognizer:EntityRecognizer", "entities-v1", { name: "legal-entities", versionName: "v-2026-11-20" });
    assert.equal(r.state.arn, "arn:aws:comprehend:us-east-1:444444444444:entity-recognizer/legal-entities/version/v-2026-11-20");
    assert.equal(r.id, r.state.arn);
  });

  it("answers EventBridge rules, alarms and log resource policies in their formats", () => {
    const declare = simulator();
    assert.equal(declare("aws:cloudwatch/eventRule:EventRule", "failed", { name: "mlz-failed" }).state.arn, "arn:aws:events:us-east-1:444444444444:rule/mlz-failed");
    assert.equal(declare("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", { name: "a" }).state.arn, "arn:aws:cloudwatch:us-east-1:444444444444:alarm:a");
    assert.equal(declare("aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "p", { policyName: "mlz-p" }).id, "mlz-p");
  });

  it("answers the model policy and the imported copy (dynamic resources) by kind", () => {
    const declare = simulator();
    const copy = declare("pulumi-nodejs:dynamic:Resource", "copy", {
      kind: "mlz:comprehend:ImportedModel", region: "us-east-1", assumeRoleArn: "arn:aws:iam::555555555555:role/mlz-deploy",
      sourceModelArn: "arn:aws:comprehend:us-east-1:444444444444:entity-recognizer/legal-entities/version/v1", modelName: "legal-entities", versionName: "v1",
    });
    assert.equal(copy.state.modelArn, "arn:aws:comprehend:us-east-1:555555555555:entity-recognizer/legal-entities/version/v1");
    const policy = declare("pulumi-nodejs:dynamic:Resource", "policy", { kind: "mlz:comprehend:ModelPolicy", region: "us-east-1", resourceArn: "arn:aws:comprehend:us-east-1:444444444444:entity-recognizer/legal-entities/version/v1", policy: "{}" });
    assert.equal(policy.id, "arn:aws:comprehend:us-east-1:444444444444:entity-recognizer/legal-entities/version/v1");
    assert.match(policy.state.policyRevisionId, /^[0-9a-f]{32}$/);
  });
});
