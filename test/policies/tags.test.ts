import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { requiredTags } from "../../policies/tags";
import { TAGGABLE_TYPES } from "../../policies/taggable-types";
import { awsProvider, resourceMessages, runResourcePolicy, STANDARD_TAGS } from "./util";

describe("policies/tags", () => {
  describe("required-tags", () => {
    it("passes a resource tagged through its provider's default tags", async () => {
      assert.deepEqual(await resourceMessages(requiredTags, aws.s3.Bucket, { bucket: "b" }, { provider: awsProvider(STANDARD_TAGS) }), []);
    });
    it("passes a resource carrying the tags itself", async () => {
      assert.deepEqual(await resourceMessages(requiredTags, aws.iam.Role, { assumeRolePolicy: "{}", tags: STANDARD_TAGS }), []);
    });
    it("reports tags missing from both (own tags complete the provider's)", async () => {
      const provider = awsProvider({ environment: "prod" });
      assert.deepEqual(await resourceMessages(requiredTags, aws.s3.Bucket, { bucket: "b", tags: { owner: " " } }, { provider }), [
        "Resource must carry the tags environment, owner, pipeline (own tags or provider defaultTags); missing owner, pipeline.",
      ]);
      assert.deepEqual(await resourceMessages(requiredTags, aws.s3.Bucket, { bucket: "b", tags: { owner: "o", pipeline: "p" } }, { provider }), []);
    });
    it("uses the configured tag keys", async () => {
      const messages = await resourceMessages(requiredTags, aws.s3.Bucket, { bucket: "b" }, { provider: awsProvider(STANDARD_TAGS), options: { tags: ["cost-center"] } });
      assert.deepEqual(messages, ["Resource must carry the tags cost-center (own tags or provider defaultTags); missing cost-center."]);
    });
    it("is not applicable to resources that take no tags", async () => {
      const outcome = await runResourcePolicy(requiredTags, aws.s3.BucketPolicy, { bucket: "b", policy: "{}" });
      assert.deepEqual(outcome, { violations: [], notApplicable: "'aws:s3/bucketPolicy:BucketPolicy' does not accept tags" });
    });
    it("knows the taggable types of @pulumi/aws v7", () => {
      for (const t of ["aws:s3/bucket:Bucket", "aws:iam/role:Role", "aws:ssm/parameter:Parameter", "aws:organizations/organizationalUnit:OrganizationalUnit"]) {
        assert.ok(TAGGABLE_TYPES.has(t), t);
      }
      for (const t of ["aws:s3/bucketPolicy:BucketPolicy", "aws:iam/rolePolicy:RolePolicy", "aws:organizations/policyAttachment:PolicyAttachment"]) {
        assert.ok(!TAGGABLE_TYPES.has(t), t);
      }
    });
  });
});
