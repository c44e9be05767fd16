import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { basicSimulator, ofType, only, parseJsonInput, promiseOf, recordProgram, type Registration } from "../../helpers/pulumi";
import type { StackContext } from "../../../stacks/context";
import { declareTrainingImages, trainingImagesConfigSchema, type TrainingImagesConfig } from "../../../stacks/parts/training-images";

const KEY_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
const KEY_ARN = `arn:aws:kms:us-east-1:333333333333:key/${KEY_ID}`;

const simulator = basicSimulator({
  outputs: (a) => {
    const inputs = a.inputs as Record<string, string>;
    if (a.type === "aws:s3/bucket:Bucket") return { arn: `arn:aws:s3:::${inputs.bucket}`, id: inputs.bucket };
    if (a.type === "aws:kms/key:Key") return { id: KEY_ID, keyId: KEY_ID, arn: KEY_ARN };
    return undefined;
  },
});

function context(provider: aws.Provider, accountIds: Record<string, string>): StackContext {
  return {
    stack: "lakehouse",
    role: "lakehouse",
    region: "us-east-1",
    partition: "aws",
    accountId: pulumi.output("333333333333"),
    accountIds: pulumi.output(accountIds),
    organizationId: pulumi.output("o-abc123def4"),
    provider,
    tags: { environment: "lakehouse", owner: "platform@example.com", pipeline: "platform" },
  };
}

const ORG_ACCOUNTS = { management: "111111111111", lakehouse: "333333333333", ml: "444444444444" };

async function run(cfg: TrainingImagesConfig, accountIds = ORG_ACCOUNTS) {
  return recordProgram(() => {
    const provider = new aws.Provider("account", { region: "us-east-1" });
    return declareTrainingImages(context(provider, accountIds), cfg);
  }, { simulator, stack: "lakehouse" });
}

