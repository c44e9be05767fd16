import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { basicSimulator, ofType, only, parseJsonInput, promiseOf, recordProgram } from "../../helpers/pulumi";
import {
  RekognitionTrainerRole,
  TRAINING_IMAGES_PREFIX,
  validateRekognitionTrainerRoleArgs,
  TRAINING_RESULTS_PREFIX,
  type RekognitionTrainerRoleArgs,
} from "../../../components/models/rekognition-trainer-role";
import { REKOGNITION_TRAINER_ROLE_NAME } from "../../../components/naming";
import { assertGrants, statementNaming } from "../../helpers/iam";

const ML = "444444444444";
const KEY = "arn:aws:kms:us-east-1:333333333333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
const BUCKET = "mlz-training-images-333333333333";
const MLOPS = `arn:aws:iam::${ML}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_MLOps_0123456789abcdef`;
const PIPELINE = `arn:aws:iam::${ML}:role/mlz-training-pipeline`;

const simulator = basicSimulator({
  outputs: (a) => (a.type === "aws:iam/role:Role" ? { arn: `arn:aws:iam::${ML}:role/${(a.inputs as { name: string }).name}` } : undefined),
});

const ARGS: RekognitionTrainerRoleArgs = {
  mlAccountId: ML,
  region: "us-east-1",
  projectNames: ["people-counter", "defect-detector"],
  trainingBucketName: BUCKET,
  trainingKmsKeyArn: KEY,
  trustedPrincipalArns: [MLOPS, PIPELINE],
};

const run = (args: RekognitionTrainerRoleArgs) => recordProgram(() => new RekognitionTrainerRole("trainer", args), { simulator });

