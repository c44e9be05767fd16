import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import { policyDocument } from "../../components/iam/policy-document";
import { endpointArnForModelArn } from "../../components/models/arns";
import { ModelAccessRole } from "../../components/models/model-access-role";
import { modelAccessRoleName, modelParameterName } from "../../components/naming";
import type { OrganizationSnapshot } from "../../policies/organization-context";
import { modelParametersGranted, modelsFromStackFile, prodModelsInQa, providerAccount } from "../../policies/stack";
import { recordProgram } from "../helpers/pulumi";
import { awsProvider, runStackPolicy, STANDARD_TAGS, urnOf, type StackResourceSpec } from "./util";

const DEFECT_V1 = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";
const DEFECT_V2 = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-20T08.00.00/1763625600000";
const BIKESHARE = "arn:aws:sagemaker:us-east-1:444444444444:model/bikeshare-classifier-20261101";

const QA_FILE = `# qa
config:
  ml-landing-zone:role: workload
  ml-landing-zone:models:
    defect-detector:
      kind: rekognition
      versionArn: ${DEFECT_V1}
    bikeshare-classifier:
      kind: sagemaker
      versionArn: ${BIKESHARE}
`;

/** Model parameters of a consumer stack (values as ModelConsumer writes them: `insecureValue`). */
function consumer(env: string, values: Record<string, string>): StackResourceSpec[] {
  const provider = awsProvider({ ...STANDARD_TAGS, environment: env });
  return Object.entries(values).map(([model, arn]) => ({
    cls: aws.ssm.Parameter,
    name: `models-${model}-parameter`,
    props: { name: modelParameterName(model), type: "String", insecureValue: arn },
    provider,
  }));
}

function qaSnapshot(models: Record<string, string>): OrganizationSnapshot {
  return {
    stack: "qa",
    role: "workload",
    account: "555555555555",
    config: { models: Object.fromEntries(Object.entries(models).map(([m, versionArn]) => [m, { kind: "rekognition", versionArn }])) },
    resources: [],
  };
}

/** The ML stack's model access role for `env`, with its permissions as a RolePolicy. */
function mlSnapshot(env: string, rekognition: string[], sagemakerEndpoints: string[]): OrganizationSnapshot {
  const role = modelAccessRoleName(env);
  const statements = [
    { Sid: "DetectCustomLabelsOnGrantedVersions", Effect: "Allow" as const, Action: "rekognition:DetectCustomLabels", Resource: rekognition },
    { Sid: "InvokeEndpointsOfGrantedVersions", Effect: "Allow" as const, Action: "sagemaker:InvokeEndpoint", Resource: sagemakerEndpoints },
  ].filter((s) => s.Resource.length > 0);
  return {
    stack: "ml",
    role: "ml",
    account: "444444444444",
    config: {},
    resources: [
      { type: "aws:iam/role:Role", name: `access-${env}-role`, urn: `urn:ml:${env}:role`, props: { name: role, assumeRolePolicy: "{}" } },
      {
        type: "aws:iam/rolePolicy:RolePolicy",
        name: `access-${env}-permissions`,
        urn: `urn:ml:${env}:policy`,
        props: { role, policy: JSON.stringify(policyDocument(statements)) },
      },
    ],
  };
}

