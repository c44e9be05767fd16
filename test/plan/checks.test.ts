/**
 * The cross-stack checks (plan/checks.ts) on the real example organization's plans, each failure
 * mode on a mutated deep copy of them; and the renderers (plan/render.ts) on reports built by hand
 * from a real plan.
 */
import { strict as assert } from "node:assert";
import type { OrganizationPlan } from "../../plan/organization";
import { crossStackChecks, deployRolesExist, modelParametersGranted, modelVersionsInMlAccount, normalizedImageReaders, pinnedVersions, promotionGates, stackReferencesResolve } from "../../plan/checks";
import { renderMarkdown, renderText } from "../../plan/render";
import type { OrganizationReport, StackReport } from "../../lib/plan-model";
import { parseModelVersionArn } from "../../components/models/arns";
import type { PlannedResource, StackPlan } from "../../lib/plan-model";
import { examplePlan } from "../helpers/example-plan";

const ML_ACCOUNT = "444444444444";
const DEFECT_ARN = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";

function decode(v: unknown): any {
  return typeof v === "string" ? JSON.parse(v) : v;
}

function find(plans: StackPlan[], stack: string): StackPlan {
  const plan = plans.find((p) => p.stack === stack);
  assert.ok(plan, `no plan for ${stack}`);
  return plan;
}

function accountProvider(plan: StackPlan): PlannedResource {
  const provider = plan.resources.find((r) => r.type === "pulumi:providers:aws" && r.name === "account");
  assert.ok(provider, `${plan.stack} has no 'account' provider`);
  return provider;
}

function modelParameter(plan: StackPlan, model: string): PlannedResource {
  const param = plan.resources.find((r) => r.type === "aws:ssm/parameter:Parameter" && r.inputs.name === `/mlz/models/${model}/arn`);
  assert.ok(param, `${plan.stack} has no parameter for ${model}`);
  return param;
}

function accessPolicy(ml: StackPlan, stack: string): PlannedResource {
  const policy = ml.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === `mlz-model-access-${stack}`);
  assert.ok(policy, `ml has no model access policy for ${stack}`);
  return policy;
}

