import { strict as assert } from "node:assert";
import * as crypto from "node:crypto";
import { bundleFunction } from "../../../../components/lambda/bundle";
import { nativeModules } from "../../../../components/lambda/native-packages";
import { basicSimulator, ofType, only, parseJsonInput, promiseOf, recordProgram } from "../../../helpers/pulumi";
import { ImageNormalization, resolveImageNormalizationArgs, type ImageNormalizationArgs } from "../../../../components/pipelines/images/image-normalization";
import { assertGrants } from "../../../helpers/iam";

const BUCKET = "mlz-raw-images-333333333333";
const ML_ROLE = "arn:aws:iam::444444444444:role/mlz-training";
const ML_ROLE_2 = "arn:aws:iam::444444444444:role/mlz-training-gpu";
const LOCAL_ROLE = "arn:aws:iam::333333333333:role/lakehouse-trainer";
const ORG = "o-abc123def4";
const KEY_ARN = "arn:aws:kms:us-east-1:333333333333:key/0f1e2d3c";
const FN_ARN = "arn:aws:lambda:us-east-1:333333333333:function:images-normalizer";
const AP_ARN = "arn:aws:s3:us-east-1:333333333333:accesspoint/mlz-raw-images";
const QUEUE_ARN = "arn:aws:sqs:us-east-1:333333333333:images-failures";
const OLAP_ARN = "arn:aws:s3-object-lambda:us-east-1:333333333333:accesspoint/mlz-normalized-images";

const simulator = basicSimulator({
  outputs: (a) => {
    const i = a.inputs as Record<string, string>;
    if (a.type === "aws:s3/bucket:Bucket") return { arn: `arn:aws:s3:::${i.bucket}`, id: i.bucket, bucket: i.bucket };
    if (a.type === "aws:kms/key:Key") return { arn: KEY_ARN };
    if (a.type === "aws:lambda/function:Function") return { arn: FN_ARN, name: "images-normalizer" };
    if (a.type === "aws:s3/accessPoint:AccessPoint") return { arn: AP_ARN };
    if (a.type === "aws:s3control/objectLambdaAccessPoint:ObjectLambdaAccessPoint") return { arn: OLAP_ARN };
    if (a.type === "aws:sqs/queue:Queue") return { arn: QUEUE_ARN };
    return undefined;
  },
});

const base: ImageNormalizationArgs = {
  mode: "on-upload",
  bucketName: BUCKET,
  trainingRoleArns: [ML_ROLE],
  accountId: "333333333333",
  organizationId: ORG,
  region: "us-east-1",
};

const run = (args: Partial<ImageNormalizationArgs>) =>
  recordProgram(() => new ImageNormalization("images", { ...base, ...args }), { simulator });

/** Code hash of the normalizer: its bundle (sharp external) and the locked sharp packages of `arch`. */
function expectedCodeHash(arch: "arm64" | "x86_64"): string {
  const native = nativeModules(["sharp"], arch);
  const bundle = bundleFunction("image-normalizer", { external: ["sharp"] });
  return crypto.createHash("sha256").update(bundle.sha256).update(native.sha256).digest("base64");
}

const grantCondition = (arns: string | string[]) => ({ ArnEquals: { "aws:PrincipalArn": arns }, StringEquals: { "aws:PrincipalOrgID": ORG } });

