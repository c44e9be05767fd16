import { strict as assert } from "node:assert";
import { grants, grantsOf } from "./iam";

describe("test helper grantsOf", () => {
  const doc = { Statement: [{ Sid: "A", Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: "arn:aws:s3:::b/*" }] };
  const expected = grants({ effect: "Allow", actions: ["s3:GetObject", "s3:PutObject"], resources: ["arn:aws:s3:::b/*"] });

  it("ignores the Sid and the order of actions", () => {
    assert.deepEqual(grantsOf({ Statement: [{ ...doc.Statement[0], Sid: "Reworded" }] }), expected);
  });

  it("tells a wider grant apart", () => {
    assert.notDeepEqual(grantsOf({ Statement: [{ ...doc.Statement[0], Action: "s3:*" }] }), expected);
    assert.notDeepEqual(grantsOf({ Statement: [{ ...doc.Statement[0], Resource: "*" }] }), expected);
    assert.notDeepEqual(grantsOf({ Statement: [{ ...doc.Statement[0], Condition: { Bool: { "aws:SecureTransport": "true" } } }] }), grantsOf(doc));
  });
});
