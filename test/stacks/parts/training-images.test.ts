import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { basicSimulator, ofType, only, parseJsonInput, promiseOf, recordProgram } from "../../helpers/pulumi";
import type { StackContext } from "../../../stacks/context";
import { declareTrainingImages, trainingImagesConfigSchema, type TrainingImagesConfig } from "../../../stacks/parts/training-images";

const simulator = basicSimulator({
  outputs: (a) => {
    const inputs = a.inputs as Record<string, string>;
    if (a.type === "aws:s3/bucket:Bucket") return { arn: `arn:aws:s3:::${inputs.bucket}`, id: inputs.bucket };
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
  });
});
