import { strict as assert } from "node:assert";
import { createSimulator, providerPlacement, RESOURCE_SIMULATIONS } from "../../plan/simulated-aws";

const PROVIDER_INPUTS = {
  region: "eu-west-1",
  assumeRoles: JSON.stringify([{ roleArn: "arn:aws:iam::555555555555:role/mlz-deploy", sessionName: "mlz-qa" }]),
};

/** A simulator with one provider registered; returns a function declaring resources through it. */
function simulatorWithProvider(inputs: Record<string, unknown> = PROVIDER_INPUTS) {
  const { simulator, log } = createSimulator({ defaultAccount: "111111111111", stackOutputs: () => undefined }, "ml-landing-zone", "qa");
  const provider = simulator.newResource({ type: "pulumi:providers:aws", name: "account", inputs, custom: true }) as { id: string };
  const ref = `urn:pulumi:qa::ml-landing-zone::pulumi:providers:aws::account::${provider.id}`;
  const declare = (type: string, name: string, resInputs: Record<string, unknown> = {}, id?: string) =>
    simulator.newResource({ type, name, inputs: resInputs, provider: ref, custom: true, id }) as { id: string; state: Record<string, any> };
  return { simulator, log, declare, ref };
}

describe("simulated AWS", () => {
  it("places a provider in the account of the role it assumes and its region", () => {
    assert.deepEqual(providerPlacement(PROVIDER_INPUTS, "111111111111"), { account: "555555555555", region: "eu-west-1", partition: "aws" });
    assert.deepEqual(providerPlacement({ region: "cn-north-1", allowedAccountIds: JSON.stringify(["222222222222"]) }, "111111111111"),
      { account: "222222222222", region: "cn-north-1", partition: "aws-cn" });
    assert.throws(() => providerPlacement({}, "111111111111"), /^Error: simulated AWS: provider has no valid region \(got ''\); every provider must set one$/);
  });

  it("answers IAM roles with the real ARN format in the provider's account", () => {
    const { declare } = simulatorWithProvider();
    const named = declare("aws:iam/role:Role", "app", { name: "mlz-app-defect-detector" });
    assert.equal(named.id, "mlz-app-defect-detector");
    assert.equal(named.state.arn, "arn:aws:iam::555555555555:role/mlz-app-defect-detector");
    assert.match(named.state.uniqueId, /^AROA[A-Z0-9]{17}$/);
    const auto = declare("aws:iam/role:Role", "fn-role");
    assert.match(auto.state.arn, /^arn:aws:iam::555555555555:role\/fn-role-[0-9a-f]{7}$/);
  });

  it("answers buckets, SSM parameters, Lambda functions and log groups in their formats", () => {
    const { declare } = simulatorWithProvider();
    const bucket = declare("aws:s3/bucket:Bucket", "data", { bucket: "example-lakehouse-images" });
    assert.equal(bucket.state.arn, "arn:aws:s3:::example-lakehouse-images");
    assert.equal(bucket.state.bucketRegionalDomainName, "example-lakehouse-images.s3.eu-west-1.amazonaws.com");
    const param = declare("aws:ssm/parameter:Parameter", "p", { name: "/mlz/models/defect-detector/arn" });
    assert.equal(param.state.arn, "arn:aws:ssm:eu-west-1:555555555555:parameter/mlz/models/defect-detector/arn");
    const fn = declare("aws:lambda/function:Function", "smoke", { name: "mlz-smoke-test" });
    assert.equal(fn.state.arn, "arn:aws:lambda:eu-west-1:555555555555:function:mlz-smoke-test");
    const logs = declare("aws:cloudwatch/logGroup:LogGroup", "l", { name: "/mlz/lambda/smoke" });
    assert.equal(logs.state.arn, "arn:aws:logs:eu-west-1:555555555555:log-group:/mlz/lambda/smoke");
  });

  it("answers organization resources with organization, root, OU, account and policy id formats", () => {
    const { declare } = simulatorWithProvider({ region: "us-east-1", allowedAccountIds: JSON.stringify(["111111111111"]) });
    const org = declare("aws:organizations/organization:Organization", "org");
    assert.match(org.id, /^o-[a-z0-9]{10}$/);
    assert.match(org.state.roots[0].id, /^r-[a-z0-9]{4}$/);
    assert.equal(org.state.arn, `arn:aws:organizations::111111111111:organization/${org.id}`);
    assert.match(declare("aws:organizations/organizationalUnit:OrganizationalUnit", "ou").id, /^ou-[a-z0-9]{4}-[a-z0-9]{8}$/);
    assert.match(declare("aws:organizations/account:Account", "new").id, /^[1-9]\d{11}$/);
    assert.equal(declare("aws:organizations/account:Account", "adopted", {}, "444444444444").id, "444444444444");
    assert.match(declare("aws:organizations/policy:Policy", "scp").id, /^p-[a-z0-9]{8}$/);
  });

  it("answers network resources with EC2 id formats", () => {
    const { declare } = simulatorWithProvider();
    assert.match(declare("aws:ec2/vpc:Vpc", "vpc").id, /^vpc-[0-9a-f]{17}$/);
    assert.match(declare("aws:ec2/subnet:Subnet", "a").id, /^subnet-[0-9a-f]{17}$/);
    assert.match(declare("aws:ec2/securityGroup:SecurityGroup", "sg").id, /^sg-[0-9a-f]{17}$/);
    const vpce = declare("aws:ec2/vpcEndpoint:VpcEndpoint", "rk", { serviceName: "com.amazonaws.eu-west-1.rekognition", vpcEndpointType: "Interface" });
    assert.match(vpce.id, /^vpce-[0-9a-f]{17}$/);
    assert.match(vpce.state.dnsEntries[0].dnsName, new RegExp(`^${vpce.id}-[a-z0-9]{8}\\.rekognition\\.eu-west-1\\.vpce\\.amazonaws\\.com$`));
  });

  it("answers Rekognition projects and SageMaker resources in their formats", () => {
    const { declare } = simulatorWithProvider();
    assert.match(declare("aws:rekognition/project:Project", "p", { name: "defect-detector" }).state.arn,
      /^arn:aws:rekognition:eu-west-1:555555555555:project\/defect-detector\/\d{13}$/);
    assert.equal(declare("aws:sagemaker/endpoint:Endpoint", "e", { name: "mlz-Bikeshare" }).state.arn,
      "arn:aws:sagemaker:eu-west-1:555555555555:endpoint/mlz-bikeshare");
  });

  it("answers S3 access points and Object Lambda access points in their ARN and id formats", () => {
    const { declare } = simulatorWithProvider();
    const ap = declare("aws:s3/accessPoint:AccessPoint", "ap", { bucket: "raw", name: "mlz-raw-images" });
    assert.equal(ap.id, "555555555555:mlz-raw-images");
    assert.equal(ap.state.arn, "arn:aws:s3:eu-west-1:555555555555:accesspoint/mlz-raw-images");
    assert.equal(ap.state.domainName, "mlz-raw-images-555555555555.s3-accesspoint.eu-west-1.amazonaws.com");
    assert.equal(ap.state.networkOrigin, "Internet");
    assert.match(ap.state.alias, /^mlz-raw-images-[a-z0-9]{34}-s3alias$/);
    const olap = declare("aws:s3control/objectLambdaAccessPoint:ObjectLambdaAccessPoint", "olap", { name: "mlz-normalized-images" });
    assert.equal(olap.state.arn, "arn:aws:s3-object-lambda:eu-west-1:555555555555:accesspoint/mlz-normalized-images");
    const policy = declare("aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy", "olap-policy", { name: "mlz-normalized-images", policy: "{}" });
    assert.equal(policy.id, "555555555555:mlz-normalized-images");
  });

  it("simulates only resource types that @pulumi/aws v7 declares", () => {
    const unknown = Object.keys(RESOURCE_SIMULATIONS).filter((type) => {
      const m = /^aws:([^/]+)\/([^:]+):(\w+)$/.exec(type);
      if (!m) return true;
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return require(`@pulumi/aws/${m[1]}/${m[2]}`)[m[3]]?.__pulumiType !== type;
      } catch {
        return true;
      }
    });
    assert.deepEqual(unknown, []);
  });

  it("is deterministic: the same resource gets the same id twice, another resource another id", () => {
    const a = simulatorWithProvider().declare("aws:ec2/vpc:Vpc", "vpc");
    const b = simulatorWithProvider().declare("aws:ec2/vpc:Vpc", "vpc");
    const c = simulatorWithProvider().declare("aws:ec2/vpc:Vpc", "vpc2");
    assert.equal(a.id, b.id);
    assert.notEqual(a.id, c.id);
  });

  it("refuses a resource without an explicit provider", () => {
    const { simulator } = simulatorWithProvider();
    assert.throws(() => simulator.newResource({ type: "aws:s3/bucket:Bucket", name: "b", inputs: {}, custom: true }),
      /^Error: simulated AWS: aws:s3\/bucket:Bucket 'b' has no explicit provider; every resource must name one \(default providers are disabled\)$/);
  });

  it("answers known invokes from the provider's placement and fails on an unknown token, naming it", () => {
    const { simulator, ref } = simulatorWithProvider();
    const call = (token: string) => simulator.call({ token, inputs: {}, provider: ref }) as Record<string, unknown>;
    assert.deepEqual(call("aws:index/getCallerIdentity:getCallerIdentity").accountId, "555555555555");
    assert.deepEqual(call("aws:ec2/getAvailabilityZones:getAvailabilityZones").names,
      ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    assert.throws(() => simulator.call({ token: "aws:iam/getPolicyDocument:getPolicyDocument", inputs: {}, provider: ref }),
      /^Error: simulated AWS: no simulation for invoke 'aws:iam\/getPolicyDocument:getPolicyDocument'; add one to INVOKE_SIMULATIONS in plan\/simulated-aws\.ts$/);
  });

  it("answers dynamic resources by their kind and marks results only AWS knows", () => {
    const { declare } = simulatorWithProvider();
    const job = declare("pulumi-nodejs:dynamic:Resource", "automl", { kind: "mlz:sagemaker:AutoMLJobV2", jobName: "bikeshare-1", region: "eu-west-1", assumeRoleArn: "arn:aws:iam::444444444444:role/mlz-deploy" });
    // A dynamic resource acts where its own inputs say: its region, the account of the role it assumes.
    assert.equal(job.state.jobArn, "arn:aws:sagemaker:eu-west-1:444444444444:automl-job/bikeshare-1");
    // The deploy that starts the job records it InProgress without a candidate (it never waits).
    assert.deepEqual([job.state.status, job.state.bestCandidateName, job.state.inferenceContainers], ["InProgress", "", []]);
    assert.throws(() => declare("pulumi-nodejs:dynamic:Resource", "automl", { kind: "mlz:sagemaker:AutoMLJobV2" }),
      /^Error: simulated AWS: dynamic resource 'automl' has no valid 'region' input \(got ''\)$/);
    assert.throws(() => declare("pulumi-nodejs:dynamic:Resource", "mystery", { region: "eu-west-1" }),
      /^Error: simulated AWS: dynamic resource 'mystery' has kind '\(none\)', which the simulation does not know/);
  });

  it("answers a stack reference with the planned outputs of the named stack, and logs whether they existed", () => {
    const { simulator, log } = createSimulator({
      defaultAccount: "111111111111",
      stackOutputs: (s) => (s === "management" ? { accountIds: { qa: "555555555555" } } : undefined),
    }, "ml-landing-zone", "qa");
    const ref = simulator.newResource({ type: "pulumi:pulumi:StackReference", name: "m", inputs: { name: "organization/ml-landing-zone/management" }, custom: true }) as { state: any };
    assert.deepEqual(ref.state.outputs, { accountIds: { qa: "555555555555" } });
    simulator.newResource({ type: "pulumi:pulumi:StackReference", name: "p", inputs: { name: "organization/ml-landing-zone/prod" }, custom: true });
    assert.deepEqual(log.stackReferences, [
      { name: "organization/ml-landing-zone/management", stack: "management", resolved: true },
      { name: "organization/ml-landing-zone/prod", stack: "prod", resolved: false },
    ]);
    assert.throws(() => simulator.newResource({ type: "pulumi:pulumi:StackReference", name: "x", inputs: { name: "org/other-project/qa" }, custom: true }),
      /names project 'other-project', not 'ml-landing-zone'/);
  });
});
