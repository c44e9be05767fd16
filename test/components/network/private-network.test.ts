import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import { basicSimulator, ofType, only, parseJsonInput, promiseOf, recordProgram, type Registration } from "../../helpers/pulumi";
import { assertGrants } from "../../helpers/iam";
import { installMocks, settle } from "../../../plan/mock-runtime";
import { PrivateNetwork, validatePrivateNetworkArgs, zoneIdPrefix, type PrivateNetworkArgs } from "../../../components/network/private-network";

const ORG = "o-abc123def4";

const simulator = basicSimulator({
  outputs: (a) => (a.type === "aws:ec2/vpcEndpoint:VpcEndpoint" ? { prefixListId: "pl-63a5400a" } : undefined),
});

function args(overrides: Partial<PrivateNetworkArgs> = {}): PrivateNetworkArgs {
  return {
    region: "us-east-1",
    cidrBlock: "10.40.0.0/16",
    availabilityZoneIds: ["use1-az1", "use1-az2"],
    organizationId: ORG,
    ...overrides,
  };
}

async function build(a: PrivateNetworkArgs) {
  return recordProgram(() => {
    const provider = new aws.Provider("acct", { region: a.region as aws.Region });
    const network = new PrivateNetwork("net", a, { provider });
    return { network, provider };
  }, { simulator });
}

const orgOnly = (extra: Record<string, string> = {}) => ({
  Version: "2012-10-17",
  Statement: [{
    Effect: "Allow",
    Principal: "*",
    Action: "*",
    Resource: "*",
    Condition: { StringEquals: { "aws:PrincipalOrgID": ORG, ...extra } },
  }],
});

describe("zoneIdPrefix", () => {
  it("derives the zone-ID prefix of a region as EC2 reports ZoneId", () => {
    assert.deepEqual(["us-east-1", "eu-west-2", "ap-southeast-2", "ap-northeast-1", "ca-central-1", "us-gov-west-1", "cn-north-1"].map(zoneIdPrefix),
      ["use1", "euw2", "apse2", "apne1", "cac1", "usgw1", "cnn1"]);
  });
});

