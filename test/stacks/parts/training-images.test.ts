import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { basicSimulator, ofType, only, parseJsonInput, promiseOf, recordProgram, type Registration } from "../../helpers/pulumi";
import type { StackContext } from "../../../stacks/context";
import { declareTrainingImages, trainingImagesConfigSchema, type TrainingImagesConfig } from "../../../stacks/parts/training-images";
import type { StackPlan } from "../../../lib/plan-model";
import { stackFilesIn } from "../../../stacks/config";
import { actionsOf, assertGrants, statementNaming } from "../../helpers/iam";
import { TRAINING_BUCKET_READ_ACTIONS, TRAINING_IMAGES_KEY_ACTIONS, TRAINING_IMAGES_READ_ACTIONS } from "../../../components/models/rekognition-trainer-role";
import { examplePlan } from "../../helpers/example-plan";

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
    stackFiles: stackFilesIn(),
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

  it("declares a SecureBucket whose policy grants exactly the ML account's trainer role: list/read images/, write results/", async () => {
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
    // ACLs are disabled, so an ACL condition on writes would protect nothing.
    assert.equal((only(resources, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule as any).objectOwnership, "BucketOwnerEnforced");

    const policy = parseJsonInput(only(resources, "aws:s3/bucketPolicy:BucketPolicy"), "policy");
    const arn = "arn:aws:s3:::mlz-training-images-333333333333";
    const principal = { AWS: "arn:aws:iam::444444444444:root" };
    const trainerOnly = {
      ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::444444444444:role/mlz-rekognition-trainer" },
      StringEquals: { "aws:PrincipalOrgID": "o-abc123def4" },
    };
    const [tls] = policy.Statement;
    assert.deepEqual([tls.Effect, tls.Principal, tls.Action, tls.Condition], ["Deny", "*", "s3:*", { Bool: { "aws:SecureTransport": "false" } }], "TLS only");
    assertGrants(policy.Statement.slice(1), [
      {
        Effect: "Allow",
        Principal: principal,
        Action: "s3:ListBucket",
        Resource: arn,
        Condition: { ...trainerOnly, StringLike: { "s3:prefix": ["images/", "images/*"] } },
      },
      {
        Effect: "Allow",
        Principal: principal,
        Action: ["s3:GetBucketAcl", "s3:GetBucketLocation"],
        Resource: arn,
        Condition: trainerOnly,
      },
      {
        Effect: "Allow",
        Principal: principal,
        Action: ["s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectTagging", "s3:GetObjectVersion"],
        Resource: `${arn}/images/*`,
        Condition: trainerOnly,
      },
      {
        Effect: "Allow",
        Principal: principal,
        Action: "s3:PutObject",
        Resource: `${arn}/results/*`,
        Condition: trainerOnly,
      },
    ]);
    const text = JSON.stringify(policy.Statement.slice(1));
    assert.equal(text.includes("rekognition.amazonaws.com"), false, "no service-principal statement");
    assert.equal(text.includes("s3:x-amz-acl"), false, "no ACL condition on a BucketOwnerEnforced bucket");
    assert.equal(text.includes(`"${arn}/*"`), false, "no statement on every object");
    assert.equal(await promiseOf(result.trainingImagesBucketName), "mlz-training-images-333333333333");
    assert.equal(await promiseOf(result.trainingImagesBucketArn), arn);
    assert.equal(await promiseOf(result.trainingImagesTrainerRoleArn), "arn:aws:iam::444444444444:role/mlz-rekognition-trainer");
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
      assert.equal(key.inputs.description, "SSE-KMS key of the Rekognition training-images bucket; usable by the ML account's trainer role through S3");
      assert.deepEqual(key.inputs.tags, { purpose: "rekognition-training-images" });
      for (const absent of ["multiRegion", "customerMasterKeySpec", "keyUsage", "bypassPolicyLockoutSafetyCheck"]) {
        assert.equal(key.inputs[absent], undefined, absent);
      }
      const alias = only(resources, "aws:kms/alias:Alias", "training-images-key-alias");
      assert.deepEqual([alias.inputs.name, alias.inputs.targetKeyId], ["alias/mlz-training-images", KEY_ID]);
      assert.match(alias.provider ?? "", /::pulumi:providers:aws::account::/);
    });

    it("has a key policy: the account root administers, only the ML account's trainer role uses it, only through S3", () => {
      const policy = parseJsonInput(only(resources, "aws:kms/key:Key"), "policy");
      assert.equal(policy.Version, "2012-10-17");
      assert.equal(policy.Statement.length, 2);
      assertGrants([policy.Statement[0]], [{
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::333333333333:root" },
        Action: "kms:*",
        Resource: "*",
      }]);
      assertGrants([policy.Statement[1]], [{
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::444444444444:root" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: "*",
        Condition: {
          ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::444444444444:role/mlz-rekognition-trainer" },
          StringEquals: { "aws:PrincipalOrgID": "o-abc123def4", "kms:ViaService": "s3.us-east-1.amazonaws.com" },
        },
      }]);
      assert.equal(JSON.stringify(policy).includes("rekognition.amazonaws.com"), false, "no service principal");
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
    assert.deepEqual(policy.Statement.map((st: any) => [st.Principal, st.Condition?.ArnEquals?.["aws:PrincipalArn"], st.Condition?.StringEquals?.["kms:ViaService"]]), [
      [{ AWS: "arn:aws-cn:iam::333333333333:root" }, undefined, undefined],
      [{ AWS: "arn:aws-cn:iam::444444444444:root" }, "arn:aws-cn:iam::444444444444:role/mlz-rekognition-trainer", "s3.cn-north-1.amazonaws.com.cn"],
    ]);
    const bucketPolicy = parseJsonInput(only(resources, "aws:s3/bucketPolicy:BucketPolicy"), "policy");
    for (const st of bucketPolicy.Statement.slice(1)) {
      assert.deepEqual([st.Principal, st.Condition.ArnEquals], [
        { AWS: "arn:aws-cn:iam::444444444444:root" },
        { "aws:PrincipalArn": "arn:aws-cn:iam::444444444444:role/mlz-rekognition-trainer" },
      ], st.Sid);
    }
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
    assert.deepEqual(policy.Statement.slice(1).map((st: any) => st.Resource), [
      "arn:aws:s3:::example-training-images",
      "arn:aws:s3:::example-training-images",
      "arn:aws:s3:::example-training-images/images/*",
      "arn:aws:s3:::example-training-images/results/*",
    ]);
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

describe("training images: the cross-account flow between the lakehouse and ML plans", function () {
  this.timeout(120_000);
  let lakehouse: StackPlan;
  let ml: StackPlan;
  let management: StackPlan;

  before(async () => {
    const org = await examplePlan();
    const planOf = (stack: string) => {
      const found = org.runs.find((r) => r.plan.stack === stack);
      assert.ok(found, `no plan for ${stack}`);
      return found.plan;
    };
    [management, lakehouse, ml] = [planOf("management"), planOf("lakehouse"), planOf("ml")];
  });

  const decode = (v: unknown): any => (typeof v === "string" ? JSON.parse(v) : v);
  const resource = (plan: StackPlan, type: string, name: string) => {
    const found = plan.resources.filter((r) => r.type === type && r.name === name);
    assert.equal(found.length, 1, `${plan.stack}: ${type} ${name}`);
    return found[0];
  };

  it("the lakehouse grants exactly the role the ML stack declares, in the ML account, within the organization", () => {
    const role = resource(ml, "aws:iam/role:Role", "rekognition-trainer-role");
    assert.equal(role.account, ml.account);
    const trainerArn = role.outputs.arn as string;
    assert.match(String(management.outputs.organizationId), /^o-[a-z0-9]{10,32}$/);
    assert.match(String(ml.account), /^\d{12}$/);
    assert.equal(trainerArn, `arn:aws:iam::${ml.account}:role/${role.inputs.name}`);
    assert.equal(ml.outputs.rekognitionTrainerRoleArn, trainerArn);
    assert.equal(lakehouse.outputs.trainingImagesTrainerRoleArn, trainerArn);

    const bucketPolicy = decode(resource(lakehouse, "aws:s3/bucketPolicy:BucketPolicy", "training-images-policy").inputs.policy);
    const grants = bucketPolicy.Statement.filter((s: any) => s.Effect === "Allow");
    // List the images, locate the bucket, read the images, write the results.
    assert.deepEqual(actionsOf(grants), [["s3:ListBucket"], [...TRAINING_BUCKET_READ_ACTIONS].sort(), [...TRAINING_IMAGES_READ_ACTIONS].sort(), ["s3:PutObject"]]);
    const keyPolicy = decode(resource(lakehouse, "aws:kms/key:Key", "training-images-key").inputs.policy);
    // Besides the lakehouse account administering its key, only the trainer uses it.
    const keyGrants = keyPolicy.Statement.filter((s: any) => s.Principal?.AWS !== `arn:aws:iam::${lakehouse.account}:root`);
    assert.deepEqual(actionsOf(keyGrants), [[...TRAINING_IMAGES_KEY_ACTIONS].sort()]);
    for (const s of [...grants, ...keyGrants]) {
      assert.deepEqual(s.Principal, { AWS: `arn:aws:iam::${ml.account}:root` }, s.Sid);
      assert.equal(s.Condition.ArnEquals["aws:PrincipalArn"], trainerArn, s.Sid);
      assert.equal(s.Condition.StringEquals["aws:PrincipalOrgID"], management.outputs.organizationId, s.Sid);
    }
  });

  it("the ML trainer's permissions name the lakehouse's bucket, prefixes and key, and the trust stays inside the ML account", () => {
    const bucketName = lakehouse.outputs.trainingImagesBucketName as string;
    const bucketArn = lakehouse.outputs.trainingImagesBucketArn as string;
    assert.equal(bucketArn, `arn:aws:s3:::${bucketName}`);
    assert.equal(resource(lakehouse, "aws:s3/bucket:Bucket", "training-images-bucket").inputs.bucket, bucketName);
    const doc = decode(resource(ml, "aws:iam/rolePolicy:RolePolicy", "rekognition-trainer-permissions").inputs.policy);
    // The trainer's statements, by what they allow.
    const trainer = {
      list: statementNaming(doc.Statement, "s3:ListBucket"),
      read: statementNaming(doc.Statement, "s3:GetObject"),
      write: statementNaming(doc.Statement, "s3:PutObject"),
      key: statementNaming(doc.Statement, "kms:Decrypt"),
    };
    assert.equal(trainer.list.Resource, bucketArn);
    assert.equal(trainer.read.Resource, `${bucketArn}/images/*`);
    assert.equal(trainer.write.Resource, `${bucketArn}/results/*`);

    // The lakehouse side allows the same object paths the ML side asks for.
    const bucketPolicy = decode(resource(lakehouse, "aws:s3/bucketPolicy:BucketPolicy", "training-images-policy").inputs.policy);
    const lake = {
      list: statementNaming(bucketPolicy.Statement, "s3:ListBucket"),
      read: statementNaming(bucketPolicy.Statement, "s3:GetObject"),
      write: statementNaming(bucketPolicy.Statement, "s3:PutObject"),
    };
    assert.equal(lake.read.Resource, trainer.read.Resource);
    assert.deepEqual(lake.read.Action, trainer.read.Action);
    assert.equal(lake.write.Resource, trainer.write.Resource);
    assert.deepEqual(lake.list.Condition.StringLike, trainer.list.Condition.StringLike);

    // The example ML config names the lakehouse stack, so the ML side reads the key's exact ARN.
    const keyArn = lakehouse.outputs.trainingImagesKmsKeyArn as string;
    assert.match(keyArn, new RegExp(`^arn:aws:kms:${lakehouse.region}:${lakehouse.account}:key/[0-9a-f-]{36}$`));
    assert.equal(trainer.key.Resource, keyArn);
    const keyPolicy = decode(resource(lakehouse, "aws:kms/key:Key", "training-images-key").inputs.policy);
    assert.deepEqual(keyPolicy.Statement[1].Action, trainer.key.Action);
    assert.equal(keyPolicy.Statement[1].Condition.StringEquals["kms:ViaService"], trainer.key.Condition.StringEquals["kms:ViaService"]);

    const trust = decode(resource(ml, "aws:iam/role:Role", "rekognition-trainer-role").inputs.assumeRolePolicy);
    assert.equal(trust.Statement.length, 1);
    assert.deepEqual(trust.Statement[0].Principal, { AWS: `arn:aws:iam::${ml.account}:root` });
    for (const arn of trust.Statement[0].Condition.ArnEquals["aws:PrincipalArn"]) {
      assert.ok(arn.startsWith(`arn:aws:iam::${ml.account}:role/`), arn);
    }
  });
});
