import * as assert from "node:assert/strict";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policyDocument } from "../../components/iam/policy-document";
import { modelAccessRoleName, modelParameterName } from "../../components/naming";
import type { PlannedResource, StackPlan } from "../../lib/plan-model";
import { evaluateStack, hasMandatoryViolation, resourceValidationArgs, stackResources } from "../../policies/evaluate";

const PROJECT = "ml-landing-zone";
const urn = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::${PROJECT}::${type}::${name}`;
const V1 = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";

function res(stack: string, type: string, name: string, inputs: Record<string, unknown>, extra: Partial<PlannedResource> = {}): PlannedResource {
  return {
    urn: urn(stack, type, name),
    type,
    name,
    custom: !type.startsWith("mlz:"),
    inputs,
    outputs: { ...inputs, id: `${name}-id` },
    dependencies: [],
    ...extra,
  };
}

/**
 * A small prod stack: tagged provider, a component, a compliant bucket, a role with a wildcard
 * inline policy, an untagged queue on no provider, and a model parameter.
 */
function prodPlan(): StackPlan {
  const s = "prod";
  const provider = res(s, "pulumi:providers:aws", "account", {
    region: "us-east-1",
    defaultTags: JSON.stringify({ tags: { environment: "prod", owner: "apps@example.com", pipeline: "ml-landing-zone" } }),
  });
  const providerRef = `${provider.urn}::account-id`;
  const component = res(s, "mlz:storage:SecureBucket", "data", {});
  const child = (type: string, name: string, inputs: Record<string, unknown>) => res(s, type, name, inputs, { provider: providerRef, parent: component.urn });
  const bucket = "mlz-prod-data";
  return {
    stack: s,
    role: "workload",
    configFile: "stacks/Pulumi.prod.yaml",
    config: {},
    account: "666666666666",
    region: "us-east-1",
    outputs: {},
    resources: [
      provider,
      component,
      child("aws:s3/bucket:Bucket", "data-bucket", { bucket }),
      child("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "data-sse", {
        bucket,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
      }),
      child("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "data-pab", {
        bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      }),
      child("aws:s3/bucketPolicy:BucketPolicy", "data-policy", {
        bucket,
        policy: JSON.stringify(
          policyDocument([
            {
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ]),
        ),
      }),
      res(s, "aws:iam/role:Role", "app-role", {
        name: "mlz-app-x",
        assumeRolePolicy: JSON.stringify(policyDocument([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }])),
        inlinePolicies: [{ name: "all", policy: JSON.stringify(policyDocument([{ Sid: "All", Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::x" }])) }],
      }, { provider: providerRef }),
      res(s, "aws:sqs/queue:Queue", "loose-queue", { name: "loose" }),
      res(s, "aws:ssm/parameter:Parameter", "defect-parameter", { name: modelParameterName("defect-detector"), type: "String", insecureValue: V1 }, { provider: providerRef }),
    ],
  };
}

function mlPlan(granted: string[]): StackPlan {
  const s = "ml";
  const role = modelAccessRoleName("prod");
  return {
    stack: s,
    role: "ml",
    configFile: "stacks/Pulumi.ml.yaml",
    config: {},
    account: "444444444444",
    outputs: {},
    resources: [
      res(s, "aws:iam/rolePolicy:RolePolicy", "access-prod-permissions", {
        role,
        policy: JSON.stringify(policyDocument([{ Effect: "Allow", Action: "rekognition:DetectCustomLabels", Resource: granted }])),
      }),
    ],
  };
}

const qaPlan = (): StackPlan => ({
  stack: "qa",
  role: "workload",
  configFile: "stacks/Pulumi.qa.yaml",
  config: { models: { "defect-detector": { kind: "rekognition", versionArn: V1 } } },
  resources: [],
  outputs: {},
});

const ORG = () => [mlPlan([V1]), qaPlan()];

const EXPECTED = [
  {
    policy: "iam-no-wildcard-actions",
    enforcementLevel: "mandatory",
    message: "IAM inline policy 'all' statement 'All' must not allow Action '*'; list the actions the role needs.",
    stack: "prod",
    urn: urn("prod", "aws:iam/role:Role", "app-role"),
    resourceName: "app-role",
    resourceType: "aws:iam/role:Role",
  },
  {
    policy: "required-tags",
    enforcementLevel: "mandatory",
    message: "Resource must carry the tags environment, owner, pipeline (own tags or provider defaultTags); missing environment, owner, pipeline.",
    stack: "prod",
    urn: urn("prod", "aws:sqs/queue:Queue", "loose-queue"),
    resourceName: "loose-queue",
    resourceType: "aws:sqs/queue:Queue",
  },
  {
    policy: "s3-bucket-versioning",
    enforcementLevel: "mandatory",
    message: "S3 bucket 'mlz-prod-data' holds data-lake or log data and must have versioning enabled.",
    stack: "prod",
    urn: urn("prod", "aws:s3/bucket:Bucket", "data-bucket"),
    resourceName: "data-bucket",
    resourceType: "aws:s3/bucket:Bucket",
  },
];

describe("policies/evaluate", () => {
  it("runs resource and stack rules over a planned stack and names rule, resource and stack", async () => {
    const results = await evaluateStack(prodPlan(), { organization: ORG(), policyConfig: { "s3-bucket-versioning": { bucketPatterns: ["data"] } } });
    assert.deepEqual(results, EXPECTED);
    assert.equal(hasMandatoryViolation(results), true);
  });

  it("is deterministic: same results for shuffled resources and repeated runs", async () => {
    const opts = { organization: ORG(), policyConfig: { "s3-bucket-versioning": { bucketPatterns: ["data"] } } };
    const shuffled = prodPlan();
    shuffled.resources = [...shuffled.resources].reverse();
    const a = await evaluateStack(prodPlan(), opts);
    const b = await evaluateStack(shuffled, opts);
    const c = await evaluateStack(prodPlan(), opts);
    assert.deepEqual(b, a);
    assert.deepEqual(c, a);
  });

  it("passes org-wide context to stack rules: an ungranted or unpromoted version is reported", async () => {
    const results = await evaluateStack(prodPlan(), {
      organization: [mlPlan([]), { ...qaPlan(), config: { models: {} } }],
      policyConfig: { all: "disabled", "model-parameters-granted": "mandatory", "prod-models-in-qa": "advisory" },
    });
    assert.deepEqual(
      results.map((r) => [r.policy, r.enforcementLevel, r.resourceName]),
      [
        ["model-parameters-granted", "mandatory", "defect-parameter"],
        ["prod-models-in-qa", "advisory", "defect-parameter"],
      ],
    );
  });

  it("applies config precedence: disabled rules produce nothing, advisory results are still returned", async () => {
    const results = await evaluateStack(prodPlan(), {
      organization: ORG(),
      policyConfig: { all: "advisory", "required-tags": "disabled", "iam-no-wildcard-actions": { enforcementLevel: "remediate" } },
    });
    assert.deepEqual(
      results.map((r) => [r.policy, r.enforcementLevel]),
      [["iam-no-wildcard-actions", "mandatory"]],
    );
    const advisoryOnly = await evaluateStack(prodPlan(), { organization: ORG(), policyConfig: { all: "advisory", "s3-bucket-versioning": { bucketPatterns: ["data"] } } });
    assert.equal(advisoryOnly.length, 3);
    assert.equal(hasMandatoryViolation(advisoryOnly), false);
  });

  it("resolves a resource's provider from its `<urn>::<id>` reference", () => {
    const plan = prodPlan();
    const role = plan.resources.find((r) => r.name === "app-role")!;
    const args = resourceValidationArgs(role, plan, {});
    assert.equal(args.provider?.name, "account");
    assert.equal(args.provider?.type, "pulumi:providers:aws");
    assert.equal(args.props, role.inputs);
    const loose = plan.resources.find((r) => r.name === "loose-queue")!;
    assert.equal(resourceValidationArgs(loose, plan, {}).provider, undefined);
  });

  it("links parents and dependencies for stack rules and hands them outputs", () => {
    const plan = prodPlan();
    const bucket = plan.resources.find((r) => r.name === "data-bucket")!;
    bucket.dependencies = [plan.resources.find((r) => r.name === "app-role")!.urn, "urn:missing"];
    const resources = stackResources(plan);
    const b = resources.find((r) => r.name === "data-bucket")!;
    assert.equal(b.parent?.type, "mlz:storage:SecureBucket");
    assert.deepEqual(b.dependencies.map((d) => d.name), ["app-role"]);
    assert.equal(b.props.id, "data-bucket-id");
  });

  it("awaits async validators, runs every validator of an array, and treats notApplicable as silence", async () => {
    const calls: string[] = [];
    const custom: ResourceValidationPolicy = {
      name: "custom-resource-rule",
      description: "Checks whether async validators run.",
      enforcementLevel: "advisory",
      validateResource: [
        async (args, report) => {
          await new Promise((r) => setImmediate(r));
          calls.push(`first:${args.name}`);
          if (args.type === "aws:sqs/queue:Queue") report("Queue must be async-checked.");
        },
        (args) => {
          calls.push(`second:${args.name}`);
          args.notApplicable("never applies");
        },
      ],
    };
    const stackRule: StackValidationPolicy = {
      name: "custom-stack-rule",
      description: "Checks whether stack rules get every resource.",
      enforcementLevel: "mandatory",
      validateStack: async (args, report) => report(`Stack must be small; has ${args.resources.length} resources.`),
    };
    const results = await evaluateStack(prodPlan(), { policies: [custom, stackRule] });
    assert.deepEqual(results, [
      {
        policy: "custom-resource-rule",
        enforcementLevel: "advisory",
        message: "Queue must be async-checked.",
        stack: "prod",
        urn: urn("prod", "aws:sqs/queue:Queue", "loose-queue"),
        resourceName: "loose-queue",
        resourceType: "aws:sqs/queue:Queue",
      },
      { policy: "custom-stack-rule", enforcementLevel: "mandatory", message: "Stack must be small; has 9 resources.", stack: "prod" },
    ]);
    assert.equal(calls.length, 18);
  });

  it("names the rule and resource when a rule throws", async () => {
    const broken: ResourceValidationPolicy = {
      name: "broken-rule",
      description: "Checks whether errors surface.",
      enforcementLevel: "mandatory",
      validateResource: () => {
        throw new Error("boom");
      },
    };
    await assert.rejects(evaluateStack(prodPlan(), { policies: [broken] }), {
      message: `policy 'broken-rule' failed on ${urn("prod", "pulumi:providers:aws", "account")}: boom`,
    });
  });

  it("refuses invalid policy config", async () => {
    await assert.rejects(evaluateStack(prodPlan(), { policyConfig: { "required-tags": { tags: "environment" } } }), {
      message: "policy pack configuration is invalid:\nrequired-tags: tags: Invalid type. Expected: array, given: string",
    });
  });
});