describe("training images part (lakehouse stack)", () => {
  it("defaults the config", () => {
    assert.deepEqual(trainingImagesConfigSchema.parse({}), { trainingImages: { mlAccountKey: "ml", forceDestroy: false } });
  });

  it("refuses a bad bucket name naming the key", () => {
    const r = trainingImagesConfigSchema.safeParse({ trainingImages: { bucketName: "Bad_Name" } });
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues.map((i) => [i.path.join("."), i.message]), [
      ["trainingImages.bucketName", "expected an S3 bucket name (3–63 of a-z, 0-9, '.', '-'); got 'Bad_Name'"],
    ]);
  });

  it("declares a SecureBucket whose policy lets only Rekognition acting for the ML account read and write", async () => {
    const { resources, result } = await run(trainingImagesConfigSchema.parse({}));
    const component = only(resources, "mlz:storage:SecureBucket", "training-images");
    const bucket = only(resources, "aws:s3/bucket:Bucket", "training-images-bucket");
    assert.equal(bucket.parent, component.urn);
    assert.equal(bucket.inputs.bucket, "mlz-training-images-333333333333");
    assert.equal(bucket.inputs.forceDestroy, false);
    assert.match(bucket.provider ?? "", /pulumi:providers:aws::account::/);
    assert.deepEqual(only(resources, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration, { status: "Enabled" });
    const pab = only(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
    assert.deepEqual([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets], [true, true, true, true]);

    const policy = parseJsonInput(only(resources, "aws:s3/bucketPolicy:BucketPolicy"), "policy");
    const arn = "arn:aws:s3:::mlz-training-images-333333333333";
    assert.deepEqual(policy.Statement[0].Sid, "DenyInsecureTransport");
    assert.deepEqual(policy.Statement.slice(1), [
      {
        Sid: "RekognitionReadBucket",
        Effect: "Allow",
        Principal: { Service: "rekognition.amazonaws.com" },
        Action: ["s3:GetBucketAcl", "s3:GetBucketLocation"],
        Resource: arn,
        Condition: { StringEquals: { "aws:SourceAccount": "444444444444" } },
      },
      {
        Sid: "RekognitionReadObjects",
        Effect: "Allow",
        Principal: { Service: "rekognition.amazonaws.com" },
        Action: ["s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion", "s3:GetObjectTagging"],
        Resource: `${arn}/*`,
        Condition: { StringEquals: { "aws:SourceAccount": "444444444444" } },
      },
      {
        Sid: "RekognitionWriteResults",
        Effect: "Allow",
        Principal: { Service: "rekognition.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${arn}/*`,
        Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": "444444444444" } },
      },
    ]);
    assert.equal(await promiseOf(result.trainingImagesBucketName), "mlz-training-images-333333333333");
    assert.equal(await promiseOf(result.trainingImagesBucketArn), arn);
  });

  describe("default encryption: a customer-managed key the ML account can use through S3", () => {
    let resources: Registration[];
    let result: Awaited<ReturnType<typeof run>>["result"];

    before(async () => {
      ({ resources, result } = await run(trainingImagesConfigSchema.parse({})));
    });

    it("creates a rotating key with a 30-day deletion window in the lakehouse account, and its alias", () => {
      const key = only(resources, "aws:kms/key:Key", "training-images-key");
      assert.notEqual(key.parent, only(resources, "mlz:storage:SecureBucket").urn, "the key outlives the bucket component: declared beside it");
      assert.match(key.provider ?? "", /::pulumi:providers:aws::account::/);
      assert.equal(key.inputs.enableKeyRotation, true);
      assert.equal(key.inputs.deletionWindowInDays, 30);
      assert.equal(key.inputs.description, "SSE-KMS key of the Rekognition training-images bucket; usable by the ML account through S3 and by Rekognition for it");
      assert.deepEqual(key.inputs.tags, { purpose: "rekognition-training-images" });
      for (const absent of ["multiRegion", "customerMasterKeySpec", "keyUsage", "bypassPolicyLockoutSafetyCheck"]) {
        assert.equal(key.inputs[absent], undefined, absent);
      }
      const alias = only(resources, "aws:kms/alias:Alias", "training-images-key-alias");
      assert.deepEqual([alias.inputs.name, alias.inputs.targetKeyId], ["alias/mlz-training-images", KEY_ID]);
      assert.match(alias.provider ?? "", /::pulumi:providers:aws::account::/);
    });

    it("has a key policy: the account root administers, the ML account uses it only through S3, Rekognition only for the ML account", () => {
      const policy = parseJsonInput(only(resources, "aws:kms/key:Key"), "policy");
      assert.equal(policy.Version, "2012-10-17");
      assert.equal(policy.Statement.length, 3);
      assert.deepEqual(policy.Statement[0], {
        Sid: "AccountAdministersTheKey",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::333333333333:root" },
        Action: "kms:*",
        Resource: "*",
      });
      assert.deepEqual(policy.Statement[1], {
        Sid: "MlAccountUsesTheKeyThroughS3",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::444444444444:root" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
        Resource: "*",
        Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:CallerAccount": "444444444444" } },
      });
      assert.deepEqual(policy.Statement[2], {
        Sid: "RekognitionUsesTheKeyForTheMlAccount",
        Effect: "Allow",
        Principal: { Service: "rekognition.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": "444444444444" } },
      });
      assert.equal(JSON.stringify(policy).includes("555555555555"), false, "no other account");
    });

    it("encrypts the bucket with that key (not aws/s3) and exports its ARN", async () => {
      const sse = only(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
      assert.deepEqual(sse.inputs.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN }, bucketKeyEnabled: true }]);
      assert.equal(await promiseOf(result.trainingImagesKmsKeyArn), KEY_ARN);
    });
  });

  it("builds the key policy for the region and partition of the stack", async () => {
    const { resources } = await recordProgram(() => {
      const provider = new aws.Provider("account", { region: "cn-north-1" });
      const ctx = { ...context(provider, ORG_ACCOUNTS), region: "cn-north-1", partition: "aws-cn" };
      return declareTrainingImages(ctx, trainingImagesConfigSchema.parse({}));
    }, { simulator, stack: "lakehouse" });
    const policy = parseJsonInput(only(resources, "aws:kms/key:Key"), "policy");
    assert.deepEqual(policy.Statement.map((st: any) => [st.Principal, st.Condition?.StringEquals?.["kms:ViaService"]]), [
      [{ AWS: "arn:aws-cn:iam::333333333333:root" }, undefined],
      [{ AWS: "arn:aws-cn:iam::444444444444:root" }, "s3.cn-north-1.amazonaws.com.cn"],
      [{ Service: "rekognition.amazonaws.com" }, undefined],
    ]);
  });

  it("names the missing ML account", async () => {
    await assert.rejects(run(trainingImagesConfigSchema.parse({}), { management: "111111111111", lakehouse: "333333333333" } as typeof ORG_ACCOUNTS), {
      message: /lakehouse: ml-landing-zone:trainingImages.mlAccountKey names 'ml', but the organization has no such account; it has: lakehouse, management/,
    });
  });

  it("uses the configured name, key and force-destroy", async () => {
    const { resources } = await run(trainingImagesConfigSchema.parse({
      trainingImages: { bucketName: "example-training-images", kmsKeyArn: "arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab", forceDestroy: true },
    }));
    const bucket = only(resources, "aws:s3/bucket:Bucket");
    assert.equal(bucket.inputs.bucket, "example-training-images");
    assert.equal(bucket.inputs.forceDestroy, true);
    const sse = only(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
    assert.equal((sse.inputs.rules as any)[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, "arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    const policy = parseJsonInput(only(resources, "aws:s3/bucketPolicy:BucketPolicy"), "policy");
    assert.equal(policy.Statement[1].Resource, "arn:aws:s3:::example-training-images");
    assert.equal(ofType(resources, "aws:s3/bucket:Bucket").length, 1);
    assert.deepEqual(ofType(resources, "aws:kms/key:Key"), [], "an overriding key: none created");
    assert.deepEqual(ofType(resources, "aws:kms/alias:Alias"), []);
  });

  it("exports the overriding key's ARN", async () => {
    const key = "arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const { result } = await run(trainingImagesConfigSchema.parse({ trainingImages: { kmsKeyArn: key } }));
    assert.equal(await promiseOf(result.trainingImagesKmsKeyArn), key);
  });
});