describe("policies/stack", () => {
  describe("prod-models-in-qa", () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-policies-"));
      fs.writeFileSync(path.join(dir, "Pulumi.qa.yaml"), QA_FILE);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const OTHER_PROJECT = "arn:aws:rekognition:us-east-1:444444444444:project/other-project/version/other-project.2026-11-20T08.00.00/1763625600000";
    const OTHER_ACCOUNT_BIKE = "arn:aws:sagemaker:us-east-1:999999999999:model/bikeshare-classifier-20261101";

    it("reads the models map of a stack file", () => {
      assert.deepEqual(modelsFromStackFile(QA_FILE), {
        "defect-detector": { kind: "rekognition", versionArn: DEFECT_V1 },
        "bikeshare-classifier": { kind: "sagemaker", versionArn: BIKESHARE },
      });
    });
    it("passes prod versions that QA's stack file holds", async () => {
      const specs = consumer("prod", { "defect-detector": DEFECT_V1, "bikeshare-classifier": BIKESHARE });
      assert.deepEqual(await runStackPolicy(prodModelsInQa, specs, { qaStackFile: path.join(dir, "Pulumi.qa.yaml") }), { violations: [] });
    });
    it("passes prod staying behind while QA moved ahead to a newer version of the same model", async () => {
      const specs = consumer("prod", { "defect-detector": DEFECT_V2 });
      assert.deepEqual(await runStackPolicy(prodModelsInQa, specs, { qaStackFile: path.join(dir, "Pulumi.qa.yaml") }), { violations: [] });
    });
    it("reports a model QA does not have, a version of another project and of another account", async () => {
      const specs = consumer("prod", { "defect-detector": OTHER_PROJECT, "new-model": BIKESHARE, "bikeshare-classifier": OTHER_ACCOUNT_BIKE });
      const file = path.join(dir, "Pulumi.qa.yaml");
      const { violations } = await runStackPolicy(prodModelsInQa, specs, { qaStackFile: file });
      assert.deepEqual(violations, [
        {
          message: `Model parameter '/mlz/models/defect-detector/arn' in 'prod' must hold a version of the model QA tests (Rekognition project arn:aws:rekognition:us-east-1:444444444444:project/defect-detector, from '${file}'); got '${OTHER_PROJECT}' (Rekognition project arn:aws:rekognition:us-east-1:444444444444:project/other-project).`,
          urn: urnOf(aws.ssm.Parameter, "models-defect-detector-parameter"),
        },
        {
          message: `Model 'new-model' in 'prod' must be promoted from QA, but QA's config ('${file}') has no version of it.`,
          urn: urnOf(aws.ssm.Parameter, "models-new-model-parameter"),
        },
        {
          message: `Model parameter '/mlz/models/bikeshare-classifier/arn' in 'prod' must hold a version of the model QA tests (SageMaker models of 444444444444 in us-east-1, from '${file}'); got '${OTHER_ACCOUNT_BIKE}' (SageMaker models of 999999999999 in us-east-1).`,
          urn: urnOf(aws.ssm.Parameter, "models-bikeshare-classifier-parameter"),
        },
      ]);
    });
    it("tells a Comprehend recognizer from SageMaker models and from another recognizer of the same account and region", async () => {
      const entities = "arn:aws:comprehend:us-east-1:444444444444:entity-recognizer/contract-entities/version/v2";
      const otherRecognizer = "arn:aws:comprehend:us-east-1:444444444444:entity-recognizer/invoice-entities/version/v2";
      const file = path.join(dir, "Pulumi.qa-comprehend.yaml");
      fs.writeFileSync(file, `${QA_FILE}    contract-entities:
      kind: comprehend
      versionArn: ${entities}
`);
      assert.deepEqual(await runStackPolicy(prodModelsInQa, consumer("prod", { "contract-entities": entities }), { qaStackFile: file }), { violations: [] });
      // A Comprehend version where QA holds a SageMaker model, and a version of another recognizer.
      const { violations } = await runStackPolicy(prodModelsInQa, consumer("prod", { "bikeshare-classifier": entities, "contract-entities": otherRecognizer }), { qaStackFile: file });
      assert.deepEqual(violations.map((v) => v.message), [
        `Model parameter '/mlz/models/bikeshare-classifier/arn' in 'prod' must hold a version of the model QA tests (SageMaker models of 444444444444 in us-east-1, from '${file}'); got '${entities}' (Comprehend recognizer contract-entities of 444444444444 in us-east-1).`,
        `Model parameter '/mlz/models/contract-entities/arn' in 'prod' must hold a version of the model QA tests (Comprehend recognizer contract-entities of 444444444444 in us-east-1, from '${file}'); got '${otherRecognizer}' (Comprehend recognizer invoice-entities of 444444444444 in us-east-1).`,
      ]);
    });
    it("prefers the QA stack of the org-wide context over the file", async () => {
      const specs = consumer("prod", { "new-model": DEFECT_V2 });
      const options = { qaStackFile: path.join(dir, "Pulumi.qa.yaml"), organization: [qaSnapshot({ "new-model": DEFECT_V1 })] };
      assert.deepEqual((await runStackPolicy(prodModelsInQa, specs, options)).violations, []);
      const missing = await runStackPolicy(prodModelsInQa, consumer("prod", { "defect-detector": DEFECT_V1 }), options);
      assert.deepEqual(missing.violations.map((v) => v.message), [
        "Model 'defect-detector' in 'prod' must be promoted from QA, but QA's config (stack 'qa') has no version of it.",
      ]);
    });
    it("reports an unreadable QA stack file", async () => {
      const specs = consumer("prod", { "defect-detector": DEFECT_V1 });
      const { violations } = await runStackPolicy(prodModelsInQa, specs, { qaStackFile: path.join(dir, "missing.yaml") });
      assert.equal(violations.length, 1);
      assert.match(violations[0].message, /^QA stack config '.*missing\.yaml' must be readable to check model promotions: ENOENT/);
    });
    it("defaults to the project's stacks/Pulumi.qa.yaml, found from policies/ as well", async () => {
      const qa = modelsFromStackFile(fs.readFileSync(path.join(__dirname, "..", "..", "stacks", "Pulumi.qa.yaml"), "utf8"));
      const specs = consumer("prod", Object.fromEntries(Object.entries(qa).map(([m, v]) => [m, v.versionArn!])));
      const cwd = process.cwd();
      try {
        process.chdir(path.join(__dirname, "..", "..", "policies"));
        assert.deepEqual(await runStackPolicy(prodModelsInQa, specs), { violations: [] });
      } finally {
        process.chdir(cwd);
      }
      const foreign = consumer("prod", { "defect-detector": OTHER_PROJECT });
      assert.equal((await runStackPolicy(prodModelsInQa, foreign)).violations.length, 1);
    });
    it("is not applicable to QA's own parameters", async () => {
      const outcome = await runStackPolicy(prodModelsInQa, consumer("qa", { "defect-detector": DEFECT_V2 }));
      assert.deepEqual(outcome, { violations: [], notApplicable: "no model parameters tagged environment prod" });
    });
  });

  describe("model-parameters-granted", () => {
    const endpoint = endpointArnForModelArn(BIKESHARE);
    it("passes parameters covered by the ML stack's grants (org-wide)", async () => {
      const specs = consumer("prod", { "defect-detector": DEFECT_V1, "bikeshare-classifier": BIKESHARE });
      const options = { organization: [mlSnapshot("prod", [DEFECT_V1], [endpoint])] };
      assert.deepEqual(await runStackPolicy(modelParametersGranted, specs, options), { violations: [] });
    });
    it("reports a version granted only to another environment", async () => {
      const specs = consumer("prod", { "defect-detector": DEFECT_V2 });
      const options = { organization: [mlSnapshot("prod", [DEFECT_V1], []), mlSnapshot("qa", [DEFECT_V2], [])] };
      assert.deepEqual((await runStackPolicy(modelParametersGranted, specs, options)).violations, [
        {
          message: `Model parameter '/mlz/models/defect-detector/arn' must be covered by a grant in role 'mlz-model-access-prod' allowing rekognition:DetectCustomLabels on '${DEFECT_V2}'.`,
          urn: urnOf(aws.ssm.Parameter, "models-defect-detector-parameter"),
        },
      ]);
    });
    it("requires the SageMaker grant on the endpoint serving the model", async () => {
      const specs = consumer("prod", { "bikeshare-classifier": BIKESHARE });
      const options = { organization: [mlSnapshot("prod", [], [BIKESHARE])] };
      assert.deepEqual((await runStackPolicy(modelParametersGranted, specs, options)).violations.map((v) => v.message), [
        `Model parameter '/mlz/models/bikeshare-classifier/arn' must be covered by a grant in role 'mlz-model-access-prod' allowing sagemaker:InvokeEndpoint on '${endpoint}'.`,
      ]);
    });
    it("in a single-stack preview, checks grants declared in the same stack", async () => {
      const ml = mlSnapshot("prod", [DEFECT_V1], []);
      const local: StackResourceSpec[] = ml.resources.map((r) => ({ cls: r.type, name: r.name, props: r.props }));
      const specs = [...consumer("prod", { "defect-detector": DEFECT_V2 }), ...local];
      assert.equal((await runStackPolicy(modelParametersGranted, specs)).violations.length, 1);
    });
    describe("parameters in the ML account itself (same account as the models)", () => {
      /** A stack provider as Pulumi hands it to policies: list inputs as JSON strings. */
      const accountProvider = (env: string, account: string, how: "allowedAccountIds" | "assumeRoles" | "both" = "both") => {
        const p = awsProvider({ ...STANDARD_TAGS, environment: env });
        if (how !== "assumeRoles") p.props.allowedAccountIds = JSON.stringify([account]);
        if (how !== "allowedAccountIds") p.props.assumeRoles = JSON.stringify([{ roleArn: `arn:aws:iam::${account}:role/mlz-deploy`, sessionName: `mlz-${env}` }]);
        return p;
      };
      const inAccount = (env: string, account: string, values: Record<string, string>, how?: "allowedAccountIds" | "assumeRoles" | "both"): StackResourceSpec[] =>
        consumer(env, values).map((spec) => ({ ...spec, provider: accountProvider(env, account, how) }));

      it("providerAccount: allowedAccountIds, else the assumed role's account; undefined when unknown", () => {
        assert.equal(providerAccount(accountProvider("ml", "444444444444", "allowedAccountIds")), "444444444444");
        assert.equal(providerAccount(accountProvider("ml", "444444444444", "assumeRoles")), "444444444444");
        const raw = awsProvider(STANDARD_TAGS);
        raw.props.allowedAccountIds = ["444444444444"];
        assert.equal(providerAccount(raw), "444444444444");
        assert.equal(providerAccount(awsProvider(STANDARD_TAGS)), undefined);
        assert.equal(providerAccount(undefined), undefined);
        assert.equal(providerAccount({ ...accountProvider("ml", "444444444444"), type: "pulumi:providers:random" }), undefined);
      });

      it("are not applicable when every parameter lives in the account of its model (single stack and org-wide)", async () => {
        const specs = inAccount("ml", "444444444444", { "bikeshare-classifier": BIKESHARE, "defect-detector": DEFECT_V1 });
        const notApplicable = "the model parameters in this stack live in the account of their models: no cross-account grant needed";
        assert.deepEqual(await runStackPolicy(modelParametersGranted, specs), { violations: [], notApplicable });
        assert.deepEqual(await runStackPolicy(modelParametersGranted, specs, { organization: [mlSnapshot("prod", [], [])] }), { violations: [], notApplicable });
        const byRole = inAccount("ml", "444444444444", { "bikeshare-classifier": BIKESHARE }, "assumeRoles");
        assert.deepEqual(await runStackPolicy(modelParametersGranted, byRole), { violations: [], notApplicable });
      });

      it("still checks a parameter of another account holding an ML-account version", async () => {
        const ml = inAccount("ml", "444444444444", { "bikeshare-classifier": BIKESHARE });
        const prod = inAccount("prod", "666666666666", { "defect-detector": DEFECT_V2 });
        const specs = [...ml, ...prod.map((p) => ({ ...p, name: `prod-${p.name}` }))];
        const options = { organization: [mlSnapshot("prod", [DEFECT_V1], [])] };
        assert.deepEqual((await runStackPolicy(modelParametersGranted, specs, options)).violations, [
          {
            message: `Model parameter '/mlz/models/defect-detector/arn' must be covered by a grant in role 'mlz-model-access-prod' allowing rekognition:DetectCustomLabels on '${DEFECT_V2}'.`,
            urn: urnOf(aws.ssm.Parameter, "prod-models-defect-detector-parameter"),
          },
        ]);
        // A consumer account's parameter is never exempt, even without a grant anywhere in its stack.
        const lone = await runStackPolicy(modelParametersGranted, inAccount("prod", "666666666666", { "defect-detector": DEFECT_V1 }), { organization: [mlSnapshot("prod", [], [])] });
        assert.equal(lone.violations.length, 1);
      });
    });

    it("in a single-stack preview without grants in the stack, says it cannot check", async () => {
      const outcome = await runStackPolicy(modelParametersGranted, consumer("prod", { "defect-detector": DEFECT_V1 }));
      assert.deepEqual(outcome, { violations: [], notApplicable: "the cross-account grants are declared in the ML stack; the offline plan checks them org-wide" });
    });
  });
});

