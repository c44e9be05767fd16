import { strict as assert } from "node:assert";
import { computeGrants, type ConsumerState } from "../../../components/models/grants";

const V1 = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";
const V2 = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-20T08.00.00/1763625600000";
const V0 = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-10-01T09.00.00/1759309200000";
const SM = "arn:aws:sagemaker:us-east-1:444444444444:model/bikeshare-classifier-20261101";
const SM_ENDPOINT = "arn:aws:sagemaker:us-east-1:444444444444:endpoint/mlz-bikeshare-classifier-20261101";

describe("computeGrants", () => {
  it("grants each environment what its config asks for, with the action and exact resource per kind", () => {
    const plan = computeGrants([
      { env: "qa", configured: { "defect-detector": { kind: "rekognition", versionArn: V1 }, "bikeshare-classifier": { kind: "sagemaker", versionArn: SM } } },
    ]);
    assert.deepEqual(plan.environments, {
      qa: [
        { model: "bikeshare-classifier", kind: "sagemaker", versionArn: SM, action: "sagemaker:InvokeEndpoint", resource: SM_ENDPOINT, sources: ["config"] },
        { model: "defect-detector", kind: "rekognition", versionArn: V1, action: "rekognition:DetectCustomLabels", resource: V1, sources: ["config"] },
      ],
    });
    assert.deepEqual(plan.referenced, [
      { versionArn: V1, model: "defect-detector", kind: "rekognition", environments: ["qa"] },
      { versionArn: SM, model: "bikeshare-classifier", kind: "sagemaker", environments: ["qa"] },
    ]);
    assert.deepEqual(plan.unreferenced, []);
  });

  it("grants the union of config and live outputs during a promotion", () => {
    const plan = computeGrants([
      { env: "prod", configured: { "defect-detector": { kind: "rekognition", versionArn: V2 } }, live: { "defect-detector": V1 } },
    ]);
    assert.deepEqual(plan.environments.prod.map((g) => [g.versionArn, g.sources]), [[V1, ["live"]], [V2, ["config"]]]);
  });

  it("merges the sources of a version both configured and live", () => {
    const plan = computeGrants([
      { env: "qa", configured: { "defect-detector": { kind: "rekognition", versionArn: V1 } }, live: { "defect-detector": V1 } },
    ]);
    assert.deepEqual(plan.environments.qa.map((g) => g.sources), [["config", "live"]]);
  });

  it("treats absent live outputs (before the first deployment) as nothing live", () => {
    const plan = computeGrants([{ env: "qa", configured: { "defect-detector": { kind: "rekognition", versionArn: V1 } }, live: undefined }]);
    assert.deepEqual(plan.environments.qa.map((g) => g.versionArn), [V1]);
  });

  it("keeps a version live in an environment whose config no longer names the model", () => {
    const plan = computeGrants([{ env: "qa", configured: {}, live: { "defect-detector": V1 } }]);
    assert.deepEqual(plan.environments.qa.map((g) => [g.model, g.kind, g.versionArn, g.sources]), [["defect-detector", "rekognition", V1, ["live"]]]);
  });

  it("reports known versions no environment references, sorted, and never grants them", () => {
    const plan = computeGrants(
      [
        { env: "qa", configured: { "defect-detector": { kind: "rekognition", versionArn: V2 } } },
        { env: "prod", configured: { "defect-detector": { kind: "rekognition", versionArn: V1 } } },
      ],
      [V2, V1, V0, V0],
    );
    assert.deepEqual(plan.unreferenced, [V0]);
    for (const grants of Object.values(plan.environments)) assert.ok(grants.every((g) => g.versionArn !== V0));
    assert.deepEqual(plan.referenced.map((r) => [r.versionArn, r.environments]), [[V1, ["prod"]], [V2, ["qa"]]]);
  });

  it("is deterministic whatever the order of consumers and models", () => {
    const a: ConsumerState[] = [
      { env: "qa", configured: { "defect-detector": { kind: "rekognition", versionArn: V2 }, "bikeshare-classifier": { kind: "sagemaker", versionArn: SM } }, live: { "defect-detector": V1 } },
      { env: "prod", configured: { "defect-detector": { kind: "rekognition", versionArn: V1 } } },
    ];
    const b: ConsumerState[] = [
      { env: "prod", configured: { "defect-detector": { kind: "rekognition", versionArn: V1 } } },
      { env: "qa", live: { "defect-detector": V1 }, configured: { "bikeshare-classifier": { kind: "sagemaker", versionArn: SM }, "defect-detector": { kind: "rekognition", versionArn: V2 } } },
    ];
    assert.deepEqual(JSON.stringify(computeGrants(a)), JSON.stringify(computeGrants(b)));
    assert.deepEqual(Object.keys(computeGrants(a).environments), ["prod", "qa"]);
    assert.deepEqual(computeGrants(a).referenced.find((r) => r.versionArn === V1)?.environments, ["prod", "qa"]);
  });

  describe("promotion over two applies of the ML stack", () => {
    it("first grants old and new, then only the new once the environment switched", () => {
      const configured = { "defect-detector": { kind: "rekognition" as const, versionArn: V2 } };
      // Apply 1: the pull request changed prod's config to V2; prod still runs V1.
      const first = computeGrants([{ env: "prod", configured, live: { "defect-detector": V1 } }], [V1, V2]);
      assert.deepEqual(first.environments.prod.map((g) => g.resource), [V1, V2]);
      assert.deepEqual(first.unreferenced, []);
      // Apply 2: prod deployed; its output now holds V2.
      const second = computeGrants([{ env: "prod", configured, live: { "defect-detector": V2 } }], [V1, V2]);
      assert.deepEqual(second.environments.prod.map((g) => g.resource), [V2]);
      assert.deepEqual(second.unreferenced, [V1]);
    });
  });

  describe("errors", () => {
    it("refuses a configured ARN of the wrong kind", () => {
      assert.throws(
        () => computeGrants([{ env: "qa", configured: { "defect-detector": { kind: "rekognition", versionArn: SM } } }]),
        { message: `[consumers.qa.models.defect-detector] expected a Rekognition project-version ARN (arn:aws:rekognition:<region>:<12-digit account>:project/<project>/version/<version>/<13-digit timestamp>); got '${SM}' (service 'sagemaker')` },
      );
    });

    it("refuses a live value that is not a model-version ARN", () => {
      assert.throws(
        () => computeGrants([{ env: "prod", configured: {}, live: { "defect-detector": "arn:aws:s3:::x" } }]),
        { message: "[consumers.prod.live.defect-detector] expected a Rekognition project-version ARN (arn:aws:rekognition:<region>:<12-digit account>:project/<project>/version/<version>/<13-digit timestamp>); got 'arn:aws:s3:::x'" },
      );
    });

    it("refuses bad and duplicate environment names", () => {
      assert.throws(() => computeGrants([{ env: "Prod", configured: {} }]), { message: "[consumers] environment names must match /^[a-z][a-z0-9-]{0,30}$/; got \"Prod\"" });
      assert.throws(() => computeGrants([{ env: "qa", configured: {} }, { env: "qa", configured: {} }]), { message: "[consumers] environment 'qa' is listed twice" });
    });

    it("refuses the same version used under two model names", () => {
      assert.throws(
        () => computeGrants([
          { env: "qa", configured: { "defect-detector": { kind: "rekognition", versionArn: V1 } } },
          { env: "prod", configured: { "defects": { kind: "rekognition", versionArn: V1 } } },
        ]),
        { message: `[consumers] version ${V1} is used as model 'defects' and as model 'defect-detector' (in 'qa')` },
      );
    });
  });
});
