import { strict as assert } from "node:assert";
import { ofType, only, parseJsonInput, promiseOf, recordProgram } from "../../../helpers/pulumi";
import { BikeshareIngestion, deliveryRoleTrust, TRIPS_ERROR_PREFIX, TRIPS_PREFIX, type BikeshareIngestionArgs } from "../../../../components/pipelines/bikeshare/ingestion";
import { ACCOUNT, simulator } from "./sim";
import { actionsOf, assertGrants } from "../../../helpers/iam";

const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ARGS: BikeshareIngestionArgs = { bucketNamePrefix: "example-mlz-ml-bikeshare", accountId: ACCOUNT, region: "us-east-1" };

describe("BikeshareIngestion", () => {
  it("declares three SecureBuckets with the CMK, named from the prefix", async () => {
    const { resources } = await recordProgram(() => new BikeshareIngestion("bikes", ARGS), { simulator });
    const comp = only(resources, "mlz:pipelines:BikeshareIngestion", "bikes");
    const buckets = ofType(resources, "mlz:storage:SecureBucket");
    assert.deepEqual(buckets.map((b) => b.name).sort(), ["bikes-autopilot", "bikes-raw-trips", "bikes-training-sets"]);
    assert.ok(buckets.every((b) => b.parent === comp.urn));
    assert.deepEqual(ofType(resources, "aws:s3/bucket:Bucket").map((b) => b.inputs.bucket).sort(), [
      "example-mlz-ml-bikeshare-autopilot", "example-mlz-ml-bikeshare-raw-trips", "example-mlz-ml-bikeshare-training-sets",
    ]);
    const sse = ofType(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
    assert.equal(sse.length, 3);
    for (const s of sse) assert.deepEqual((s.inputs.rules as any[])[0].applyServerSideEncryptionByDefault, { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY });
    const key = only(resources, "aws:kms/key:Key", "bikes-key");
    assert.equal(key.inputs.enableKeyRotation, true);
    assert.equal(only(resources, "aws:kms/alias:Alias", "bikes-key-alias").inputs.name, "alias/mlz-bikeshare-trips");
  });

  it("uses a given key instead of creating one", async () => {
    const given = "arn:aws:kms:us-east-1:444444444444:key/given";
    const { resources, result } = await recordProgram(() => new BikeshareIngestion("bikes", { ...ARGS, kmsKeyArn: given }), { simulator });
    assert.equal(ofType(resources, "aws:kms/key:Key").length, 0);
    assert.equal(await promiseOf(result.kmsKeyArn), given);
    const stream = only(resources, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream");
    assert.equal((stream.inputs.extendedS3Configuration as any).kmsKeyArn, given);
  });

  it("declares the Firehose stream: extended_s3, date-partitioned prefix, error prefix, SSE, Lambda processor", async () => {
    const { resources, result } = await recordProgram(() => new BikeshareIngestion("bikes", ARGS), { simulator });
    const stream = only(resources, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "bikes-stream");
    assert.equal(stream.inputs.name, "bikeshare-trips");
    assert.equal(stream.inputs.destination, "extended_s3");
    assert.deepEqual(stream.inputs.serverSideEncryption, { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: KEY });
    assert.deepEqual(stream.inputs.extendedS3Configuration, {
      roleArn: `arn:aws:iam::${ACCOUNT}:role/bikes-delivery-role`,
      bucketArn: "arn:aws:s3:::example-mlz-ml-bikeshare-raw-trips",
      prefix: "trips/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/",
      errorOutputPrefix: "trips-errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/",
      bufferingSize: 64,
      bufferingInterval: 300,
      compressionFormat: "UNCOMPRESSED",
      kmsKeyArn: KEY,
      cloudwatchLoggingOptions: { enabled: true, logGroupName: "/aws/kinesisfirehose/bikeshare-trips", logStreamName: "DestinationDelivery" },
      processingConfiguration: {
        enabled: true,
        processors: [{
          type: "Lambda",
          parameters: [{ parameterName: "LambdaArn", parameterValue: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:bikes-transform-function:$LATEST` }],
        }],
      },
    });
    assert.equal(TRIPS_PREFIX, (stream.inputs.extendedS3Configuration as any).prefix);
    assert.match(TRIPS_ERROR_PREFIX, /!\{firehose:error-output-type\}/);
    assert.equal(await promiseOf(result.streamArn), `arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/bikeshare-trips`);
    // The stream waits for its role's permissions.
    const policy = only(resources, "aws:iam/rolePolicy:RolePolicy", "bikes-delivery-permissions");
    assert.ok(stream.dependencies.includes(policy.urn));
  });

  it("passes a non-default transform buffer size to the processor", async () => {
    const { resources } = await recordProgram(() => new BikeshareIngestion("bikes", { ...ARGS, transformBufferSizeMb: 3 }), { simulator });
    const stream = only(resources, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream");
    assert.deepEqual((stream.inputs.extendedS3Configuration as any).processingConfiguration.processors[0].parameters[1], { parameterName: "BufferSizeInMBs", parameterValue: "3" });
  });

  it("bundles the bikeshare-transform function with its own role and nothing but log permissions", async () => {
    const { resources } = await recordProgram(() => new BikeshareIngestion("bikes", ARGS), { simulator });
    const fn = only(resources, "mlz:lambda:NodeFunction", "bikes-transform");
    assert.equal(fn.parent, only(resources, "mlz:pipelines:BikeshareIngestion").urn);
    const lambda = only(resources, "aws:lambda/function:Function", "bikes-transform-function");
    assert.equal(lambda.inputs.memorySize, 1024);
    assert.equal(lambda.inputs.timeout, 120);
    const doc = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "bikes-transform-permissions"), "policy");
    assert.deepEqual(actionsOf(doc.Statement), [["logs:CreateLogStream", "logs:PutLogEvents"]], "its own logs only");
  });

  it("uses the Firehose Developer Guide's documented trust: firehose.amazonaws.com with sts:ExternalId = the account id, nothing else", async () => {
    const { resources } = await recordProgram(
      () => new BikeshareIngestion("bikes", { ...ARGS, region: "cn-north-1", streamName: "trips.v2" }),
      { simulator },
    );
    const trust = parseJsonInput(only(resources, "aws:iam/role:Role", "bikes-delivery-role"), "assumeRolePolicy");
    assert.equal(trust.Statement.length, 1);
    assert.deepEqual(trust.Statement[0].Condition, { StringEquals: { "sts:ExternalId": ACCOUNT } });
    assert.equal(JSON.stringify(trust).includes("aws:SourceArn"), false);
    assert.equal(JSON.stringify(trust).includes("aws:SourceAccount"), false);
    assert.equal(only(resources, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").inputs.name, "trips.v2");
  });

  it("builds the trust statement from the account id alone (deliveryRoleTrust)", () => {
    assert.deepEqual(deliveryRoleTrust("210987654321"), {
      Effect: "Allow",
      Principal: { Service: "firehose.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "sts:ExternalId": "210987654321" } },
    });
  });

  it("gives the delivery role least privilege, statement by statement", async () => {
    const { resources } = await recordProgram(() => new BikeshareIngestion("bikes", ARGS), { simulator });
    const trust = parseJsonInput(only(resources, "aws:iam/role:Role", "bikes-delivery-role"), "assumeRolePolicy");
    assert.deepEqual(trust, {
      Version: "2012-10-17",
      Statement: [{
        Effect: "Allow",
        Principal: { Service: "firehose.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "sts:ExternalId": ACCOUNT } },
      }],
    });
    const doc = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "bikes-delivery-permissions"), "policy");
    assertGrants(doc.Statement, [
      {
        Effect: "Allow",
        Action: ["s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject"],
        Resource: ["arn:aws:s3:::example-mlz-ml-bikeshare-raw-trips", "arn:aws:s3:::example-mlz-ml-bikeshare-raw-trips/*"],
      },
      {
        Effect: "Allow",
        Action: ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"],
        Resource: [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:bikes-transform-function`, `arn:aws:lambda:us-east-1:${ACCOUNT}:function:bikes-transform-function:*`],
      },
      {
        Effect: "Allow",
        Action: "logs:PutLogEvents",
        Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/kinesisfirehose/bikeshare-trips:log-stream:*`,
      },
      {
        Effect: "Allow",
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: KEY,
        Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
      },
    ]);
    // No other bucket is reachable by the delivery role.
    assert.doesNotMatch(JSON.stringify(doc), /training-sets|autopilot/);
  });

  it("validates args before declaring anything", async () => {
    const cases: [Partial<BikeshareIngestionArgs>, string][] = [
      [{ bucketNamePrefix: "Example_Bucket" }, "[bucketNamePrefix] must be 3-49 lowercase letters, digits or single dashes, starting and ending alphanumeric; got 'Example_Bucket'"],
      [{ bucketNamePrefix: "a".repeat(50) }, `[bucketNamePrefix] must be 3-49 lowercase letters, digits or single dashes, starting and ending alphanumeric; got '${"a".repeat(50)}'`],
      [{ streamName: "bad name" }, "[streamName] must be 1-64 letters, digits, '_', '.' or '-'; got 'bad name'"],
      [{ transformBufferSizeMb: 4 }, "[transformBufferSizeMb] must be from 0.2 to 3; got 4"],
      [{ transformTimeoutSeconds: 600 }, "[transformTimeoutSeconds] must be a whole number from 1 to 300; got 600"],
      [{ bufferingSizeMb: 0 }, "[bufferingSizeMb] must be a whole number from 1 to 128; got 0"],
    ];
    for (const [override, message] of cases) {
      await assert.rejects(recordProgram(() => new BikeshareIngestion("bikes", { ...ARGS, ...override }), { simulator }), { message });
    }
  });
});