describe("RekognitionTrainerRole", () => {
  it("declares mlz-rekognition-trainer trusting only the named principals of the ML account", async () => {
    const { resources, result } = await run({ ...ARGS, mlAccountId: pulumi.output(ML), trainingBucketName: pulumi.output(BUCKET) });
    const component = only(resources, "mlz:models:RekognitionTrainerRole", "trainer");
    const role = only(resources, "aws:iam/role:Role", "trainer-role");
    assert.equal(role.parent, component.urn);
    assert.equal(role.inputs.name, "mlz-rekognition-trainer");
    assert.equal(REKOGNITION_TRAINER_ROLE_NAME, "mlz-rekognition-trainer");
    assert.equal(role.inputs.maxSessionDuration, 3600);
    assert.equal(role.inputs.permissionsBoundary, undefined);
    assertGrants(parseJsonInput(role, "assumeRolePolicy"), {
      Version: "2012-10-17",
      Statement: [{
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ML}:root` },
        Action: "sts:AssumeRole",
        Condition: { ArnEquals: { "aws:PrincipalArn": [MLOPS, PIPELINE] } },
      }],
    });
    assert.equal(await promiseOf(result.arn), `arn:aws:iam::${ML}:role/mlz-rekognition-trainer`);
    assert.equal(await promiseOf(result.roleName), "mlz-rekognition-trainer");
    assert.equal(ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0, "no managed policy");
  });

  it("allows training the named projects, listing and reading images/, writing results/, and the key through S3 only", async () => {
    const { resources } = await run(ARGS);
    const policy = only(resources, "aws:iam/rolePolicy:RolePolicy", "trainer-permissions");
    assert.equal(policy.parent, only(resources, "mlz:models:RekognitionTrainerRole").urn);
    assert.equal(policy.inputs.role, "mlz-rekognition-trainer");
    assert.equal(policy.inputs.name, "train-custom-labels");
    const doc = parseJsonInput(policy, "policy");
    assert.equal(doc.Version, "2012-10-17");
    const bucketArn = `arn:aws:s3:::${BUCKET}`;
    assertGrants(doc.Statement, [
      { Effect: "Allow", Action: "rekognition:DescribeProjects", Resource: "*" },
      {
        Effect: "Allow",
        Action: ["rekognition:CreateProjectVersion", "rekognition:DescribeProjectVersions"],
        Resource: [
          `arn:aws:rekognition:us-east-1:${ML}:project/defect-detector/*`,
          `arn:aws:rekognition:us-east-1:${ML}:project/people-counter/*`,
        ],
      },
      {
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bucketArn,
        Condition: { StringLike: { "s3:prefix": ["images/", "images/*"] } },
      },
      // Custom Labels reads the ACLs of an external bucket and its objects with the caller's permissions.
      { Effect: "Allow", Action: ["s3:GetBucketAcl", "s3:GetBucketLocation"], Resource: bucketArn },
      {
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectTagging", "s3:GetObjectVersion"],
        Resource: `${bucketArn}/images/*`,
      },
      { Effect: "Allow", Action: "s3:PutObject", Resource: `${bucketArn}/results/*` },
      {
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: KEY,
        Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
      },
    ]);
    assert.deepEqual([TRAINING_IMAGES_PREFIX, TRAINING_RESULTS_PREFIX], ["images/", "results/"]);
    // Writes nowhere but results/; no statement reaches the whole bucket's objects.
    const writes = doc.Statement.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith("s3:Put")));
    assert.deepEqual(writes.map((s: any) => s.Resource), [`${bucketArn}/results/*`]);
    assert.equal(JSON.stringify(doc).includes(`${bucketArn}/*`), false);
  });

  it("accepts the lakehouse account's keys of the region (key/*) and builds ARNs for the partition", async () => {
    const { resources } = await run({
      ...ARGS,
      region: "cn-north-1",
      partition: "aws-cn",
      trainingKmsKeyArn: "arn:aws-cn:kms:cn-north-1:333333333333:key/*",
      trustedPrincipalArns: [`arn:aws-cn:iam::${ML}:role/mlz-deploy`],
    });
    const trust = parseJsonInput(only(resources, "aws:iam/role:Role"), "assumeRolePolicy");
    assert.deepEqual(trust.Statement[0].Principal, { AWS: `arn:aws-cn:iam::${ML}:root` });
    assert.deepEqual(trust.Statement[0].Condition, { ArnEquals: { "aws:PrincipalArn": [`arn:aws-cn:iam::${ML}:role/mlz-deploy`] } });
    const doc = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy"), "policy");
    const useKey = statementNaming(doc.Statement, "kms:Decrypt");
    assert.deepEqual(useKey.Resource, "arn:aws-cn:kms:cn-north-1:333333333333:key/*");
    assert.deepEqual(useKey.Condition, { StringEquals: { "kms:ViaService": "s3.cn-north-1.amazonaws.com.cn" } });
    assert.equal(statementNaming(doc.Statement, "s3:GetObject").Resource, `arn:aws-cn:s3:::${BUCKET}/images/*`);
    assert.deepEqual(statementNaming(doc.Statement, "rekognition:CreateProjectVersion").Resource[0], `arn:aws-cn:rekognition:cn-north-1:${ML}:project/defect-detector/*`);
  });

  describe("validates its args before declaring anything", () => {
    const cases: [string, Partial<RekognitionTrainerRoleArgs>, string][] = [
      ["no project", { projectNames: [] }, "[projectNames] must name at least one Rekognition Custom Labels project; got none"],
      ["a bad project name", { projectNames: ["defect detector"] }, "[projectNames] must hold Rekognition project names (letters, digits, '_', '.', '-'); got 'defect detector'"],
      ["a bad account", { mlAccountId: "4444" }, "[mlAccountId] must be a 12-digit AWS account id; got '4444'"],
      ["a bad region", { region: "moon-1" }, "[region] must be an AWS region such as 'us-east-1'; got 'moon-1'"],
      ["a bad partition", { partition: "aws-eu" as "aws" }, "[partition] must be 'aws', 'aws-cn' or 'aws-us-gov'; got 'aws-eu'"],
      ["an alias instead of a key", { trainingKmsKeyArn: "arn:aws:kms:us-east-1:333333333333:alias/mlz-training-images" },
        "[trainingKmsKeyArn] must be a KMS key ARN (or key/*) in aws us-east-1; got 'arn:aws:kms:us-east-1:333333333333:alias/mlz-training-images'"],
      ["a key of another region", { trainingKmsKeyArn: KEY.replace("us-east-1", "eu-west-1") },
        `[trainingKmsKeyArn] must be a KMS key ARN (or key/*) in aws us-east-1; got '${KEY.replace("us-east-1", "eu-west-1")}'`],
      ["no trusted principal", { trustedPrincipalArns: [] }, "[trustedPrincipalArns] must name at least one principal of the ML account; got none"],
      ["a session duration out of range", { maxSessionDurationSeconds: 600 }, "[maxSessionDurationSeconds] must be a whole number from 900 to 43200; got 600"],
    ];
    for (const [what, over, message] of cases) {
      it(`refuses ${what}`, async () => {
        await assert.rejects(run({ ...ARGS, ...over }), { message });
      });
      it(`validateRekognitionTrainerRoleArgs refuses ${what}`, () => {
        assert.throws(() => validateRekognitionTrainerRoleArgs({ ...ARGS, ...over }), { message });
      });
    }
    it("validateRekognitionTrainerRoleArgs applies the defaults", () => {
      assert.deepEqual(validateRekognitionTrainerRoleArgs({ ...ARGS, partition: undefined, maxSessionDurationSeconds: undefined }), { partition: "aws", duration: 3600 });
    });

    it("refuses a trusted principal of another account or with a wildcard", async () => {
      await assert.rejects(run({ ...ARGS, trustedPrincipalArns: ["arn:aws:iam::555555555555:role/mlops"] }), {
        message: /\[trustedPrincipalArns\] must hold exact role or user ARNs of the ML account 444444444444 \(no wildcards\); got 'arn:aws:iam::555555555555:role\/mlops'/,
      });
      await assert.rejects(run({ ...ARGS, trustedPrincipalArns: [`arn:aws:iam::${ML}:role/AWSReservedSSO_*`] }), {
        message: /\[trustedPrincipalArns\] must hold exact role or user ARNs of the ML account 444444444444 \(no wildcards\); got 'arn:aws:iam::444444444444:role\/AWSReservedSSO_\*'/,
      });
    });

    it("refuses a key ARN known only at deployment when it is not a key of the region", async () => {
      await assert.rejects(run({ ...ARGS, trainingKmsKeyArn: pulumi.output("arn:aws:s3:::x") }), {
        message: /\[trainingKmsKeyArn\] must be a KMS key ARN \(or key\/\*\) in aws us-east-1; got 'arn:aws:s3:::x'/,
      });
    });

    it("declares nothing for synchronous errors", async () => {
      const { resources } = await recordProgram(() => {
        try {
          new RekognitionTrainerRole("trainer", { ...ARGS, projectNames: [] });
        } catch {
          // expected
        }
        return undefined;
      }, { simulator });
      assert.equal(ofType(resources, "aws:iam/role:Role").length, 0);
      assert.equal(ofType(resources, "aws:iam/rolePolicy:RolePolicy").length, 0);
    });
  });
});
