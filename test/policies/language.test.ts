import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { comprehendRecognizerEncrypted, languageDataAccessScoped } from "../../policies/language";
import { resourceMessages, runStackPolicy, type StackResourceSpec } from "./util";

const KEY = "arn:aws:kms:us-east-1:444444444444:key/0d6f2f1e-3c4b-4a59-9e8d-7b6a5c4d3e2f";

function recognizer(overrides: Record<string, unknown> = {}) {
  return {
    name: "legal-entities", versionName: "v1", languageCode: "en", dataAccessRoleArn: "arn:aws:iam::444444444444:role/r",
    inputDataConfig: { entityTypes: [{ type: "Payout" }] }, volumeKmsKeyId: KEY, modelKmsKeyId: KEY, ...overrides,
  };
}

const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "translate.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const GOOD = [
  { Sid: "ReadInput", Effect: "Allow", Action: "s3:GetObject", Resource: ["arn:aws:s3:::b/translate/input/*"] },
  { Sid: "ListInput", Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::b", Condition: { StringLike: { "s3:prefix": ["translate/input/*"] } } },
  { Sid: "WriteOutput", Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/translate/output/*" },
];

function stack(statements: unknown[], trust = TRUST, extra: StackResourceSpec[] = []): StackResourceSpec[] {
  return [
    { cls: aws.iam.Role, name: "translation-data-access", props: { name: "translation-data-access-1a2b3c4", assumeRolePolicy: trust } },
    { cls: aws.iam.RolePolicy, name: "translation-data-access-permissions", props: { name: "p", role: "translation-data-access-1a2b3c4", policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) } },
    ...extra,
  ];
}

describe("policies/language", () => {
  describe("comprehend-recognizer-encrypted", () => {
    it("passes a recognizer with volume and model keys", async () => {
      assert.deepEqual(await resourceMessages(comprehendRecognizerEncrypted, aws.comprehend.EntityRecognizer, recognizer()), []);
    });
    it("flags a missing volume key and a missing model key", async () => {
      assert.deepEqual(await resourceMessages(comprehendRecognizerEncrypted, aws.comprehend.EntityRecognizer, recognizer({ volumeKmsKeyId: undefined })),
        ["Comprehend entity recognizer 'legal-entities' must set volumeKmsKeyId to encrypt its training volumes."]);
      assert.deepEqual(await resourceMessages(comprehendRecognizerEncrypted, aws.comprehend.EntityRecognizer, recognizer({ modelKmsKeyId: undefined })),
        ["Comprehend entity recognizer 'legal-entities' must set modelKmsKeyId to encrypt the trained model."]);
    });
  });

  describe("comprehend-recognizer-encrypted on the training dynamic resource", () => {
    it("passes with a KMS key or alias ARN and flags a missing key or another ARN", async () => {
      const props = { kind: "mlz:comprehend:EntityRecognizerTraining", recognizerName: "legal-entities", kmsKeyArn: KEY };
      assert.deepEqual(await resourceMessages(comprehendRecognizerEncrypted, "pulumi-nodejs:dynamic:Resource", props), []);
      assert.deepEqual(await resourceMessages(comprehendRecognizerEncrypted, "pulumi-nodejs:dynamic:Resource", { ...props, kmsKeyArn: "arn:aws-cn:kms:cn-north-1:444444444444:alias/mlz-entities" }), []);
      for (const kmsKeyArn of [undefined, "arn:aws:kms:us-east-1:444444444444:key/k", "arn:aws:s3:::bucket"]) {
        assert.deepEqual(await resourceMessages(comprehendRecognizerEncrypted, "pulumi-nodejs:dynamic:Resource", { ...props, kmsKeyArn }),
          ["Comprehend entity recognizer 'legal-entities' must be trained with a KMS key (kmsKeyArn) for its volumes and model."]);
      }
    });
  });

  describe("language-data-access-scoped", () => {
    it("passes a role reading and writing exact prefixes", async () => {
      assert.deepEqual((await runStackPolicy(languageDataAccessScoped, stack(GOOD))).violations, []);
    });
    it("flags object access on the whole bucket", async () => {
      const out = await runStackPolicy(languageDataAccessScoped, stack([GOOD[0], GOOD[1], { ...GOOD[2], Resource: "arn:aws:s3:::b/*" }]));
      assert.deepEqual(out.violations.map((v) => v.message), ["Data-access role 'translation-data-access-1a2b3c4' role policy 'p' statement 'WriteOutput' must reach objects under a key prefix (arn:aws:s3:::<bucket>/<prefix>/*) only; got 'arn:aws:s3:::b/*'."]);
    });
    it("flags ListBucket without an s3:prefix condition", async () => {
      const { Condition: _c, ...list } = GOOD[1] as Record<string, unknown>;
      const out = await runStackPolicy(languageDataAccessScoped, stack([GOOD[0], list, GOOD[2]]));
      assert.deepEqual(out.violations.map((v) => v.message), ["Data-access role 'translation-data-access-1a2b3c4' role policy 'p' statement 'ListInput' must limit s3:ListBucket with an s3:prefix condition naming key prefixes."]);
    });
    it("flags s3:* and managed policy attachments", async () => {
      const out = await runStackPolicy(languageDataAccessScoped, stack([{ Sid: "All", Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/in/*" }], TRUST,
        [{ cls: aws.iam.RolePolicyAttachment, name: "a", props: { role: "translation-data-access-1a2b3c4", policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" } }]));
      assert.deepEqual(out.violations.map((v) => v.message).sort(), [
        "Data-access role 'translation-data-access-1a2b3c4' (translate.amazonaws.com) must carry only inline, prefix-scoped permissions; it has 1 managed policy attachment(s).",
        "Data-access role 'translation-data-access-1a2b3c4' role policy 'p' statement 'All' must name S3 actions, not 's3:*'.",
      ]);
    });
    it("does not apply to roles no language service may assume", async () => {
      const lambdaTrust = TRUST.replace("translate.amazonaws.com", "lambda.amazonaws.com");
      const out = await runStackPolicy(languageDataAccessScoped, stack([{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }], lambdaTrust));
      assert.equal(out.notApplicable, "no role that Translate or Comprehend may assume");
    });
  });
});
