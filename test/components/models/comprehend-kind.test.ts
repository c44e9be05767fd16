import { strict as assert } from "node:assert";
import { parseComprehendVersionArn, parseModelVersionArn } from "../../../components/models/arns";
import { computeGrants, MODEL_ACTIONS, ROLE_GRANTED_KINDS } from "../../../components/models/grants";

const V1 = "arn:aws:comprehend:us-east-1:444444444444:entity-recognizer/legal-entities/version/v-20261120";
const V2 = "arn:aws:comprehend:us-east-1:444444444444:entity-recognizer/legal-entities/version/v-20261201";

describe("Comprehend recognizer versions as a model kind", () => {
  it("parses recognizer-version ARNs and refuses other shapes", () => {
    assert.deepEqual(parseComprehendVersionArn(V1), {
      kind: "comprehend", arn: V1, partition: "aws", region: "us-east-1", account: "444444444444", recognizer: "legal-entities", version: "v-20261120",
    });
    assert.equal(parseModelVersionArn(V1).kind, "comprehend");
    assert.throws(() => parseModelVersionArn("arn:aws:comprehend:us-east-1:444444444444:entity-recognizer/legal-entities", "comprehend"),
      /expected a Comprehend entity-recognizer version ARN \(arn:aws:comprehend:<region>:<12-digit account>:entity-recognizer\/<name>\/version\/<version>\)/);
    assert.throws(() => parseModelVersionArn("arn:aws:sagemaker:us-east-1:444444444444:model/x", "comprehend"), /expected a Comprehend entity-recognizer version ARN .* \(service 'sagemaker'\)/);
    assert.throws(() => parseModelVersionArn(V1, "rekognition"), /expected a Rekognition project-version ARN .* \(service 'comprehend'\)/);
  });

  it("grants ImportModel on the version to the environments using it (config ∪ live), outside the model-access role", () => {
    const plan = computeGrants([
      { env: "qa", configured: { "legal-entities": { kind: "comprehend", versionArn: V2 } }, live: { "legal-entities": V1 } },
      { env: "prod", configured: { "legal-entities": { kind: "comprehend", versionArn: V1 } } },
    ]);
    assert.deepEqual(plan.environments.qa.map((g) => [g.versionArn, g.action, g.resource, g.sources]), [
      [V1, "comprehend:ImportModel", V1, ["live"]],
      [V2, "comprehend:ImportModel", V2, ["config"]],
    ]);
    assert.deepEqual(plan.referenced.map((r) => [r.versionArn, r.environments]), [[V1, ["prod", "qa"]], [V2, ["qa"]]]);
    assert.equal(MODEL_ACTIONS.comprehend, "comprehend:ImportModel");
    assert.ok(!ROLE_GRANTED_KINDS.includes("comprehend"));
  });
});
