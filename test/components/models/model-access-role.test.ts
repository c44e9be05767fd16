import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { recordProgram, only, ofType, parseJsonInput, promiseOf } from "../../helpers/pulumi";
import { ModelAccessRole, validateModelAccessRoleArgs, type ModelAccessRoleArgs } from "../../../components/models/model-access-role";
import { computeGrants } from "../../../components/models/grants";
import { grants, grantsOf, assertGrants } from "../../helpers/iam";

const V1 = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";
const V2 = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-20T08.00.00/1763625600000";
const SM = "arn:aws:sagemaker:us-east-1:444444444444:model/bikeshare-classifier-20261101";
const SM_ENDPOINT = "arn:aws:sagemaker:us-east-1:444444444444:endpoint/mlz-bikeshare-classifier-20261101";
const ORG = "o-abcdef1234";

const grantsFor = (env: string, configured: Record<string, { kind: "rekognition" | "sagemaker"; versionArn: string }>, live?: Record<string, string>) =>
  computeGrants([{ env, configured, live }]).environments[env];

const qaArgs = (over: Partial<ModelAccessRoleArgs> = {}): ModelAccessRoleArgs => ({
  environment: "qa",
  consumerAccountId: "555555555555",
  organizationId: ORG,
  grants: grantsFor("qa", { "defect-detector": { kind: "rekognition", versionArn: V1 }, "bikeshare-classifier": { kind: "sagemaker", versionArn: SM } }),
  ...over,
});

