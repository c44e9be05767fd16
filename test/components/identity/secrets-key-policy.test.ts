import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { recordProgram, only, parseJsonInput } from "../../helpers/pulumi";
import { SecretsKeyPolicy, KEY_ADMINISTRATION_ACTIONS } from "../../../components/identity/secrets-key-policy";
import { assertGrants } from "../../helpers/iam";

const KEY = "arn:aws:kms:us-east-1:222222222222:key/0d6f2f1e-3c4b-4a59-9e8d-7b6a5c4d3e2f";
const deploy = (s: string) => `arn:aws:iam::222222222222:role/mlz-github-deploy-${s}`;
const preview = (s: string) => `arn:aws:iam::222222222222:role/mlz-github-preview-${s}`;

describe("SecretsKeyPolicy", () => {
  it("grants use of the secrets provider's key to exactly the GitHub roles; the account administers it without use", async () => {
    const { resources } = await recordProgram(() => new SecretsKeyPolicy("state-key", {
      keyArn: KEY,
      accountId: pulumi.output("222222222222"),
      writerArns: [deploy("ml"), deploy("qa")],
      readerArns: [preview("ml"), preview("qa")],
      administratorArns: ["arn:aws:iam::111111111111:role/mlz-platform-admin"],
    }));
    const policy = only(resources, "aws:kms/keyPolicy:KeyPolicy");
    assert.equal(policy.inputs.keyId, KEY);
    assertGrants(parseJsonInput(policy, "policy"), {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::222222222222:root" }, Action: KEY_ADMINISTRATION_ACTIONS, Resource: "*" },
        { Effect: "Allow", Principal: { AWS: [deploy("ml"), deploy("qa")] }, Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], Resource: "*" },
        { Effect: "Allow", Principal: { AWS: [preview("ml"), preview("qa")] }, Action: ["kms:Decrypt"], Resource: "*" },
        { Effect: "Allow", Principal: { AWS: ["arn:aws:iam::111111111111:role/mlz-platform-admin"] }, Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], Resource: "*" },
      ],
    });
    for (const a of KEY_ADMINISTRATION_ACTIONS) assert.ok(!/Encrypt|Decrypt|GenerateDataKey/.test(a), a);
  });

  it("refuses an alias, no writer, and a wildcard administrator", async () => {
    const base = { keyArn: KEY, accountId: "222222222222", writerArns: [deploy("ml")] };
    await assert.rejects(recordProgram(() => new SecretsKeyPolicy("k", { ...base, keyArn: "arn:aws:kms:us-east-1:222222222222:alias/mlz-state" })), {
      message: "[keyArn] must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>; not an alias); got 'arn:aws:kms:us-east-1:222222222222:alias/mlz-state'",
    });
    await assert.rejects(recordProgram(() => new SecretsKeyPolicy("k", { ...base, writerArns: [] })), { message: "[writerArns] must name at least one role" });
    await assert.rejects(recordProgram(() => new SecretsKeyPolicy("k", { ...base, administratorArns: ["arn:aws:iam::111111111111:role/*"] })), {
      message: "[administratorArns] must hold exact IAM role or user ARNs (no wildcards); got 'arn:aws:iam::111111111111:role/*'",
    });
  });
});
