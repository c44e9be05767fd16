import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { basicSimulator, ofType, only, parseJsonInput, promiseOf, recordProgram, type Registration } from "../../helpers/pulumi";
import type { StackContext } from "../../../stacks/context";
import { readStackConfigFile } from "../../../stacks/config";
import {
  declareRekognitionModels,
  defaultRekognitionModelsIo,
  rekognitionModelsConfigSchema,
  trainerConfigSchema,
  type ConsumerStackConfig,
  type RekognitionModelsConfig,
} from "../../../stacks/parts/rekognition-models";
import { stackFilesIn } from "../../../stacks/config";
import { assertGrants, statementNaming } from "../../helpers/iam";

const V1 = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";
const V2 = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-20T08.00.00/1763625600000";
const V0 = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-10-01T09.00.00/1759309200000";
const SM = "arn:aws:sagemaker:us-east-1:444444444444:model/bikeshare-classifier-20261101";
const SM_ENDPOINT = "arn:aws:sagemaker:us-east-1:444444444444:endpoint/mlz-bikeshare-classifier-20261101";
const PROJECT_ARN = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/1761000000000";
const ORG = "o-abc123def4";
const PROD_VPCE = { rekognition: "vpce-0aaa1111bbbb2222c", "sagemaker.runtime": "vpce-0ddd3333eeee4444f", sts: "vpce-0123456789abcdef0" };

const CONFIG = rekognitionModelsConfigSchema.parse({
  models: {
    "defect-detector": { kind: "rekognition", minInferenceUnits: 2 },
    "bikeshare-classifier": { kind: "sagemaker" },
  },
  consumers: {
    qa: { stack: "organization/ml-landing-zone/qa", requireVpcEndpoint: false },
    prod: { stack: "organization/ml-landing-zone/prod", requireVpcEndpoint: true },
  },
});

type Live = Record<string, Record<string, unknown> | undefined>;

function simulatorFor(live: Live) {
  return basicSimulator({
    outputs: (a) => {
      const inputs = a.inputs as Record<string, string>;
      switch (a.type) {
        case "pulumi:pulumi:StackReference": return { outputs: live[inputs.name] ?? {} };
        case "aws:iam/role:Role": return { arn: `arn:aws:iam::444444444444:role/${inputs.name}` };
        case "aws:rekognition/project:Project": return { arn: PROJECT_ARN };
        default: return undefined;
      }
    },
  });
}

function context(provider: aws.Provider): StackContext {
  return {
    stack: "ml",
    role: "ml",
    region: "us-east-1",
    partition: "aws",
    accountId: pulumi.output("444444444444"),
    accountIds: pulumi.output<Record<string, string>>({ management: "111111111111", lakehouse: "333333333333", ml: "444444444444", qa: "555555555555", prod: "666666666666" }),
    organizationId: pulumi.output(ORG),
    provider,
    tags: { environment: "ml", owner: "mlops@example.com", pipeline: "platform" },
    stackFiles: stackFilesIn(),
  };
}

const consumerFiles = (qa: ConsumerStackConfig["models"], prod: ConsumerStackConfig["models"]) => ({
  readConsumer: (stack: string): ConsumerStackConfig => {
    if (stack === "qa") return { account: "qa", models: qa };
    if (stack === "prod") return { account: "prod", models: prod };
    throw new Error(`unexpected stack ${stack}`);
  },
});

async function run(
  files: ReturnType<typeof consumerFiles>,
  live: Live,
  cfg: RekognitionModelsConfig = CONFIG,
) {
  return recordProgram(() => {
    const provider = new aws.Provider("account", { region: "us-east-1" });
    return declareRekognitionModels(context(provider), cfg, files);
  }, { simulator: simulatorFor(live), stack: "ml" });
}

const runners = (resources: Registration[]) =>
  ofType(resources, "pulumi-nodejs:dynamic:Resource").map((r) => [r.inputs.projectVersionArn, r.inputs.desiredState]).sort();