describe("ModelAccessRole", () => {
  it("names the trusted account and application roles in the given partition (GovCloud, China)", async () => {
    for (const partition of ["aws-us-gov", "aws-cn"]) {
      const { resources } = await recordProgram(() => new ModelAccessRole("qa-access", qaArgs({ partition, consumerAccountId: pulumi.output("555555555555") })));
      const trust = parseJsonInput(only(resources, "aws:iam/role:Role", "qa-access-role"), "assumeRolePolicy") as any;
      assert.equal(trust.Statement[0].Principal.AWS, `arn:${partition}:iam::555555555555:root`);
      assert.deepEqual(trust.Statement[0].Condition.ArnEquals["aws:PrincipalArn"], [
        `arn:${partition}:iam::555555555555:role/mlz-app-bikeshare-classifier`,
        `arn:${partition}:iam::555555555555:role/mlz-app-defect-detector`,
      ]);
    }
  });

  it("qa: trusts exactly the application roles in the org and allows the granted actions on exactly the granted resources", async () => {
    const { resources, result } = await recordProgram(() => new ModelAccessRole("qa-access", qaArgs({
      consumerAccountId: pulumi.output("555555555555"),
      organizationId: pulumi.output(ORG),
    })));
    const component = only(resources, "mlz:models:ModelAccessRole", "qa-access");
    const role = only(resources, "aws:iam/role:Role", "qa-access-role");
    assert.equal(role.parent, component.urn);
    assert.equal(role.inputs.name, "mlz-model-access-qa");
    assert.equal(role.inputs.maxSessionDuration, 3600);
    assert.deepEqual(grantsOf(parseJsonInput(role, "assumeRolePolicy")), grants({
      effect: "Allow",
      principal: { AWS: "arn:aws:iam::555555555555:root" },
      actions: ["sts:AssumeRole"],
      conditions: {
        ArnEquals: { "aws:PrincipalArn": ["arn:aws:iam::555555555555:role/mlz-app-bikeshare-classifier", "arn:aws:iam::555555555555:role/mlz-app-defect-detector"] },
        StringEquals: { "aws:PrincipalOrgID": ORG },
      },
    }));
    const policy = only(resources, "aws:iam/rolePolicy:RolePolicy", "qa-access-invoke");
    assert.equal(policy.parent, component.urn);
    assert.equal(policy.inputs.role, "mlz-model-access-qa");
    assert.deepEqual(grantsOf(parseJsonInput(policy, "policy")), grants(
      { effect: "Allow", actions: ["rekognition:DetectCustomLabels"], resources: [V1] },
      { effect: "Allow", actions: ["sagemaker:InvokeEndpoint"], resources: [SM_ENDPOINT] },
    ));
    assert.deepEqual(await promiseOf(result.grantedVersionArns), [V1, SM]);
    assert.equal(ofType(resources, "aws:iam/policy:Policy").length, 0);
    assert.equal(ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
  });

  it("prod: requires each call to come through the prod VPC endpoint of its service", async () => {
    const { resources } = await recordProgram(() => new ModelAccessRole("prod-access", {
      environment: "prod",
      consumerAccountId: "666666666666",
      organizationId: ORG,
      grants: grantsFor("prod", { "defect-detector": { kind: "rekognition", versionArn: V1 }, "bikeshare-classifier": { kind: "sagemaker", versionArn: SM } }),
      requireVpcEndpointIds: { rekognition: "vpce-0aaa1111bbbb2222c", "sagemaker.runtime": pulumi.output("vpce-0ddd3333eeee4444f"), sts: "vpce-0123456789abcdef0" },
    }));
    const role = only(resources, "aws:iam/role:Role", "prod-access-role");
    assert.equal(role.inputs.name, "mlz-model-access-prod");
    const trust = parseJsonInput(role, "assumeRolePolicy");
    assert.deepEqual(trust.Statement[0].Principal, { AWS: "arn:aws:iam::666666666666:root" });
    assert.deepEqual(trust.Statement[0].Condition.ArnEquals, {
      "aws:PrincipalArn": ["arn:aws:iam::666666666666:role/mlz-app-bikeshare-classifier", "arn:aws:iam::666666666666:role/mlz-app-defect-detector"],
    });
    assertGrants(parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy"), "policy"), {
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
  });

  it("grants both versions during a promotion, in one statement, sorted", async () => {
    const { resources } = await recordProgram(() => new ModelAccessRole("prod-access", {
      environment: "prod",
      consumerAccountId: "666666666666",
      organizationId: ORG,
      grants: grantsFor("prod", { "defect-detector": { kind: "rekognition", versionArn: V2 } }, { "defect-detector": V1 }),
    }));
    const statements = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy"), "policy").Statement;
    assertGrants(statements, [{ Effect: "Allow", Action: "rekognition:DetectCustomLabels", Resource: [V1, V2] }]);
  });

  it("has no permission policy at all when nothing is granted", async () => {
    const { resources, result } = await recordProgram(() => new ModelAccessRole("qa-access", qaArgs({ grants: [], trustedModels: ["defect-detector"] })));
    assert.equal(ofType(resources, "aws:iam/rolePolicy:RolePolicy").length, 0);
    assert.equal(ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
    const role = only(resources, "aws:iam/role:Role");
    assert.equal(role.inputs.inlinePolicies, undefined);
    assert.equal(role.inputs.managedPolicyArns, undefined);
    assert.deepEqual(parseJsonInput(role, "assumeRolePolicy").Statement[0].Condition.ArnEquals, {
      "aws:PrincipalArn": ["arn:aws:iam::555555555555:role/mlz-app-defect-detector"],
    });
    assert.deepEqual(await promiseOf(result.grantedVersionArns), []);
  });

  describe("validation (before any child is declared)", () => {
    const cases: [string, Partial<ModelAccessRoleArgs>, string][] = [
      ["environment", { environment: "Prod" }, "[environment] must be a lower-case environment name matching /^[a-z][a-z0-9-]{0,30}$/; got \"Prod\""],
      ["consumerAccountId", { consumerAccountId: "55555" }, "[consumerAccountId] must be a 12-digit AWS account id; got '55555'"],
      ["organizationId", { organizationId: "r-abcd" }, "[organizationId] must be an AWS Organizations id (o-…); got 'r-abcd'"],
      ["trustedModels empty", { grants: [] }, "[trustedModels] must name at least one model whose application role may assume the role; got none"],
      ["trustedModels name", { trustedModels: ["Bad_Model"] }, "[trustedModels] must hold model names matching /^[a-z0-9][a-z0-9-]{0,62}$/; got 'Bad_Model'"],
      ["wildcard grant", {
        grants: [{ model: "defect-detector", kind: "rekognition", versionArn: V1, action: "rekognition:DetectCustomLabels", resource: "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/*/*", sources: ["config"] }],
      }, "[grants] must hold exact Rekognition project-version ARNs; got 'arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/*/*' for model 'defect-detector'"],
      ["broader action", {
        grants: [{ model: "defect-detector", kind: "rekognition", versionArn: V1, action: "rekognition:*", resource: V1, sources: ["config"] }],
      }, "[grants] must use the action 'rekognition:DetectCustomLabels' for rekognition models; got 'rekognition:*' for model 'defect-detector'"],
      ["missing endpoint", { requireVpcEndpointIds: { rekognition: "vpce-0aaa1111bbbb2222c" } },
        "[requireVpcEndpointIds] must hold the 'sagemaker.runtime' endpoint id for the sagemaker grants of 'qa'; got keys [\"rekognition\"]"],
      ["bad endpoint", { requireVpcEndpointIds: { rekognition: "vpc-123", "sagemaker.runtime": "vpce-0ddd3333eeee4444f" } },
        "[requireVpcEndpointIds] must hold VPC endpoint ids (vpce-…); got 'vpc-123' for 'rekognition'"],
      ["session", { maxSessionDurationSeconds: 60 }, "[maxSessionDurationSeconds] must be a whole number from 900 to 43200; got 60"],
    ];
    it("validateModelAccessRoleArgs: applies the defaults and sorts the trusted models and kinds", () => {
      const v = validateModelAccessRoleArgs(qaArgs());
      assert.deepEqual(v.trustedModels, ["bikeshare-classifier", "defect-detector"]);
      assert.deepEqual(v.kinds, ["rekognition", "sagemaker"]);
      assert.equal(v.maxSession, 3600);
      assert.equal(v.partition, "aws");
    });
    for (const [what, over, message] of cases) {
      it(`validateModelAccessRoleArgs refuses a bad ${what}`, () => {
        assert.throws(() => validateModelAccessRoleArgs(qaArgs(over)), { message });
      });
      it(`refuses a bad ${what}`, async () => {
        let thrown: Error | undefined;
        const { resources } = await recordProgram(() => {
          try {
            new ModelAccessRole("qa-access", qaArgs(over));
          } catch (err) {
            thrown = err as Error;
          }
        });
        assert.equal(thrown?.message, message);
        assert.equal(ofType(resources, "aws:iam/role:Role").length, 0);
      });
    }
  });
});