describe("PrivateNetwork", () => {
  let resources: Registration[];
  let network: PrivateNetwork;

  before(async () => {
    const recorded = await build(args());
    resources = recorded.resources;
    network = recorded.result.network;
  });

  it("declares a VPC with DNS support and hostnames", () => {
    const vpc = only(resources, "aws:ec2/vpc:Vpc", "net-vpc");
    assert.equal(vpc.inputs.cidrBlock, "10.40.0.0/16");
    assert.equal(vpc.inputs.enableDnsSupport, true);
    assert.equal(vpc.inputs.enableDnsHostnames, true);
  });

  it("declares one private subnet per zone, placed by zone ID (never by zone name), carved deterministically", () => {
    const subnets = ofType(resources, "aws:ec2/subnet:Subnet");
    assert.deepEqual(
      subnets.map((s) => [s.name, s.inputs.availabilityZoneId, s.inputs.availabilityZone, s.inputs.cidrBlock, s.inputs.mapPublicIpOnLaunch, s.inputs.vpcId]).sort(),
      [
        ["net-subnet-use1-az1", "use1-az1", undefined, "10.40.0.0/18", false, "net-vpc-id"],
        ["net-subnet-use1-az2", "use1-az2", undefined, "10.40.64.0/18", false, "net-vpc-id"],
      ],
    );
  });

  it("gives each subnet its own route table with no routes, and has no way to the internet", () => {
    const tables = ofType(resources, "aws:ec2/routeTable:RouteTable");
    assert.deepEqual(tables.map((t) => [t.name, t.inputs.routes]).sort(), [["net-rt-use1-az1", []], ["net-rt-use1-az2", []]]);
    const assoc = ofType(resources, "aws:ec2/routeTableAssociation:RouteTableAssociation");
    assert.deepEqual(
      assoc.map((a) => [a.name, a.inputs.subnetId, a.inputs.routeTableId]).sort(),
      [
        ["net-rta-use1-az1", "net-subnet-use1-az1-id", "net-rt-use1-az1-id"],
        ["net-rta-use1-az2", "net-subnet-use1-az2-id", "net-rt-use1-az2-id"],
      ],
    );
    for (const type of [
      "aws:ec2/internetGateway:InternetGateway",
      "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
      "aws:ec2/natGateway:NatGateway",
      "aws:ec2/eip:Eip",
      "aws:ec2/route:Route",
    ]) {
      assert.deepEqual(ofType(resources, type), [], type);
    }
  });

  it("opens nothing to 0.0.0.0/0 anywhere", () => {
    const all = JSON.stringify(resources.map((r) => r.inputs));
    assert.equal(all.includes("0.0.0.0/0"), false);
    assert.equal(all.includes("::/0"), false);
  });

  it("empties the VPC's default security group", () => {
    const sg = only(resources, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "net-default-sg");
    assert.equal(sg.inputs.vpcId, "net-vpc-id");
    assert.deepEqual(sg.inputs.ingress, []);
    assert.deepEqual(sg.inputs.egress, []);
  });

  it("allows HTTPS in only from the VPC, and out only to the VPC and the S3 prefix list", () => {
    const sg = only(resources, "aws:ec2/securityGroup:SecurityGroup", "net-endpoints-sg");
    assert.equal(sg.inputs.vpcId, "net-vpc-id");
    assert.equal(sg.inputs.ingress, undefined, "no inline rules");
    assert.equal(sg.inputs.egress, undefined, "no inline rules");
    const pick = (r: Registration) => ({
      name: r.name,
      securityGroupId: r.inputs.securityGroupId,
      ipProtocol: r.inputs.ipProtocol,
      fromPort: r.inputs.fromPort,
      toPort: r.inputs.toPort,
      cidrIpv4: r.inputs.cidrIpv4,
      cidrIpv6: r.inputs.cidrIpv6,
      prefixListId: r.inputs.prefixListId,
      referencedSecurityGroupId: r.inputs.referencedSecurityGroupId,
    });
    assert.deepEqual(ofType(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map(pick), [{
      name: "net-https-in-from-vpc", securityGroupId: "net-endpoints-sg-id", ipProtocol: "tcp", fromPort: 443, toPort: 443,
      cidrIpv4: "10.40.0.0/16", cidrIpv6: undefined, prefixListId: undefined, referencedSecurityGroupId: undefined,
    }]);
    assert.deepEqual(ofType(resources, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").map(pick).sort((a, b) => a.name.localeCompare(b.name)), [
      {
        name: "net-https-out-to-s3", securityGroupId: "net-endpoints-sg-id", ipProtocol: "tcp", fromPort: 443, toPort: 443,
        cidrIpv4: undefined, cidrIpv6: undefined, prefixListId: "pl-63a5400a", referencedSecurityGroupId: undefined,
      },
      {
        name: "net-https-out-to-vpc", securityGroupId: "net-endpoints-sg-id", ipProtocol: "tcp", fromPort: 443, toPort: 443,
        cidrIpv4: "10.40.0.0/16", cidrIpv6: undefined, prefixListId: undefined, referencedSecurityGroupId: undefined,
      },
    ]);
  });

  it("declares interface endpoints with private DNS, in both subnets, behind the security group", () => {
    const endpoints = ofType(resources, "aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.inputs.vpcEndpointType === "Interface");
    assert.deepEqual(endpoints.map((e) => [e.name, e.inputs.serviceName]).sort(), [
      ["net-vpce-rekognition", "com.amazonaws.us-east-1.rekognition"],
      ["net-vpce-sagemaker.runtime", "com.amazonaws.us-east-1.sagemaker.runtime"],
      ["net-vpce-ssm", "com.amazonaws.us-east-1.ssm"],
      ["net-vpce-sts", "com.amazonaws.us-east-1.sts"],
    ]);
    for (const e of endpoints) {
      assert.equal(e.inputs.vpcId, "net-vpc-id", e.name);
      assert.equal(e.inputs.privateDnsEnabled, true, e.name);
      assert.deepEqual(e.inputs.subnetIds, ["net-subnet-use1-az1-id", "net-subnet-use1-az2-id"], e.name);
      assert.deepEqual(e.inputs.securityGroupIds, ["net-endpoints-sg-id"], e.name);
      assert.equal(e.inputs.routeTableIds, undefined, e.name);
      assertGrants(parseJsonInput(e, "policy"), orgOnly(), e.name);
    }
  });

  it("declares an S3 gateway endpoint on both route tables, limited to the organization's principals and buckets", () => {
    const s3 = only(resources, "aws:ec2/vpcEndpoint:VpcEndpoint", "net-vpce-s3");
    assert.equal(s3.inputs.serviceName, "com.amazonaws.us-east-1.s3");
    assert.equal(s3.inputs.vpcEndpointType, "Gateway");
    assert.deepEqual(s3.inputs.routeTableIds, ["net-rt-use1-az1-id", "net-rt-use1-az2-id"]);
    assert.equal(s3.inputs.subnetIds, undefined);
    assertGrants(parseJsonInput(s3, "policy"), orgOnly({ "aws:ResourceOrgID": ORG }));
  });

  it("parents every child to the component and leaves the provider to the parent", () => {
    const component = only(resources, "mlz:network:PrivateNetwork", "net");
    const children = resources.filter((r) => r.custom && r.type !== "pulumi:providers:aws");
    assert.equal(children.length, 1 + 1 + 2 + 2 + 2 + 1 + 1 + 2 + 5);
    for (const c of children) {
      assert.equal(c.parent, component.urn, c.name);
      assert.match(c.provider ?? "", /::pulumi:providers:aws::acct::/, c.name);
    }
    assert.deepEqual(ofType(resources, "pulumi:providers:aws").map((p) => p.name), ["acct"]);
  });

  it("outputs the VPC, subnets, security group and endpoint ids by service", async () => {
    assert.equal(await promiseOf(network.vpcId), "net-vpc-id");
    assert.deepEqual(await Promise.all(network.subnetIds.map(promiseOf)), ["net-subnet-use1-az1-id", "net-subnet-use1-az2-id"]);
    assert.equal(await promiseOf(network.securityGroupId), "net-endpoints-sg-id");
    const ids: Record<string, string> = {};
    for (const [k, v] of Object.entries(network.endpointIds)) ids[k] = await promiseOf(v);
    assert.deepEqual(ids, {
      rekognition: "net-vpce-rekognition-id",
      sts: "net-vpce-sts-id",
      ssm: "net-vpce-ssm-id",
      "sagemaker.runtime": "net-vpce-sagemaker.runtime-id",
      s3: "net-vpce-s3-id",
    });
    assert.equal(network.endpointServiceNames["sagemaker.runtime"], "com.amazonaws.us-east-1.sagemaker.runtime");
  });

  it("names the services of eu-west-1 and honours a custom service list and three zones", async () => {
    const { resources: rs } = await build(args({
      region: "eu-west-1",
      cidrBlock: "172.20.0.0/20",
      availabilityZoneIds: ["euw1-az3", "euw1-az1", "euw1-az2"],
      interfaceServices: ["sts", "logs"],
    }));
    assert.deepEqual(ofType(rs, "aws:ec2/vpcEndpoint:VpcEndpoint").map((e) => e.inputs.serviceName).sort(), [
      "com.amazonaws.eu-west-1.logs",
      "com.amazonaws.eu-west-1.s3",
      "com.amazonaws.eu-west-1.sts",
    ]);
    assert.deepEqual(ofType(rs, "aws:ec2/subnet:Subnet").map((s) => [s.inputs.availabilityZoneId, s.inputs.cidrBlock]).sort(), [
      ["euw1-az1", "172.20.4.0/22"],
      ["euw1-az2", "172.20.8.0/22"],
      ["euw1-az3", "172.20.0.0/22"],
    ]);
  });

  it("uses the China names in cn-north-1", async () => {
    const { resources: rs } = await build(args({
      region: "cn-north-1",
      availabilityZoneIds: ["cnn1-az1", "cnn1-az2"],
      interfaceServices: ["sts", "ssm", "sagemaker.runtime"],
    }));
    assert.deepEqual(ofType(rs, "aws:ec2/vpcEndpoint:VpcEndpoint").map((e) => e.inputs.serviceName).sort(), [
      "cn.com.amazonaws.cn-north-1.sagemaker.runtime",
      "cn.com.amazonaws.cn-north-1.sts",
      "com.amazonaws.cn-north-1.s3",
      "com.amazonaws.cn-north-1.ssm",
    ]);
  });

  describe("validation", () => {
    const cases: [string, Partial<PrivateNetworkArgs>, string][] = [
      ["one zone", { availabilityZoneIds: ["use1-az1"] }, `[availabilityZoneIds] must name 2 to 4 availability zone IDs; got ["use1-az1"]`],
      ["five zones", { availabilityZoneIds: ["use1-az1", "use1-az2", "use1-az3", "use1-az4", "use1-az5"] }, `[availabilityZoneIds] must name 2 to 4 availability zone IDs; got ["use1-az1","use1-az2","use1-az3","use1-az4","use1-az5"]`],
      ["a zone of another region", { availabilityZoneIds: ["use1-az1", "usw2-az2"] }, "[availabilityZoneIds] must hold zone IDs of region us-east-1 such as 'use1-az1' (not zone names such as 'us-east-1a'); got 'usw2-az2'"],
      ["a zone name (names differ per account)", { availabilityZoneIds: ["us-east-1a", "us-east-1b"] }, "[availabilityZoneIds] must hold zone IDs of region us-east-1 such as 'use1-az1' (not zone names such as 'us-east-1a'); got 'us-east-1a'"],
      ["a repeated zone", { availabilityZoneIds: ["use1-az1", "use1-az1"] }, `[availabilityZoneIds] must be distinct; got ["use1-az1","use1-az1"]`],
      ["a public CIDR", { cidrBlock: "8.8.0.0/16" }, "[cidrBlock] must lie in a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16); got '8.8.0.0/16'"],
      ["s3 as an interface service", { interfaceServices: ["sts", "s3"] }, "[interfaceServices] must not include 's3': the network always has an S3 gateway endpoint"],
      ["a repeated service", { interfaceServices: ["sts", "sts"] }, `[interfaceServices] must not repeat a service; got ["sts","sts"]`],
      ["no services", { interfaceServices: [] }, "[interfaceServices] must name at least one service; got []"],
      ["an isolated partition", { region: "us-iso-east-1", availabilityZoneIds: ["usie1-az1", "usie1-az2"] }, "[region] 'us-iso-east-1' is in partition 'aws-iso', which is not supported; supported partitions: aws, aws-cn, aws-us-gov"],
      ["rekognition in China", { region: "cn-north-1", availabilityZoneIds: ["cnn1-az1", "cnn1-az2"] }, "[interfaceServices] no known interface endpoint service name for 'rekognition' in cn-north-1 (partition aws-cn); known there: ec2, ec2messages, ecr.api, ecr.dkr, execute-api, kms, lambda, logs, monitoring, s3, sagemaker.api, sagemaker.runtime, secretsmanager, sns, sqs, ssm, ssmmessages, states, sts, xray"],
    ];
    it("validatePrivateNetworkArgs: defaults the interface services and names each endpoint service in the region's partition", () => {
      assert.deepEqual(validatePrivateNetworkArgs(args({ region: "cn-north-1", availabilityZoneIds: ["cnn1-az1", "cnn1-az2"], interfaceServices: ["sts", "ssm"] })), {
        services: ["sts", "ssm"],
        serviceNames: { sts: "cn.com.amazonaws.cn-north-1.sts", ssm: "com.amazonaws.cn-north-1.ssm", s3: "com.amazonaws.cn-north-1.s3" },
      });
      assert.deepEqual(validatePrivateNetworkArgs(args()).services, ["rekognition", "sts", "ssm", "sagemaker.runtime"]);
    });
    for (const [what, overrides, message] of cases) {
      it(`validatePrivateNetworkArgs refuses ${what}`, () => {
        assert.throws(() => validatePrivateNetworkArgs(args(overrides)), { message });
      });
      it(`refuses ${what} before declaring any child`, async () => {
        const session = installMocks({ simulator, project: "ml-landing-zone", stack: "test" });
        assert.throws(() => new PrivateNetwork("net", args(overrides)), { message });
        await settle();
        assert.deepEqual(session.registrations.filter((r) => r.custom).map((r) => r.type), []);
      });
    }
  });
});
