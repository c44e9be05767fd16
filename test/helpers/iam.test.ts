import { strict as assert } from "node:assert";
import { assertGrants, grants, grantsOf } from "./iam";

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

  it("compares NotResource, NotPrincipal and unknown keys too, and a document's Version", () => {
    assert.notDeepEqual(grantsOf({ Statement: [{ Effect: "Deny", NotResource: "arn:aws:s3:::a" }] }), grantsOf({ Statement: [{ Effect: "Deny", NotResource: "arn:aws:s3:::b" }] }));
    assert.notDeepEqual(grantsOf({ Statement: [{ Effect: "Deny", NotPrincipal: { AWS: "a" } }] }), grantsOf({ Statement: [{ Effect: "Deny" }] }));
    assert.notDeepEqual(grantsOf({ Statement: [{ Effect: "Allow", Actions: "s3:*" }] }), grantsOf({ Statement: [{ Effect: "Allow" }] }));
    assertGrants({ Version: "2012-10-17", Statement: [{ ...doc.Statement[0], Sid: "X" }] }, { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "arn:aws:s3:::b/*" }] });
    assert.throws(() => assertGrants({ Version: "2008-10-17", Statement: doc.Statement }, { Version: "2012-10-17", Statement: doc.Statement }));
    assert.throws(() => assertGrants(doc, [{ ...doc.Statement[0], Action: "s3:*" }]));
  });
});