describe("offline plan: cross-stack checks and rendering of the example organization", function () {
  this.timeout(120000);
  let org: OrganizationPlan;
  let plans: StackPlan[];
  /** A deep copy of the real plans, free to mutate. */
  const copy = (): StackPlan[] => JSON.parse(JSON.stringify(plans)) as StackPlan[];

  before(async () => {
    org = await examplePlan();
    plans = org.runs.map((r) => r.plan);
    assert.deepEqual(plans.map((p) => p.stack), ["management", "cicd", "lakehouse", "ml", "prod", "qa"]);
  });

  describe("normalizedImageReaders", () => {
    const TRAINER = "arn:aws:iam::444444444444:role/mlz-rekognition-trainer";
    const reader = (ml: StackPlan) => ml.resources.find((r) => r.type === "aws:iam/policy:Policy" && r.name === "normalized-images-reader")!;

    it("passes when the ML stack attaches the lakehouse's reader policy to the training role it declares", () => {
      assert.deepEqual(normalizedImageReaders(plans), {
        check: "normalized-image-readers",
        ok: true,
        message: "1 training role(s) of image normalization allow in IAM what the lakehouse grants",
        stacks: ["lakehouse", "ml"],
      });
      assert.equal(JSON.parse(String(reader(find(plans, "ml")).inputs.policy)).Statement.length, 3);
    });

    it("fails when the declared training role has no attachment of that policy", () => {
      const mutated = copy();
      const ml = find(mutated, "ml");
      ml.resources = ml.resources.filter((r) => r.type !== "aws:iam/rolePolicyAttachment:RolePolicyAttachment" || r.name !== "normalized-images-reader-trainer");
      const r = normalizedImageReaders(mutated);
      assert.equal(r.ok, false);
      assert.equal(r.message, `ml declares ${TRAINER}, a training role of lakehouse's imageNormalization, without a managed policy holding lakehouse's imageNormalizationTrainingRolePolicy (set ml-landing-zone:normalizedImages)`);
    });

    it("fails when the attached policy differs from what the lakehouse grants (another key)", () => {
      const mutated = copy();
      const policy = reader(find(mutated, "ml"));
      const doc = JSON.parse(String(policy.inputs.policy));
      doc.Statement[2].Resource = "arn:aws:kms:us-east-1:333333333333:key/other";
      policy.inputs.policy = JSON.stringify(doc);
      assert.equal(normalizedImageReaders(mutated).ok, false);
    });

    it("lists training roles no planned stack declares, for their owners to attach the policy", () => {
      const mutated = copy();
      const lakehouse = find(mutated, "lakehouse");
      const cfg = lakehouse.config.imageNormalization as { trainingRoleArns: string[] };
      cfg.trainingRoleArns = [...cfg.trainingRoleArns, "arn:aws:iam::777777777777:role/partner-trainer"];
      const r = normalizedImageReaders(mutated);
      assert.equal(r.ok, true);
      assert.equal(r.message, "1 training role(s) of image normalization allow in IAM what the lakehouse grants; not declared by any stack (their owners must attach imageNormalizationTrainingRolePolicy): arn:aws:iam::777777777777:role/partner-trainer");
    });
  });

  describe("deployRolesExist", () => {
    it("passes when every member stack assumes a deploy role the management stack declares", () => {
      assert.deepEqual(deployRolesExist(plans), {
        check: "deploy-roles-exist",
        ok: true,
        message: "5 member stack(s) assume deploy roles the management stack declares",
        stacks: ["management", "cicd", "lakehouse", "ml", "prod", "qa"],
      });
    });

    it("fails naming a member stack whose provider assumes a role the management plan does not declare", () => {
      const mutated = copy();
      const provider = accountProvider(find(mutated, "qa"));
      provider.inputs.assumeRoles = JSON.stringify([{ roleArn: "arn:aws:iam::555555555555:role/mlz-admin", sessionName: "mlz-qa" }]);
      const r = deployRolesExist(mutated);
      assert.equal(r.ok, false);
      assert.equal(r.message, "qa assumes arn:aws:iam::555555555555:role/mlz-admin, not its own account's deploy role arn:aws:iam::555555555555:role/mlz-deploy");
      assert.deepEqual(r.stacks, ["management", "cicd", "lakehouse", "ml", "prod", "qa"]);
    });

    it("fails when a stack assumes another account's deploy role, even one the management stack declares", () => {
      const mutated = copy();
      accountProvider(find(mutated, "qa")).inputs.assumeRoles = JSON.stringify([{ roleArn: "arn:aws:iam::666666666666:role/mlz-deploy", sessionName: "mlz-qa" }]);
      const r = deployRolesExist(mutated);
      assert.equal(r.ok, false);
      assert.equal(r.message, "qa assumes arn:aws:iam::666666666666:role/mlz-deploy, not its own account's deploy role arn:aws:iam::555555555555:role/mlz-deploy");
    });

    it("fails when the management plan no longer declares a member's deploy role", () => {
      const mutated = copy();
      const management = find(mutated, "management");
      const before = management.resources.length;
      management.resources = management.resources.filter((r) => !(r.type === "aws:iam/role:Role" && r.name === "prod-mlz-deploy-role"));
      assert.equal(management.resources.length, before - 1);
      const r = deployRolesExist(mutated);
      assert.equal(r.ok, false);
      assert.equal(r.message, "prod assumes arn:aws:iam::666666666666:role/mlz-deploy, which the management stack does not declare");
    });

    it("fails naming every member stack whose provider assumes no role, joined with '; '", () => {
      const mutated = copy();
      delete accountProvider(find(mutated, "cicd")).inputs.assumeRoles;
      delete accountProvider(find(mutated, "ml")).inputs.assumeRoles;
      const r = deployRolesExist(mutated);
      assert.equal(r.ok, false);
      assert.equal(r.message, "cicd assumes no role, which the management stack does not declare; ml assumes no role, which the management stack does not declare");
    });

    it("fails when no management plan exists, listing the member stacks", () => {
      const mutated = copy().filter((p) => p.role !== "management");
      assert.deepEqual(deployRolesExist(mutated), {
        check: "deploy-roles-exist",
        ok: false,
        message: "no management stack was planned, so no deploy role exists",
        stacks: ["cicd", "lakehouse", "ml", "prod", "qa"],
      });
    });
  });

  describe("modelVersionsInMlAccount", () => {
    it("passes when every workload model version lives in the ML account", () => {
      assert.deepEqual(modelVersionsInMlAccount(plans), {
        check: "model-versions-in-ml-account",
        ok: true,
        message: `6 model version(s) in workload configs live in the ML account ${ML_ACCOUNT}`,
        stacks: ["ml", "prod", "qa"],
      });
    });

    it("fails naming the stack, file, model and account of a workload version ARN in another account", () => {
      const mutated = copy();
      const qa = find(mutated, "qa");
      const models = decode(qa.config.models);
      assert.equal(models["defect-detector"].versionArn, DEFECT_ARN);
      models["defect-detector"].versionArn = DEFECT_ARN.replace(ML_ACCOUNT, "999999999999");
      qa.config.models = models;
      const r = modelVersionsInMlAccount(mutated);
      assert.equal(r.ok, false);
      assert.equal(r.message, "qa (stacks/Pulumi.qa.yaml): models.defect-detector.versionArn is in account 999999999999, expected the ML account 444444444444");
    });

    it("reads a JSON-encoded models config too, and names an ARN without an account as '?'", () => {
      const mutated = copy();
      const prod = find(mutated, "prod");
      const models = decode(prod.config.models);
      models["bikeshare-classifier"].versionArn = "not-an-arn";
      prod.config.models = JSON.stringify(models);
      const r = modelVersionsInMlAccount(mutated);
      assert.equal(r.ok, false);
      assert.equal(r.message, "prod (stacks/Pulumi.prod.yaml): models.bikeshare-classifier.versionArn is in account ?, expected the ML account 444444444444");
    });

    it("falls back to the management stack's accountIds.ml when no ML plan exists", () => {
      const mutated = copy().filter((p) => p.role !== "ml");
      const r = modelVersionsInMlAccount(mutated);
      assert.equal(r.ok, true, r.message);
      assert.equal(r.message, `6 model version(s) in workload configs live in the ML account ${ML_ACCOUNT}`);
      assert.deepEqual(r.stacks, ["prod", "qa"]);
      // And compares against that account: the management outputs' ML account is the reference.
      (find(mutated, "management").outputs.accountIds as Record<string, string>).ml = "777777777777";
      const moved = modelVersionsInMlAccount(mutated);
      assert.equal(moved.ok, false);
      assert.match(moved.message, /^prod \(stacks\/Pulumi\.prod\.yaml\): models\.defect-detector\.versionArn is in account 444444444444, expected the ML account 777777777777; /);
    });

    it("fails for every workload model when neither an ML plan nor a management plan exists", () => {
      const mutated = copy().filter((p) => p.role !== "ml" && p.role !== "management");
      const r = modelVersionsInMlAccount(mutated);
      assert.equal(r.ok, false);
      const models = (stack: string) => Object.keys(decode(find(plans, stack).config.models));
      assert.deepEqual(models("prod"), ["defect-detector", "bikeshare-classifier", "legal-entities"]);
      assert.deepEqual(models("qa"), ["defect-detector", "bikeshare-classifier", "legal-entities"]);
      assert.equal(r.message, [
        "prod: cannot check defect-detector: no ML account was planned",
        "prod: cannot check bikeshare-classifier: no ML account was planned",
        "prod: cannot check legal-entities: no ML account was planned",
        "qa: cannot check defect-detector: no ML account was planned",
        "qa: cannot check bikeshare-classifier: no ML account was planned",
        "qa: cannot check legal-entities: no ML account was planned",
      ].join("; "));
      assert.deepEqual(r.stacks, ["prod", "qa"]);
    });
  });

  describe("stackReferencesResolve", () => {
    it("passes on the real plans, with and without the organization's context", () => {
      const expected = {
        check: "stack-references-resolve",
        ok: true,
        message: "every stack reference names a stack of this organization",
        stacks: ["management", "cicd", "lakehouse", "ml", "prod", "qa"],
      };
      assert.deepEqual(stackReferencesResolve(plans), expected);
      assert.equal(org.organization, "organization");
      assert.deepEqual(stackReferencesResolve(plans, { stackNames: plans.map((p) => p.stack), organization: org.organization }), expected);
    });

    it("without context, fails for a reference to a stack that was not planned, listing the planned stacks", () => {
      const mutated = copy().filter((p) => p.stack !== "management");
      const r = stackReferencesResolve(mutated);
      assert.equal(r.ok, false);
      assert.equal(r.message, ["cicd", "lakehouse", "ml", "prod", "qa"]
        .map((s) => `${s} (stacks/Pulumi.${s}.yaml) references 'organization/ml-landing-zone/management', which is not a stack of this organization (stacks: cicd, lakehouse, ml, prod, qa)`)
        .join("; "));
      // A stack file that exists but was not planned still resolves.
      assert.equal(stackReferencesResolve(mutated, { stackNames: plans.map((p) => p.stack) }).ok, true);
    });

    it("fails for a reference into another project", () => {
      const mutated = copy();
      const ref = find(mutated, "lakehouse").resources.find((r) => r.type === "pulumi:pulumi:StackReference" && r.name === "management")!;
      ref.inputs.name = "organization/other-project/management";
      const r = stackReferencesResolve(mutated, { stackNames: plans.map((p) => p.stack), organization: "organization" });
      assert.equal(r.ok, false);
      assert.equal(r.message, "lakehouse (stacks/Pulumi.lakehouse.yaml) references 'organization/other-project/management', which is not a stack of this organization (stacks: cicd, lakehouse, management, ml, prod, qa)");
    });
  });

  describe("modelParametersGranted", () => {
    it("passes on the real plans: every parameter's version is granted, through prod's endpoints", () => {
      assert.deepEqual(modelParametersGranted(plans), {
        check: "model-parameters-granted",
        ok: true,
        message: "4 model parameter(s) in prod, qa hold versions the ML roles grant (through the VPC endpoints of prod)",
        stacks: ["ml", "prod", "qa"],
      });
    });

    it("fails when a workload parameter holds no model-version ARN", () => {
      const mutated = copy();
      modelParameter(find(mutated, "qa"), "defect-detector").inputs.value = "arn:aws:s3:::not-a-model";
      delete modelParameter(find(mutated, "qa"), "defect-detector").inputs.insecureValue;
      const r = modelParametersGranted(mutated);
      assert.equal(r.ok, false);
      // The check quotes the ARN parser's own message.
      const parserMessage = (() => {
        try {
          parseModelVersionArn("arn:aws:s3:::not-a-model");
        } catch (e) {
          return (e as Error).message;
        }
        assert.fail("parseModelVersionArn accepted an S3 ARN");
      })();
      assert.match(parserMessage, /got 'arn:aws:s3:::not-a-model'/);
      assert.equal(r.message, `qa: /mlz/models/defect-detector/arn holds no model-version ARN: ${parserMessage}`);
    });

    it("fails when the ML role grants the wrong action on a SageMaker model's endpoint", () => {
      const mutated = copy();
      const ml = find(mutated, "ml");
      const policy = accessPolicy(ml, "qa");
      const doc = JSON.parse(String(policy.inputs.policy));
      const invoke = doc.Statement.filter((st: { Action: unknown }) => JSON.stringify(st.Action).includes("sagemaker:InvokeEndpoint"));
      assert.equal(invoke.length, 1, JSON.stringify(doc));
      const resource = [invoke[0].Resource].flat()[0] as string;
      invoke[0].Action = "sagemaker:DescribeEndpoint";
      policy.inputs.policy = JSON.stringify(doc);
      const value = String(modelParameter(find(mutated, "qa"), "bikeshare-classifier").inputs.insecureValue ?? modelParameter(find(mutated, "qa"), "bikeshare-classifier").inputs.value);
      const r = modelParametersGranted(mutated);
      assert.equal(r.ok, false);
      assert.equal(r.message, `qa: /mlz/models/bikeshare-classifier/arn = ${value}, but ml's role mlz-model-access-qa grants no sagemaker:InvokeEndpoint on ${resource}`);
    });

    it("fails when a grant is a Deny, not an Allow", () => {
      const mutated = copy();
      const policy = accessPolicy(find(mutated, "ml"), "qa");
      const doc = JSON.parse(String(policy.inputs.policy));
      for (const st of doc.Statement) st.Effect = "Deny";
      policy.inputs.policy = JSON.stringify(doc);
      const r = modelParametersGranted(mutated);
      assert.equal(r.ok, false);
      assert.equal(r.message, [
        "qa: /mlz/models/bikeshare-classifier/arn = arn:aws:sagemaker:us-east-1:444444444444:model/bikeshare-classifier-20261101, but ml's role mlz-model-access-qa grants no sagemaker:InvokeEndpoint on arn:aws:sagemaker:us-east-1:444444444444:endpoint/mlz-bikeshare-classifier-20261101",
        `qa: /mlz/models/defect-detector/arn = ${DEFECT_ARN}, but ml's role mlz-model-access-qa grants no rekognition:DetectCustomLabels on ${DEFECT_ARN}`,
      ].join("; "));
    });

    it("fails when prod exports no endpoint ids though the ML config requires prod's VPC endpoints", () => {
      const mutated = copy();
      delete find(mutated, "prod").outputs.modelEndpointIds;
      const r = modelParametersGranted(mutated);
      assert.equal(r.ok, false);
      const services: Record<string, string> = { "defect-detector": "rekognition", "bikeshare-classifier": "sagemaker.runtime" };
      const order = find(plans, "prod").resources
        .filter((x) => x.type === "aws:ssm/parameter:Parameter" && /^\/mlz\/models\/[^/]+\/arn$/.test(String(x.inputs.name)))
        .map((x) => String(x.inputs.name).split("/")[3]);
      assert.deepEqual([...order].sort(), ["bikeshare-classifier", "defect-detector"]);
      assert.equal(r.message, order
        .map((m) => `prod: /mlz/models/${m}/arn is granted by mlz-model-access-prod, but not only through prod's ${services[m]} endpoint (none exported)`)
        .join("; "));
    });

    it("fails when workloads publish model parameters but no ML stack grants them; passes with no workload", () => {
      assert.deepEqual(modelParametersGranted(copy().filter((p) => p.role !== "ml")), {
        check: "model-parameters-granted",
        ok: false,
        message: "4 model parameter(s) in prod, qa, but no ML stack was planned to grant them",
        stacks: ["prod", "qa"],
      });
      assert.deepEqual(modelParametersGranted(copy().filter((p) => p.role !== "workload")), {
        check: "model-parameters-granted",
        ok: true,
        message: "no workload stack planned: nothing to check",
        stacks: ["ml"],
      });
    });
  });

  describe("promotionGates (the change: --diff)", () => {
    const NEWER = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-20T08.00.00/1763625600000";
    const setVersion = (plan: StackPlan, model: string, arn: string) => {
      const models = decode(plan.config.models);
      models[model].versionArn = arn;
      plan.config.models = models;
    };
    const baseOf = (list: StackPlan[]) => new Map(list.map((p) => [p.stack, p]));

    it("runs only with base plans", () => {
      assert.deepEqual(crossStackChecks(plans, {}).map((c) => c.check), ["stack-references-resolve", "deploy-roles-exist", "model-versions-in-ml-account", "model-parameters-granted", "normalized-image-readers"]);
      assert.equal(crossStackChecks(plans, { base: baseOf(copy()) }).at(-1)?.check, "promotion-gates");
    });
    it("passes QA moving ahead while prod stays behind", () => {
      const head = copy();
      setVersion(find(head, "qa"), "defect-detector", NEWER);
      const result = promotionGates(head, { base: baseOf(copy()) });
      assert.deepEqual(result, { check: "promotion-gates", ok: true, message: "0 model version change(s) in gated stacks (prod from qa), each to a version its gate holds", stacks: ["prod"] });
    });
    it("passes prod changing to the version QA holds at the base", () => {
      const base = copy();
      setVersion(find(base, "qa"), "defect-detector", NEWER);
      const head = JSON.parse(JSON.stringify(base)) as StackPlan[];
      setVersion(find(head, "prod"), "defect-detector", NEWER);
      const result = promotionGates(head, { base: baseOf(base) });
      assert.equal(result.ok, true, result.message);
      assert.equal(result.message, "1 model version change(s) in gated stacks (prod from qa), each to a version its gate holds");
      assert.deepEqual(result.stacks, ["prod", "qa"]);
    });
    it("fails prod changing to a version QA gets in the same change (QA first), naming file, key, versions", () => {
      const head = copy();
      setVersion(find(head, "qa"), "defect-detector", NEWER);
      setVersion(find(head, "prod"), "defect-detector", NEWER);
      const result = promotionGates(head, { base: baseOf(copy()) });
      assert.equal(result.ok, false);
      assert.equal(result.message, `prod (stacks/Pulumi.prod.yaml): models.defect-detector.versionArn changes to ${NEWER}, but qa holds ${DEFECT_ARN} at the base (stacks/Pulumi.qa.yaml before this change); prod only takes a version qa already holds: promote to qa first, merge, then promote prod from qa`);
    });
    it("reads base plans without config (older plans) from their model parameters", () => {
      const base = copy();
      for (const p of base) delete (p as Partial<StackPlan>).config;
      (base as StackPlan[]).forEach((p) => ((p as StackPlan).config = undefined as never));
      assert.deepEqual(pinnedVersions(find(base, "qa")), pinnedVersions(find(plans, "qa")));
      const head = copy();
      setVersion(find(head, "prod"), "defect-detector", NEWER);
      assert.equal(promotionGates(head, { base: baseOf(base) }).ok, false);
    });
    it("a first deployment of prod takes versions QA holds after the change", () => {
      const base = copy().filter((p) => p.stack !== "prod" && p.stack !== "qa");
      assert.equal(promotionGates(copy(), { base: baseOf(base) }).ok, true);
      const head = copy();
      setVersion(find(head, "prod"), "defect-detector", NEWER);
      const result = promotionGates(head, { base: baseOf(base) });
      assert.equal(result.ok, false);
      assert.match(result.message, /^prod \(stacks\/Pulumi\.prod\.yaml\): models\.defect-detector\.versionArn changes to .*, but qa holds .* \(first deployment of prod\)/);
    });
  });

  describe("renderers", () => {
    function reportOf(stack: string, extra: Partial<StackReport> = {}, report: Partial<OrganizationReport> = {}): OrganizationReport {
      const plan = find(plans, stack);
      return {
        stacks: [{ plan, policies: [], genericTypes: [], stackReferences: [], warnings: [], ...extra }],
        checks: [{ check: "deploy-roles-exist", ok: true, message: "fine", stacks: [stack] }],
        passes: 2,
        unconverged: [],
        errors: [],
        ...report,
      };
    }

    it("renders a clean report as '✅ clean' without a Diagnostics section", () => {
      const md = renderMarkdown(reportOf("qa"));
      assert.match(md, /^## Offline plan\n\n\*\*✅ clean\*\* · 1 stacks · /);
      assert.ok(!md.includes("### Diagnostics"), md);
      const text = renderText(reportOf("qa"));
      assert.ok(!text.includes("Simulated generically"), text);
      assert.ok(!text.includes("Stack references:"), text);
    });

    it("lists generically simulated types in the text and the markdown diagnostics", () => {
      const report = reportOf("qa", { genericTypes: ["aws:foo/bar:Bar", "aws:foo/baz:Baz"] });
      assert.ok(renderText(report).split("\n").includes("Simulated generically (id only): aws:foo/bar:Bar, aws:foo/baz:Baz"), renderText(report));
      assert.ok(renderMarkdown(report).includes("### Diagnostics\n\n- `qa` simulated generically (id only): `aws:foo/bar:Bar`, `aws:foo/baz:Baz`\n"), renderMarkdown(report));
    });

    it("shows resolved references as the referenced plan's outputs and unresolved ones as 'no outputs (…)'", () => {
      const report = reportOf("qa", {
        stackReferences: [
          { name: "organization/ml-landing-zone/management", stack: "management", resolved: true },
          { name: "organization/ml-landing-zone/ml", stack: "ml", resolved: false },
        ],
      });
      const lines = renderText(report).split("\n");
      const at = lines.indexOf("Stack references:");
      assert.ok(at > 0, lines.join("\n"));
      assert.deepEqual(lines.slice(at + 1, at + 3), [
        "    organization/ml-landing-zone/management → outputs of the management plan",
        "    organization/ml-landing-zone/ml → no outputs (ml not planned before this stack: first deployment)",
      ]);
      const md = renderMarkdown(report);
      assert.ok(md.includes("- `qa` reads `organization/ml-landing-zone/ml`: no outputs (not planned before this stack, or not a stack of this organization)\n"), md);
      assert.ok(!md.includes("reads `organization/ml-landing-zone/management`"), md);
    });

    it("marks the markdown '❌ blocked' with a Diagnostics section when stacks did not converge", () => {
      const report = reportOf("qa", {}, { unconverged: ["ml"], passes: 1 });
      const md = renderMarkdown(report);
      assert.match(md, /^## Offline plan\n\n\*\*❌ blocked\*\* · /);
      assert.ok(md.includes("### Diagnostics\n\n- not converged after 1 passes: `ml`\n"), md);
      assert.ok(renderText(report).includes("    stacks planned: 1 (1 pass; not converged: ml)\n"), renderText(report));
    });

    it("shows a stack's warnings in the text and the markdown Diagnostics; warnings alone do not block", () => {
      const report = reportOf("qa", { warnings: ["model defect-detector | has no F1 score"] });
      const md = renderMarkdown(report);
      assert.ok(md.includes("### Diagnostics\n\n- `qa` warning: model defect-detector \\| has no F1 score\n"), md);
      // Like runPlan's exit status (0 unless violations, failed checks or no convergence).
      assert.match(md, /^## Offline plan\n\n\*\*✅ clean\*\* · /);
      // With a failed check as well, the same report is blocked and keeps its diagnostics.
      const failed = { ...report, checks: [{ check: "deploy-roles-exist", ok: false, message: "qa assumes no role", stacks: ["qa"] }] };
      const blocked = renderMarkdown(failed);
      assert.match(blocked, /^## Offline plan\n\n\*\*❌ blocked\*\* · 1 stacks · \d+ resources · 0 mandatory violation\(s\) · 1 failed cross-stack check\(s\)\n/);
      assert.ok(blocked.includes("### Diagnostics\n\n- `qa` warning: "), blocked);
      assert.ok(blocked.includes("- ❌ **deploy-roles-exist**: qa assumes no role\n"), blocked);
      const lines = renderText(report).split("\n");
      const at = lines.indexOf("Diagnostics:");
      assert.ok(at > 0);
      assert.equal(lines[at + 1], "    warning: model defect-detector | has no F1 score");
    });

    it("shows the management stack's adopted organization and accounts as '=' rows and counts them as imports, not creates", () => {
      const management = find(plans, "management");
      const imported = management.resources.filter((r) => r.importId);
      assert.deepEqual(imported.map((r) => [r.type, r.name, r.importId]), [
        ["aws:organizations/account:Account", "org-account-cicd", "222222222222"],
        ["aws:organizations/account:Account", "org-account-lakehouse", "333333333333"],
        ["aws:organizations/account:Account", "org-account-ml", "444444444444"],
        ["aws:organizations/account:Account", "org-account-prod", "666666666666"],
        ["aws:organizations/account:Account", "org-account-qa", "555555555555"],
        // The organization exists (its accounts are adopted): imported by id, never created.
        ["aws:organizations/organization:Organization", "org-organization", "o-exampleorg1"],
      ]);
      const lines = renderText(reportOf("management")).split("\n");
      for (const name of ["org-account-cicd", "org-account-lakehouse", "org-account-ml", "org-account-prod", "org-account-qa"]) {
        const row = lines.filter((l) => l.endsWith(` ${name}`));
        assert.equal(row.length, 1, name);
        assert.match(row[0], /^ = {2} .*aws:organizations\/account:Account +org-account-/, row[0]);
      }
      const created = management.resources.filter((r) => r.type !== "pulumi:pulumi:StackReference" && !r.importId).length;
      const at = lines.indexOf("Resources:");
      assert.deepEqual(lines.slice(at + 1, at + 3), [`    + ${created} to create`, "    = 6 to import"]);
      assert.equal(lines.filter((l) => l.startsWith(" +  ")).length, created);
      assert.ok(!renderText(reportOf("qa")).includes("to import"), "qa adopts nothing");
    });
  });
});
