import { strict as assert } from "node:assert";
import { normalizedImagesConfigSchema, roleNameOf } from "../../../stacks/parts/normalized-images";

describe("ML stack part: normalized image readers", () => {
  it("takes the role name from a role ARN, paths included", () => {
    assert.equal(roleNameOf("arn:aws:iam::444444444444:role/mlz-rekognition-trainer"), "mlz-rekognition-trainer");
    assert.equal(roleNameOf("arn:aws:iam::444444444444:role/teams/vision/trainer"), "trainer");
    assert.throws(() => roleNameOf("arn:aws:iam::444444444444:user/bob"), /expected an IAM role ARN; got 'arn:aws:iam::444444444444:user\/bob'/);
  });

  it("needs the lakehouse stack as a full stack reference name; off when absent", () => {
    assert.deepEqual(normalizedImagesConfigSchema.parse({ normalizedImages: { lakehouseStack: "example-org/ml-landing-zone/lakehouse" } }),
      { normalizedImages: { lakehouseStack: "example-org/ml-landing-zone/lakehouse" } });
    assert.deepEqual(normalizedImagesConfigSchema.parse({}), {});
    assert.equal(normalizedImagesConfigSchema.safeParse({ normalizedImages: { lakehouseStack: "lakehouse" } }).success, false);
    assert.equal(normalizedImagesConfigSchema.safeParse({ normalizedImages: { lakehouseStack: "a/b/c", extra: 1 } }).success, false);
  });
});
