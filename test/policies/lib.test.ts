import * as assert from "node:assert/strict";
import { configOf, effectiveTags, isReadAction, parseDocument, providerDefaultTags, wildcardMatch } from "../../policies/lib";
import { requiredTags } from "../../policies/tags";
import { awsProvider } from "./util";

describe("policies/lib", () => {
  it("matches IAM wildcards, case-insensitively for actions and exactly when asked", () => {
    assert.equal(wildcardMatch("s3:Get*", "s3:getobject"), true);
    assert.equal(wildcardMatch("s3:Get*", "s3:PutObject"), false);
    assert.equal(wildcardMatch("iam:Pass?ole", "iam:PassRole"), true);
    assert.equal(wildcardMatch("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x", false), false);
    assert.equal(wildcardMatch("arn:aws:s3:::a.b", "arn:aws:s3:::aXb"), false);
  });
  it("tells read verbs from writes", () => {
    assert.deepEqual(["s3:GetObject", "ec2:Describe*", "s3:ListBucket", "s3:PutObject", "s3:*", "iam:PassRole"].map(isReadAction), [true, true, true, false, false, false]);
  });
  it("parses documents from JSON strings and objects, and refuses non-documents", () => {
    const doc = { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "s3:GetObject", Resource: "*" } };
    assert.deepEqual(parseDocument(JSON.stringify(doc))?.Statement, [doc.Statement]);
    assert.deepEqual(parseDocument(doc)?.Statement, [doc.Statement]);
    assert.equal(parseDocument("{"), undefined);
    assert.equal(parseDocument({ Version: "2012-10-17" }), undefined);
    assert.equal(parseDocument({ Statement: ["x"] }), undefined);
  });
  it("reads provider default tags from the JSON string @pulumi/aws serializes, own tags winning", () => {
    const provider = awsProvider({ environment: "prod", owner: "a" });
    assert.deepEqual(providerDefaultTags(provider), { environment: "prod", owner: "a" });
    assert.deepEqual(providerDefaultTags({ type: "pulumi:providers:aws", props: { defaultTags: { tags: { owner: "b" } } } }), { owner: "b" });
    assert.deepEqual(providerDefaultTags({ type: "pulumi:providers:kubernetes", props: { defaultTags: "{}" } }), {});
    assert.deepEqual(effectiveTags({ tags: { owner: "c" } }, provider), { environment: "prod", owner: "c" });
  });
  it("fills schema defaults under what getConfig returns (a never-configured server returns {})", () => {
    assert.deepEqual(configOf({ getConfig: <T extends object>() => ({}) as T }, requiredTags), { tags: ["environment", "owner", "pipeline"] });
    assert.deepEqual(configOf({ getConfig: <T extends object>() => ({ tags: ["x"], extra: 1 }) as T }, requiredTags), { tags: ["x"], extra: 1 });
  });
});
