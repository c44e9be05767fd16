import { strict as assert } from "node:assert";
import { candidateEndpointName, endpointNameForModelArn } from "../../../components/models/arns";

const ML = "444444444444";

describe("candidateEndpointName", () => {
  it("is mlz-<model>-candidate, fixed per model", () => {
    assert.equal(candidateEndpointName("bikeshare-classifier"), "mlz-bikeshare-classifier-candidate");
    assert.equal(candidateEndpointName("b"), "mlz-b-candidate");
    // 4 + 49 + 10 = 63: still the plain form.
    assert.equal(candidateEndpointName("m".repeat(49)), `mlz-${"m".repeat(49)}-candidate`);
  });

  it("cuts a long model key to 63 characters with a stable hash, keeping -candidate", () => {
    const long = candidateEndpointName("m".repeat(50));
    assert.equal(long.length, 63);
    assert.match(long, /^mlz-m{40}-[0-9a-f]{8}-candidate$/);
    assert.equal(candidateEndpointName("m".repeat(50)), long);
    const longest = candidateEndpointName(`a${"-b".repeat(31)}`);
    assert.ok(longest.length <= 63, longest);
    assert.match(longest, /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, "a valid SageMaker endpoint name");
    // Keys sharing their first 40 characters still get different names.
    assert.notEqual(candidateEndpointName(`${"m".repeat(50)}-a`), candidateEndpointName(`${"m".repeat(50)}-b`));
  });

  it("differs from the endpoint of any version the model's training runs produce", () => {
    const version = `arn:aws:sagemaker:us-east-1:${ML}:model/bikeshare-classifier-20261101101500`;
    assert.equal(endpointNameForModelArn(version), "mlz-bikeshare-classifier-20261101101500");
    assert.notEqual(endpointNameForModelArn(version), candidateEndpointName("bikeshare-classifier"));
  });

  it("refuses what is not a model key", () => {
    for (const bad of ["Bikes", "", "1bikes", "bikes_classifier", "m".repeat(64)]) {
      assert.throws(() => candidateEndpointName(bad), {
        message: `expected a model key (1-63 lowercase letters, digits or '-', starting with a letter); got ${JSON.stringify(bad)}`,
      });
    }
  });
});
