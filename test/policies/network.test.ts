import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { policyDocument } from "../../components/iam/policy-document";
import { securityGroupNoPublicIngress, vpcEndpointPolicy, vpcInterfaceEndpointPrivateDns } from "../../policies/network";
import { resourceMessages } from "./util";

const RESTRICTED = JSON.stringify(
  policyDocument([
    {
      Effect: "Allow",
      Principal: "*",
      Action: "rekognition:DetectCustomLabels",
      Resource: "*",
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
    },
  ]),
);

function endpoint(overrides: Record<string, unknown> = {}) {
  return {
    vpcId: "vpc-1",
    serviceName: "com.amazonaws.us-east-1.rekognition",
    vpcEndpointType: "Interface",
    privateDnsEnabled: true,
    subnetIds: ["subnet-1"],
    securityGroupIds: ["sg-1"],
    policy: RESTRICTED,
    ...overrides,
  };
}

describe("policies/network", () => {
  describe("vpc-interface-endpoint-private-dns", () => {
    it("passes an interface endpoint with private DNS", async () => {
      assert.deepEqual(await resourceMessages(vpcInterfaceEndpointPrivateDns, aws.ec2.VpcEndpoint, endpoint()), []);
    });
    it("reports an interface endpoint without private DNS", async () => {
      assert.deepEqual(await resourceMessages(vpcInterfaceEndpointPrivateDns, aws.ec2.VpcEndpoint, endpoint({ privateDnsEnabled: false })), [
        "Interface endpoint for 'com.amazonaws.us-east-1.rekognition' must set privateDnsEnabled to true.",
      ]);
    });
    it("ignores gateway endpoints and exempt services", async () => {
      assert.deepEqual(await resourceMessages(vpcInterfaceEndpointPrivateDns, aws.ec2.VpcEndpoint, endpoint({ vpcEndpointType: "Gateway", privateDnsEnabled: undefined })), []);
      const options = { exemptServices: ["com.amazonaws.us-east-1.rekognition"] };
      assert.deepEqual(await resourceMessages(vpcInterfaceEndpointPrivateDns, aws.ec2.VpcEndpoint, endpoint({ privateDnsEnabled: false }), { options }), []);
    });
  });

  describe("vpc-endpoint-policy", () => {
    it("passes a restrictive endpoint policy", async () => {
      assert.deepEqual(await resourceMessages(vpcEndpointPolicy, aws.ec2.VpcEndpoint, endpoint()), []);
    });
    it("reports a missing policy (gateway endpoints included)", async () => {
      const props = endpoint({ vpcEndpointType: undefined, serviceName: "com.amazonaws.us-east-1.s3", policy: undefined });
      assert.deepEqual(await resourceMessages(vpcEndpointPolicy, aws.ec2.VpcEndpoint, props), ["VPC endpoint for 'com.amazonaws.us-east-1.s3' must have an endpoint policy."]);
    });
    it("reports the full-access default document", async () => {
      const full = JSON.stringify(policyDocument([{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }]));
      assert.deepEqual(await resourceMessages(vpcEndpointPolicy, aws.ec2.VpcEndpoint, endpoint({ policy: full })), [
        "VPC endpoint policy for 'com.amazonaws.us-east-1.rekognition' must not allow every principal every action on every resource without a condition.",
      ]);
    });
  });

  describe("security-group-no-public-ingress", () => {
    const sg = (cidrBlocks: string[], ipv6CidrBlocks: string[] = []) => ({
      vpcId: "vpc-1",
      ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks, ipv6CidrBlocks }],
    });
    it("passes ingress from the VPC range", async () => {
      assert.deepEqual(await resourceMessages(securityGroupNoPublicIngress, aws.ec2.SecurityGroup, sg(["10.0.0.0/16"])), []);
    });
    it("reports inline ingress from 0.0.0.0/0 and ::/0", async () => {
      assert.deepEqual(await resourceMessages(securityGroupNoPublicIngress, aws.ec2.SecurityGroup, sg(["10.0.0.0/16", "0.0.0.0/0"], ["::/0"])), [
        "Security group ingress (tcp 443-443) must not allow 0.0.0.0/0, ::/0.",
      ]);
    });
    it("reports open ingress on the VPC's default security group", async () => {
      assert.deepEqual(await resourceMessages(securityGroupNoPublicIngress, aws.ec2.DefaultSecurityGroup, { vpcId: "vpc-1", ingress: [] }), []);
      assert.deepEqual(await resourceMessages(securityGroupNoPublicIngress, aws.ec2.DefaultSecurityGroup, sg(["0.0.0.0/0"])), [
        "Default security group ingress (tcp 443-443) must not allow 0.0.0.0/0.",
      ]);
    });
    it("reports standalone ingress rules but not egress", async () => {
      assert.deepEqual(
        await resourceMessages(securityGroupNoPublicIngress, aws.vpc.SecurityGroupIngressRule, { securityGroupId: "sg-1", ipProtocol: "tcp", cidrIpv4: "0.0.0.0/0" }),
        ["Security group ingress rule must not allow 0.0.0.0/0."],
      );
      const rule = { securityGroupId: "sg-1", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] };
      assert.deepEqual(await resourceMessages(securityGroupNoPublicIngress, aws.ec2.SecurityGroupRule, { ...rule, type: "ingress" }), [
        "Security group ingress rule must not allow 0.0.0.0/0.",
      ]);
      assert.deepEqual(await resourceMessages(securityGroupNoPublicIngress, aws.ec2.SecurityGroupRule, { ...rule, type: "egress" }), []);
    });
  });
});