describe("ImageNormalization component", () => {
  it("validates args before declaring anything", async () => {
    const bad: [Partial<ImageNormalizationArgs>, RegExp][] = [
      [{ mode: "batch" as never }, /\[mode\] must be one of object-lambda, on-upload; got 'batch'/],
      [{ trainingRoleArns: [] }, /\[trainingRoleArns\] must name at least one IAM role ARN/],
      [{ trainingRoleArns: ["arn:aws:iam::444444444444:user/bob"] }, /\[trainingRoleArns\] must hold IAM role ARNs .*got 'arn:aws:iam::444444444444:user\/bob'/],
      [{ trainingRoleArns: [ML_ROLE, ML_ROLE] }, /\[trainingRoleArns\] must not repeat a role/],
      [{ rawPrefix: "raw" }, /\[rawPrefix\] must be a key prefix ending in '\/'/],
      [{ derivedPrefix: "raw/normalized/" }, /\[derivedPrefix\] must not overlap \[rawPrefix\]/],
      [{ mode: "object-lambda", timeoutSeconds: 61 }, /\[timeoutSeconds\] must be a whole number from 1 to 60 in mode object-lambda; got 61/],
      [{ objectLambdaAccessPointName: "Normalized" }, /\[objectLambdaAccessPointName\] must be 3–45/],
      [{ memoryMb: 64 }, /\[memoryMb\] must be a whole number from 128 to 10240; got 64/],
      [{ maxInputBytes: 0 }, /\[maxInputBytes\] must be a whole number ≥ 1; got 0/],
      [{ trainingRoleArns: ["arn:aws-cn:iam::444444444444:role/x"] }, /\[trainingRoleArns\] must be in partition 'aws'/],
    ];
    for (const [args, message] of bad) {
      assert.throws(() => resolveImageNormalizationArgs({ ...base, ...args }), message);
      await assert.rejects(run(args), message);
    }
  });

  describe("on-upload", () => {
    it("declares key, bucket, function, S3 permission and notification, and no access points", async () => {
      const { resources } = await run({});
      const custom = resources.filter((r) => r.custom).map((r) => `${r.type} ${r.name}`).sort();
      assert.deepEqual(custom, [
        "aws:cloudwatch/logGroup:LogGroup images-normalizer-logs",
        "aws:iam/role:Role images-normalizer-role",
        "aws:iam/rolePolicy:RolePolicy images-normalizer-permissions",
        "aws:kms/key:Key images-key",
        "aws:lambda/function:Function images-normalizer-function",
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig images-async",
        "aws:lambda/permission:Permission images-s3-invoke",
        "aws:s3/bucket:Bucket images-bucket-bucket",
        "aws:s3/bucketNotification:BucketNotification images-notification",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls images-bucket-ownership",
        "aws:s3/bucketPolicy:BucketPolicy images-bucket-policy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock images-bucket-public-access-block",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration images-bucket-encryption",
        "aws:s3/bucketVersioning:BucketVersioning images-bucket-versioning",
        "aws:sqs/queue:Queue images-failures",
      ]);
      const queue = only(resources, "aws:sqs/queue:Queue");
      assert.deepEqual(queue.inputs, { sqsManagedSseEnabled: true, messageRetentionSeconds: 1209600 });
      const invokeConfig = only(resources, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
      assert.deepEqual(invokeConfig.inputs, { functionName: "images-normalizer", maximumRetryAttempts: 2, destinationConfig: { onFailure: { destination: QUEUE_ARN } } });
      const notification = only(resources, "aws:s3/bucketNotification:BucketNotification");
      assert.deepEqual(notification.inputs.lambdaFunctions, [{ lambdaFunctionArn: FN_ARN, events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"], filterPrefix: "raw/" }]);
      assert.equal(notification.inputs.bucket, BUCKET);
      const permission = only(resources, "aws:lambda/permission:Permission");
      assert.ok(notification.dependencies.includes(permission.urn), "the notification waits for the invoke permission");
      assert.deepEqual(permission.inputs, { function: "images-normalizer", action: "lambda:InvokeFunction", principal: "s3.amazonaws.com", sourceArn: `arn:aws:s3:::${BUCKET}`, sourceAccount: "333333333333" });
    });

    it("the function: arm64, sharp shipped, on-upload environment, least privilege", async () => {
      const { resources } = await run({ memoryMb: 1536, maxInputBytes: 10_000_000 });
      const fn = only(resources, "aws:lambda/function:Function");
      assert.deepEqual(fn.inputs.architectures, ["arm64"]);
      assert.equal(fn.inputs.memorySize, 1536);
      assert.equal(fn.inputs.timeout, 30);
      assert.deepEqual((fn.inputs.environment as any).variables, {
        MODE: "on-upload", MAX_INPUT_BYTES: "10000000", MAX_INPUT_PIXELS: "40000000",
        SOURCE_BUCKET: BUCKET, RAW_PREFIX: "raw/", DERIVED_BUCKET: BUCKET, DERIVED_PREFIX: "normalized/",
      });
      // The mocks carry no archive contents: the code hash proves what ships (the bundle with sharp
      // external, plus the locked linux-arm64 packages).
      assert.equal(fn.inputs.sourceCodeHash, expectedCodeHash("arm64"));
      const policy = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy"), "policy");
      assertGrants(policy.Statement.slice(1), [
        { Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: `arn:aws:s3:::${BUCKET}/raw/*` },
        { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `arn:aws:s3:::${BUCKET}/normalized/*` },
        { Effect: "Allow", Action: ["s3:ListBucket"], Resource: `arn:aws:s3:::${BUCKET}` },
        { Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: KEY_ARN },
        { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: QUEUE_ARN },
      ]);
    });

    it("the x86_64 architecture ships the linux-x64 binaries", async () => {
      const { resources } = await run({ architecture: "x86_64" });
      const fn = only(resources, "aws:lambda/function:Function");
      assert.deepEqual(fn.inputs.architectures, ["x86_64"]);
      assert.equal(fn.inputs.sourceCodeHash, expectedCodeHash("x86_64"));
      assert.notEqual(expectedCodeHash("x86_64"), expectedCodeHash("arm64"));
    });

    it("bucket policy: exactly the training roles list and read the derived prefix, one statement per account", async () => {
      const { resources } = await run({ trainingRoleArns: [ML_ROLE_2, LOCAL_ROLE, ML_ROLE] });
      const policy = parseJsonInput(only(resources, "aws:s3/bucketPolicy:BucketPolicy"), "policy");
      assertGrants([policy.Statement[0]], [{
        Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } },
      }], "TLS only");
      assertGrants(policy.Statement.slice(1), [
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::333333333333:root" }, Action: ["s3:ListBucket"], Resource: `arn:aws:s3:::${BUCKET}`,
          Condition: { StringLike: { "s3:prefix": ["normalized/", "normalized/*"] }, ...grantCondition(LOCAL_ROLE) } },
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::444444444444:root" }, Action: ["s3:ListBucket"], Resource: `arn:aws:s3:::${BUCKET}`,
          Condition: { StringLike: { "s3:prefix": ["normalized/", "normalized/*"] }, ...grantCondition([ML_ROLE, ML_ROLE_2]) } },
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::333333333333:root" }, Action: ["s3:GetObject"], Resource: `arn:aws:s3:::${BUCKET}/normalized/*`, Condition: grantCondition(LOCAL_ROLE) },
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::444444444444:root" }, Action: ["s3:GetObject"], Resource: `arn:aws:s3:::${BUCKET}/normalized/*`, Condition: grantCondition([ML_ROLE, ML_ROLE_2]) },
      ]);
    });

    it("key policy: the account administers, the training roles decrypt through S3 only", async () => {
      const { resources } = await run({});
      const policy = parseJsonInput(only(resources, "aws:kms/key:Key"), "policy");
      assertGrants(policy.Statement, [
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::333333333333:root" }, Action: "kms:*", Resource: "*" },
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::444444444444:root" }, Action: ["kms:Decrypt"], Resource: "*",
          Condition: { ArnEquals: { "aws:PrincipalArn": ML_ROLE }, StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com", "aws:PrincipalOrgID": ORG } } },
      ]);
      const sse = only(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
      assert.equal((sse.inputs.rules as any)[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, KEY_ARN);
    });
  });

  describe("object-lambda", () => {
    it("declares a supporting access point, the Object Lambda access point and its policy, and invoke permissions per caller account", async () => {
      const { resources } = await run({ mode: "object-lambda", trainingRoleArns: [ML_ROLE, LOCAL_ROLE] });
      assert.equal(ofType(resources, "aws:s3/bucketNotification:BucketNotification").length, 0);
      assert.equal(ofType(resources, "aws:sqs/queue:Queue").length, 0, "Object Lambda invokes synchronously: no failure queue");
      const ap = only(resources, "aws:s3/accessPoint:AccessPoint");
      assert.equal(ap.inputs.bucket, BUCKET);
      assert.equal(ap.inputs.name, "mlz-raw-images");
      assert.deepEqual(ap.inputs.publicAccessBlockConfiguration, { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
      assertGrants(parseJsonInput(ap, "policy").Statement, [
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::333333333333:root" }, Action: ["s3:GetObject"], Resource: `${AP_ARN}/object/raw/*`,
          Condition: { "ForAnyValue:StringEquals": { "aws:CalledVia": ["s3-object-lambda.amazonaws.com"] }, ...grantCondition(LOCAL_ROLE) } },
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::444444444444:root" }, Action: ["s3:GetObject"], Resource: `${AP_ARN}/object/raw/*`,
          Condition: { "ForAnyValue:StringEquals": { "aws:CalledVia": ["s3-object-lambda.amazonaws.com"] }, ...grantCondition(ML_ROLE) } },
      ]);
      const olap = only(resources, "aws:s3control/objectLambdaAccessPoint:ObjectLambdaAccessPoint");
      assert.deepEqual(olap.inputs, {
        name: "mlz-normalized-images",
        configuration: { supportingAccessPoint: AP_ARN, transformationConfigurations: [{ actions: ["GetObject"], contentTransformation: { awsLambda: { functionArn: FN_ARN } } }] },
      });
      const olapPolicy = only(resources, "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy");
      assert.equal(olapPolicy.inputs.name, "mlz-normalized-images");
      assertGrants(parseJsonInput(olapPolicy, "policy").Statement, [
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::333333333333:root" }, Action: ["s3-object-lambda:GetObject"], Resource: OLAP_ARN, Condition: grantCondition(LOCAL_ROLE) },
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::444444444444:root" }, Action: ["s3-object-lambda:GetObject"], Resource: OLAP_ARN, Condition: grantCondition(ML_ROLE) },
      ]);
      const permissions = ofType(resources, "aws:lambda/permission:Permission").map((p) => [p.name, p.inputs]);
      assert.deepEqual(permissions, [
        ["images-invoke-333333333333", { function: "images-normalizer", action: "lambda:InvokeFunction", principal: "333333333333" }],
        ["images-invoke-444444444444", { function: "images-normalizer", action: "lambda:InvokeFunction", principal: "444444444444" }],
      ]);
    });

    it("the bucket delegates raw reads to exactly its supporting access point", async () => {
      const { resources } = await run({ mode: "object-lambda" });
      const policy = parseJsonInput(only(resources, "aws:s3/bucketPolicy:BucketPolicy"), "policy");
      assertGrants(policy.Statement.slice(1), [{
        Effect: "Allow", Principal: { AWS: "*" }, Action: ["s3:GetObject"], Resource: `arn:aws:s3:::${BUCKET}/raw/*`,
        Condition: { StringEquals: { "s3:DataAccessPointArn": AP_ARN, "s3:DataAccessPointAccount": "333333333333" } },
      }]);
    });

    it("the function may only answer its Object Lambda access point; its environment has no bucket", async () => {
      const { resources } = await run({ mode: "object-lambda" });
      const policy = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy"), "policy");
      assertGrants(policy.Statement.slice(1), [{ Effect: "Allow", Action: ["s3-object-lambda:WriteGetObjectResponse"], Resource: OLAP_ARN }]);
      const fn = only(resources, "aws:lambda/function:Function");
      assert.deepEqual((fn.inputs.environment as any).variables, { MODE: "object-lambda", MAX_INPUT_BYTES: "52428800", MAX_INPUT_PIXELS: "40000000" });
    });
  });

  describe("the training roles' own IAM policy (trainingRolePolicy)", () => {
    /** The published document, and the resources the run declared. */
    async function readerPolicy(args: Partial<ImageNormalizationArgs>) {
      const { result, resources } = await run(args);
      return { doc: JSON.parse(await promiseOf(result.trainingRolePolicy)), resources };
    }

    it("on-upload: lists and reads the derived prefix and decrypts through S3, as the bucket and key policies grant", async () => {
      const { doc, resources } = await readerPolicy({ derivedPrefix: "gray/" });
      assertGrants(doc, { Version: "2012-10-17", Statement: [
        { Effect: "Allow", Action: ["s3:ListBucket"], Resource: `arn:aws:s3:::${BUCKET}`, Condition: { StringLike: { "s3:prefix": ["gray/", "gray/*"] } } },
        { Effect: "Allow", Action: ["s3:GetObject"], Resource: `arn:aws:s3:::${BUCKET}/gray/*` },
        { Effect: "Allow", Action: ["kms:Decrypt"], Resource: KEY_ARN, Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } } },
      ] });
      // The same actions on the same resources as the grants on the lakehouse side.
      const grants = parseJsonInput(only(resources, "aws:s3/bucketPolicy:BucketPolicy"), "policy").Statement.slice(1);
      assert.deepEqual(grants.map((g: any) => [g.Action, g.Resource]), doc.Statement.slice(0, 2).map((g: any) => [g.Action, g.Resource]));
    });

    it("object-lambda: the Object Lambda access point, the supporting access point and the function via Object Lambda, and the key", async () => {
      const { doc, resources } = await readerPolicy({ mode: "object-lambda" });
      const viaObjectLambda = { "ForAnyValue:StringEquals": { "aws:CalledVia": ["s3-object-lambda.amazonaws.com"] } };
      assertGrants(doc.Statement, [
        { Effect: "Allow", Action: ["s3-object-lambda:GetObject"], Resource: OLAP_ARN },
        { Effect: "Allow", Action: ["s3:GetObject"], Resource: `${AP_ARN}/object/raw/*`, Condition: viaObjectLambda },
        { Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [FN_ARN, `${FN_ARN}:*`], Condition: viaObjectLambda },
        { Effect: "Allow", Action: ["kms:Decrypt"], Resource: KEY_ARN, Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } } },
      ]);
      const ap = parseJsonInput(only(resources, "aws:s3/accessPoint:AccessPoint"), "policy").Statement[0];
      const olap = parseJsonInput(only(resources, "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy"), "policy").Statement[0];
      assert.deepEqual([olap.Action, olap.Resource], [doc.Statement[0].Action, doc.Statement[0].Resource]);
      assert.deepEqual([ap.Action, ap.Resource], [doc.Statement[1].Action, doc.Statement[1].Resource]);
      assert.ok(ofType(resources, "aws:lambda/permission:Permission").every((p) => p.inputs.action === "lambda:InvokeFunction"));
    });
  });
});