describe("policies/stack with the real ModelAccessRole component", () => {
  it("model-parameters-granted recognises the grants ModelAccessRole declares", async () => {
    const endpoint = endpointArnForModelArn(BIKESHARE);
    const { resources } = await recordProgram(
      () =>
        new ModelAccessRole("access-prod", {
          environment: "prod",
          consumerAccountId: "666666666666",
          organizationId: "o-abc1234567",
          grants: [
            { model: "defect-detector", kind: "rekognition", versionArn: DEFECT_V1, action: "rekognition:DetectCustomLabels", resource: DEFECT_V1, sources: ["config"] },
            { model: "bikeshare-classifier", kind: "sagemaker", versionArn: BIKESHARE, action: "sagemaker:InvokeEndpoint", resource: endpoint, sources: ["config"] },
          ],
        }),
      { stack: "ml" },
    );
    const ml: OrganizationSnapshot = {
      stack: "ml",
      role: "ml",
      account: "444444444444",
      config: {},
      resources: resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: { ...r.inputs, ...r.outputs } })),
    };
    const granted = consumer("prod", { "defect-detector": DEFECT_V1, "bikeshare-classifier": BIKESHARE });
    assert.deepEqual(await runStackPolicy(modelParametersGranted, granted, { organization: [ml] }), { violations: [] });
    const other = consumer("prod", { "defect-detector": DEFECT_V2 });
    assert.equal((await runStackPolicy(modelParametersGranted, other, { organization: [ml] })).violations.length, 1);
  });
});