const permissions = (resources: Registration[], env: string) => {
  const policies = ofType(resources, "aws:iam/rolePolicy:RolePolicy").filter((r) => r.name === `model-access-${env}-invoke`);
  return policies.length === 0 ? undefined : parseJsonInput(policies[0], "policy");
};

const qaModels = { "defect-detector": { kind: "rekognition" as const, versionArn: V1 }, "bikeshare-classifier": { kind: "sagemaker" as const, versionArn: SM } };

describe("rekognition models part (ML stack)", () => {
  it("declares a CUSTOM_LABELS project per rekognition model, with the stack's provider", async () => {
    const { resources } = await run(consumerFiles(qaModels, qaModels), {});
    const projects = ofType(resources, "aws:rekognition/project:Project");
    assert.deepEqual(projects.map((p) => [p.name, p.inputs.name, p.inputs.feature]), [["defect-detector-project", "defect-detector", "CUSTOM_LABELS"]]);
    assert.match(projects[0].provider ?? "", /pulumi:providers:aws::account::/);
    for (const r of resources.filter((x) => x.custom && !x.read && x.type !== "pulumi:providers:aws")) {
      if (r.parent?.includes("::ml-landing-zone::pulumi:pulumi:Stack::")) assert.match(r.provider ?? "", /pulumi:providers:aws::account::/, `${r.type}/${r.name}`);
    }
  });

  it("protects each project (Rekognition refuses to delete a project with versions) and adopts an existing one by ARN", async () => {
    const { resources } = await run(consumerFiles(qaModels, qaModels), {});
    const created = only(resources, "aws:rekognition/project:Project");
    assert.equal(created.protect, true);
    assert.equal(created.importId, undefined);
    const adopt = rekognitionModelsConfigSchema.parse({
      ...CONFIG,
      models: { ...CONFIG.models, "defect-detector": { kind: "rekognition", projectArn: "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/1761986400000" } },
    });
    const adopted = only((await run(consumerFiles(qaModels, qaModels), {}, adopt)).resources, "aws:rekognition/project:Project");
    assert.deepEqual([adopted.importId, adopted.protect, adopted.inputs.name], ["defect-detector", true, "defect-detector"]);
    // Another model's project or region is refused by the ML stack's schema (test/stacks/config.test.ts).
    assert.throws(() => rekognitionModelsConfigSchema.parse({ models: { b: { kind: "sagemaker", projectArn: "arn:aws:rekognition:us-east-1:444444444444:project/b/1" } } }), /only rekognition models have projects/);
  });

  it("plans a model no environment uses yet (a fresh project without versions): no version, no grant, a note", async () => {
    const notes: string[] = [];
    const info = pulumi.log.info;
    (pulumi.log as any).info = (msg: string) => { notes.push(msg); return Promise.resolve(); };
    try {
      const none = { "bikeshare-classifier": qaModels["bikeshare-classifier"] };
      const { resources, result } = await run(consumerFiles(none, none), {});
      only(resources, "aws:rekognition/project:Project");
      assert.equal(ofType(resources, "pulumi-nodejs:dynamic:Resource").length, 0);
      assert.deepEqual(result.grantedModelVersions.qa.filter((a: string) => a.includes(":rekognition:")), []);
      assert.deepEqual(notes, ["model 'defect-detector' has no version any environment uses: no version runs and no environment is granted it; train a version, then promote it to qa"]);
    } finally {
      (pulumi.log as any).info = info;
    }
  });

  it("keeps each referenced version RUNNING once, with the model's units, the project ARN and the deploy role", async () => {
    const { resources } = await run(consumerFiles(qaModels, qaModels), { "organization/ml-landing-zone/prod": { modelVersionArns: { "defect-detector": V1 } } });
    const runner = only(resources, "pulumi-nodejs:dynamic:Resource", "defect-detector.defect-detector.2026-11-02T10.15.00-runner");
    const { __provider, ...inputs } = runner.inputs;
    assert.equal(typeof __provider, "string");
    assert.deepEqual(inputs, {
      kind: "mlz:rekognition:ProjectVersionRunner",
      projectVersionArn: V1,
      projectArn: PROJECT_ARN,
      versionName: "defect-detector.2026-11-02T10.15.00",
      region: "us-east-1",
      desiredState: "RUNNING",
      minInferenceUnits: 2,
      waitTimeoutSeconds: 1800,
      pollSeconds: 30,
      assumeRoleArn: "arn:aws:iam::444444444444:role/mlz-deploy",
    });
    only(resources, "mlz:models:RekognitionModelVersion", "defect-detector.defect-detector.2026-11-02T10.15.00");
    // Default providers are disabled: the runner uses the one explicit pulumi-nodejs provider.
    const dynamic = only(resources, "pulumi:providers:pulumi-nodejs", "dynamic");
    assert.equal(runner.provider?.split("::").slice(0, -1).join("::"), dynamic.urn);
  });

  it("qa: exact trust and permissions without an endpoint condition", async () => {
    const { resources, result } = await run(consumerFiles(qaModels, qaModels), {
      "organization/ml-landing-zone/qa": { modelVersionArns: { "defect-detector": V1, "bikeshare-classifier": SM } },
    });
    const role = only(resources, "aws:iam/role:Role", "model-access-qa-role");
    assert.equal(role.inputs.name, "mlz-model-access-qa");
    assertGrants(parseJsonInput(role, "assumeRolePolicy"), {
      Version: "2012-10-17",
      Statement: [{
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::555555555555:root" },
        Action: "sts:AssumeRole",
        Condition: {
          ArnEquals: { "aws:PrincipalArn": ["arn:aws:iam::555555555555:role/mlz-app-bikeshare-classifier", "arn:aws:iam::555555555555:role/mlz-app-defect-detector"] },
          StringEquals: { "aws:PrincipalOrgID": ORG },
        },
      }],
    });
    assertGrants(permissions(resources, "qa"), {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "rekognition:DetectCustomLabels", Resource: [V1] },
        { Effect: "Allow", Action: "sagemaker:InvokeEndpoint", Resource: [SM_ENDPOINT] },
      ],
    });
    const out = await result;
    assert.deepEqual(out.grantedModelVersions.qa, [V1, SM]);
    assert.deepEqual(await promiseOf(out.modelAccessRoleArns), {
      prod: "arn:aws:iam::444444444444:role/mlz-model-access-prod",
      qa: "arn:aws:iam::444444444444:role/mlz-model-access-qa",
    });
    assert.deepEqual(await promiseOf(out.rekognitionProjectArns), { "defect-detector": PROJECT_ARN });
  });

  it("prod: exact trust and permissions through the prod endpoints", async () => {
    const { resources, result } = await run(consumerFiles(qaModels, qaModels), {
      "organization/ml-landing-zone/prod": { modelVersionArns: { "defect-detector": V1, "bikeshare-classifier": SM }, modelEndpointIds: PROD_VPCE },
    });
    const role = only(resources, "aws:iam/role:Role", "model-access-prod-role");
    assert.equal(role.inputs.name, "mlz-model-access-prod");
    const trust = parseJsonInput(role, "assumeRolePolicy");
    assertGrants(trust.Statement, [{
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::666666666666:root" },
      Action: "sts:AssumeRole",
      Condition: {
        ArnEquals: { "aws:PrincipalArn": ["arn:aws:iam::666666666666:role/mlz-app-bikeshare-classifier", "arn:aws:iam::666666666666:role/mlz-app-defect-detector"] },
        StringEquals: { "aws:PrincipalOrgID": ORG },
      },
    }]);
    assertGrants(permissions(resources, "prod"), {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow", Action: "rekognition:DetectCustomLabels", Resource: [V1],
          Condition: { StringEquals: { "aws:SourceVpce": "vpce-0aaa1111bbbb2222c" } },
        },
        {
          Effect: "Allow", Action: "sagemaker:InvokeEndpoint", Resource: [SM_ENDPOINT],
          Condition: { StringEquals: { "aws:SourceVpce": "vpce-0ddd3333eeee4444f" } },
        },
      ],
    });
    assert.deepEqual((await result).withheldModelGrants, { prod: [] });
  });

  it("prod before its first deployment (no endpoint ids): grants nothing rather than grant without the endpoint condition", async () => {
    const { resources, result } = await run(consumerFiles(qaModels, qaModels), {});
    assert.equal(permissions(resources, "prod"), undefined);
    only(resources, "aws:iam/role:Role", "model-access-prod-role");
    const out = await result;
    assert.deepEqual(out.grantedModelVersions.prod, []);
    assert.deepEqual(out.withheldModelGrants, { prod: [V1, SM] });
    // The version still runs: qa uses it, and prod's config asks for it.
    assert.deepEqual(runners(resources), [[V1, "RUNNING"]]);
  });

  it("a version referenced by no stack gets no grant and is not kept running; a retired one is declared STOPPED", async () => {
    const qa = { "defect-detector": { kind: "rekognition" as const, versionArn: V2 } };
    const prod = { "defect-detector": { kind: "rekognition" as const, versionArn: V1 } };
    const live = {
      "organization/ml-landing-zone/qa": { modelVersionArns: { "defect-detector": V2 } },
      "organization/ml-landing-zone/prod": { modelVersionArns: { "defect-detector": V1 }, modelEndpointIds: PROD_VPCE },
    };
    const plain = await run(consumerFiles(qa, prod), live);
    assert.deepEqual(runners(plain.resources), [[V1, "RUNNING"], [V2, "RUNNING"]]);

    const retired = await run(consumerFiles(qa, prod), live, { ...CONFIG, retiredModelVersions: [V0] });
    assert.deepEqual(runners(retired.resources), [[V0, "STOPPED"], [V1, "RUNNING"], [V2, "RUNNING"]]);
    for (const env of ["qa", "prod"]) {
      const statements = permissions(retired.resources, env).Statement as { Resource: string[] }[];
      assert.ok(statements.every((s) => !s.Resource.includes(V0)), env);
    }
    const out = await retired.result;
    assert.deepEqual(out.stoppedModelVersions, [V0]);
    assert.deepEqual(out.runningModelVersions, [V1, V2]);
  });

  it("a retired version an environment still uses stays RUNNING", async () => {
    const { resources } = await run(consumerFiles(qaModels, qaModels), {}, { ...CONFIG, retiredModelVersions: [V1] });
    assert.deepEqual(runners(resources), [[V1, "RUNNING"]]);
  });

  it("promotion: union on the first apply, revocation and stop on the second", async () => {
    const prodAsks = { "defect-detector": { kind: "rekognition" as const, versionArn: V2 } };
    const qa = { "defect-detector": { kind: "rekognition" as const, versionArn: V2 } };
    // Apply 1: the pull request set prod to V2; prod still runs V1.
    const first = await run(consumerFiles(qa, prodAsks), {
      "organization/ml-landing-zone/qa": { modelVersionArns: { "defect-detector": V2 } },
      "organization/ml-landing-zone/prod": { modelVersionArns: { "defect-detector": V1 }, modelEndpointIds: PROD_VPCE },
    });
    assertGrants(permissions(first.resources, "prod").Statement, [{
      Effect: "Allow", Action: "rekognition:DetectCustomLabels", Resource: [V1, V2],
      Condition: { StringEquals: { "aws:SourceVpce": "vpce-0aaa1111bbbb2222c" } },
    }]);
    assert.deepEqual(runners(first.resources), [[V1, "RUNNING"], [V2, "RUNNING"]]);
    assert.deepEqual((await first.result).grantedModelVersions.prod, [V1, V2]);

    // Apply 2: prod deployed V2.
    const second = await run(consumerFiles(qa, prodAsks), {
      "organization/ml-landing-zone/qa": { modelVersionArns: { "defect-detector": V2 } },
      "organization/ml-landing-zone/prod": { modelVersionArns: { "defect-detector": V2 }, modelEndpointIds: PROD_VPCE },
    });
    assertGrants(permissions(second.resources, "prod").Statement, [{
      Effect: "Allow", Action: "rekognition:DetectCustomLabels", Resource: [V2],
      Condition: { StringEquals: { "aws:SourceVpce": "vpce-0aaa1111bbbb2222c" } },
    }]);
    // V1 is no longer declared: Pulumi deletes its runner, whose delete stops the version.
    assert.deepEqual(runners(second.resources), [[V2, "RUNNING"]]);
    assert.equal(ofType(second.resources, "mlz:models:RekognitionModelVersion").filter((r) => r.name.includes("2026-11-02")).length, 0);
  });

  describe("errors", () => {
    it("refuses a consumer model the ML stack does not host", async () => {
      await assert.rejects(
        run(consumerFiles({ "people-counter": { kind: "rekognition", versionArn: V1 } }, {}), {}),
        { message: "stacks/Pulumi.qa.yaml: ml-landing-zone:models.people-counter must name a rekognition model of the ML stack's ml-landing-zone:models; it has bikeshare-classifier, defect-detector" },
      );
    });

    it("refuses a consumer model of another kind than the ML stack's", async () => {
      await assert.rejects(
        run(consumerFiles({}, { "bikeshare-classifier": { kind: "rekognition", versionArn: V1 } }), {}),
        { message: "stacks/Pulumi.prod.yaml: ml-landing-zone:models.bikeshare-classifier must name a rekognition model of the ML stack's ml-landing-zone:models; 'bikeshare-classifier' is sagemaker there" },
      );
    });

    it("refuses a version in another region than the ML stack", async () => {
      const other = "arn:aws:rekognition:eu-west-1:444444444444:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";
      await assert.rejects(
        run(consumerFiles({ "defect-detector": { kind: "rekognition", versionArn: other } }, {}), {}),
        { message: `version of model 'defect-detector' used by qa: '${other}' is in region eu-west-1; the ML stack hosts its models in us-east-1` },
      );
    });

    it("refuses a malformed live output", async () => {
      await assert.rejects(
        run(consumerFiles(qaModels, qaModels), { "organization/ml-landing-zone/qa": { modelVersionArns: ["x"] } }),
        { message: "output modelVersionArns of organization/ml-landing-zone/qa must be a map of strings; got [\"x\"]" },
      );
    });
  });

  it("reads the consumers' models from the example stack files by default", () => {
    const qa = defaultRekognitionModelsIo.readConsumer("qa");
    assert.equal(qa.account, "qa");
    assert.equal(qa.models["defect-detector"].kind, "rekognition");
    assert.equal(qa.models["defect-detector"].versionArn, V1);
    assert.throws(() => defaultRekognitionModelsIo.readConsumer("ml"), { message: "ml-landing-zone:consumers.ml: stacks/Pulumi.ml.yaml must be a workload stack; its role is 'ml'" });
  });

  it("runs on the example org's stack files: the ML config and the consumers' models maps", async () => {
    const cfg = rekognitionModelsConfigSchema.parse(readStackConfigFile("ml"));
    const { resources, result } = await recordProgram(() => {
      const provider = new aws.Provider("account", { region: "us-east-1" });
      return declareRekognitionModels(context(provider), cfg);
    }, {
      simulator: simulatorFor({
        "organization/ml-landing-zone/prod": { modelVersionArns: { "defect-detector": V1, "bikeshare-classifier": SM }, modelEndpointIds: PROD_VPCE },
        // The example ML config reads the training-images bucket and key from the lakehouse stack.
        "organization/ml-landing-zone/lakehouse": {
          trainingImagesBucketName: "mlz-training-images-333333333333",
          trainingImagesKmsKeyArn: "arn:aws:kms:us-east-1:333333333333:key/5b81cedd-c0a9-5e47-5da7-6e11f76b34a6",
        },
      }),
      stack: "ml",
    });
    assert.deepEqual(runners(resources), [[V1, "RUNNING"]]);
    const out = await result;
    assert.deepEqual(out.grantedModelVersions, { prod: [V1, SM], qa: [V1, SM] });
    assert.deepEqual(ofType(resources, "aws:iam/role:Role").map((r) => r.inputs.name).sort(), ["mlz-model-access-prod", "mlz-model-access-qa", "mlz-rekognition-trainer"]);
    assert.deepEqual(permissions(resources, "prod").Statement.map((s: any) => s.Condition), [
      { StringEquals: { "aws:SourceVpce": "vpce-0aaa1111bbbb2222c" } },
      { StringEquals: { "aws:SourceVpce": "vpce-0ddd3333eeee4444f" } },
    ]);
  });

  it("parses the ML stack's example config", () => {
    assert.deepEqual(rekognitionModelsConfigSchema.parse({
      models: { "defect-detector": { kind: "rekognition" } },
      consumers: { qa: { stack: "organization/ml-landing-zone/qa" } },
    }), {
      models: { "defect-detector": { kind: "rekognition", minInferenceUnits: 1 } },
      consumers: { qa: { stack: "organization/ml-landing-zone/qa", requireVpcEndpoint: false } },
      retiredModelVersions: [],
    });
  });

  describe("the trainer role (mlz-rekognition-trainer)", () => {
    const trainerPolicy = (resources: Registration[]) => {
      const doc = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "rekognition-trainer-permissions"), "policy");
      // The statements by what they allow (not by Sid).
      return {
        TrainProjects: statementNaming(doc.Statement, "rekognition:CreateProjectVersion"),
        ListTrainingImages: statementNaming(doc.Statement, "s3:ListBucket"),
        ReadTrainingImages: statementNaming(doc.Statement, "s3:GetObject"),
        WriteTrainingResults: statementNaming(doc.Statement, "s3:PutObject"),
        UseTrainingImagesKeyThroughS3: statementNaming(doc.Statement, "kms:Decrypt"),
      };
    };

    it("without a lakehouse stack: computes the lakehouse bucket, bounds the key to the lakehouse account, trusts the ML deploy role", async () => {
      const { resources, result } = await run(consumerFiles(qaModels, qaModels), {});
      const component = only(resources, "mlz:models:RekognitionTrainerRole", "rekognition-trainer");
      const role = only(resources, "aws:iam/role:Role", "rekognition-trainer-role");
      assert.equal(role.parent, component.urn);
      assert.equal(role.inputs.name, "mlz-rekognition-trainer");
      assert.match(role.provider ?? "", /pulumi:providers:aws::account::/);
      assertGrants(parseJsonInput(role, "assumeRolePolicy").Statement, [{
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::444444444444:root" },
        Action: "sts:AssumeRole",
        Condition: { ArnEquals: { "aws:PrincipalArn": ["arn:aws:iam::444444444444:role/mlz-deploy"] } },
      }]);
      const p = trainerPolicy(resources);
      assert.deepEqual(p.TrainProjects.Resource, ["arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/*"], "rekognition models only");
      assert.equal(p.ReadTrainingImages.Resource, "arn:aws:s3:::mlz-training-images-333333333333/images/*");
      assert.equal(p.WriteTrainingResults.Resource, "arn:aws:s3:::mlz-training-images-333333333333/results/*");
      assert.equal(p.UseTrainingImagesKeyThroughS3.Resource, "arn:aws:kms:us-east-1:333333333333:key/*");
      assert.equal(ofType(resources, "pulumi:pulumi:StackReference").filter((r) => r.name === "lakehouse").length, 0);
      assert.equal(await promiseOf((await result).rekognitionTrainerRoleArn!), "arn:aws:iam::444444444444:role/mlz-rekognition-trainer");
    });

    it("with a lakehouse stack: the exact bucket and key ARN from its outputs, and the configured principals", async () => {
      const key = "arn:aws:kms:us-east-1:333333333333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
      const mlops = "arn:aws:iam::444444444444:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_MLOps_0123456789abcdef";
      const cfg = rekognitionModelsConfigSchema.parse({
        ...CONFIG,
        rekognitionTrainer: { lakehouseStack: "organization/ml-landing-zone/lakehouse", trustedPrincipalArns: [mlops] },
      });
      const { resources } = await run(consumerFiles(qaModels, qaModels), {
        "organization/ml-landing-zone/lakehouse": { trainingImagesBucketName: "example-training-images", trainingImagesKmsKeyArn: key },
      }, cfg);
      const ref = only(resources, "pulumi:pulumi:StackReference", "lakehouse");
      assert.equal(ref.inputs.name, "organization/ml-landing-zone/lakehouse");
      const p = trainerPolicy(resources);
      assert.equal(p.UseTrainingImagesKeyThroughS3.Resource, key);
      assert.equal(p.ListTrainingImages.Resource, "arn:aws:s3:::example-training-images");
      assert.equal(p.ReadTrainingImages.Resource, "arn:aws:s3:::example-training-images/images/*");
      const trust = parseJsonInput(only(resources, "aws:iam/role:Role", "rekognition-trainer-role"), "assumeRolePolicy");
      assert.deepEqual(trust.Statement[0].Condition, { ArnEquals: { "aws:PrincipalArn": [mlops] } });
    });

    it("uses a configured bucket name and lakehouse account key", async () => {
      const cfg = rekognitionModelsConfigSchema.parse({ ...CONFIG, rekognitionTrainer: { bucketName: "example-training-images", lakehouseAccountKey: "qa" } });
      const { resources } = await run(consumerFiles(qaModels, qaModels), {}, cfg);
      const p = trainerPolicy(resources);
      assert.equal(p.ReadTrainingImages.Resource, "arn:aws:s3:::example-training-images/images/*");
      assert.equal(p.UseTrainingImagesKeyThroughS3.Resource, "arn:aws:kms:us-east-1:555555555555:key/*");
    });

    it("names a missing lakehouse account", async () => {
      const cfg = rekognitionModelsConfigSchema.parse({ ...CONFIG, rekognitionTrainer: { lakehouseAccountKey: "datalake" } });
      await assert.rejects(run(consumerFiles(qaModels, qaModels), {}, cfg), {
        message: /ml: ml-landing-zone:rekognitionTrainer.lakehouseAccountKey names 'datalake', but the organization has no such account; it has: lakehouse, management, ml, prod, qa/,
      });
    });

    it("is not declared without a rekognition model", async () => {
      const cfg = rekognitionModelsConfigSchema.parse({ ...CONFIG, models: { "bikeshare-classifier": { kind: "sagemaker" } } });
      const onlySageMaker = { "bikeshare-classifier": { kind: "sagemaker" as const, versionArn: SM } };
      const { resources, result } = await run(consumerFiles(onlySageMaker, onlySageMaker), {}, cfg);
      assert.deepEqual(ofType(resources, "mlz:models:RekognitionTrainerRole"), []);
      assert.equal("rekognitionTrainerRoleArn" in (await result), false);
    });

    it("config: defaults, and refuses wildcard principals naming the key", () => {
      assert.deepEqual(trainerConfigSchema.parse({}), { lakehouseAccountKey: "lakehouse" });
      const r = trainerConfigSchema.safeParse({ trustedPrincipalArns: ["arn:aws:iam::444444444444:role/AWSReservedSSO_*"] });
      assert.equal(r.success, false);
      assert.deepEqual(r.error?.issues.map((i) => [i.path.join("."), i.message]), [
        ["trustedPrincipalArns.0", "expected an exact IAM role or user ARN (no wildcards); got 'arn:aws:iam::444444444444:role/AWSReservedSSO_*'"],
      ]);
      assert.equal(trainerConfigSchema.safeParse({ lakehouseStack: "lakehouse" }).success, false);
      assert.equal(trainerConfigSchema.safeParse({ trustedPrincipalArns: [] }).success, false);
    });
  });
});
