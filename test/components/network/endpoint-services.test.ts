import { strict as assert } from "node:assert";
import {
  DEFAULT_INTERFACE_SERVICES,
  gatewayEndpointServiceName,
  interfaceEndpointServiceName,
  parseVpcCidr,
  partitionOfRegion,
  subnetCidr,
} from "../../../components/network/endpoint-services";

describe("endpoint service names", () => {
  it("defaults to rekognition, sts, ssm and sagemaker.runtime", () => {
    assert.deepEqual([...DEFAULT_INTERFACE_SERVICES], ["rekognition", "sts", "ssm", "sagemaker.runtime"]);
  });

  it("names the interface services of us-east-1", () => {
    assert.deepEqual(
      DEFAULT_INTERFACE_SERVICES.map((s) => interfaceEndpointServiceName("us-east-1", s)),
      [
        "com.amazonaws.us-east-1.rekognition",
        "com.amazonaws.us-east-1.sts",
        "com.amazonaws.us-east-1.ssm",
        "com.amazonaws.us-east-1.sagemaker.runtime",
      ],
    );
  });

  it("names the interface services of eu-west-1", () => {
    assert.deepEqual(
      DEFAULT_INTERFACE_SERVICES.map((s) => interfaceEndpointServiceName("eu-west-1", s)),
      [
        "com.amazonaws.eu-west-1.rekognition",
        "com.amazonaws.eu-west-1.sts",
        "com.amazonaws.eu-west-1.ssm",
        "com.amazonaws.eu-west-1.sagemaker.runtime",
      ],
    );
  });

  it("keeps com.amazonaws in GovCloud", () => {
    assert.equal(interfaceEndpointServiceName("us-gov-west-1", "rekognition"), "com.amazonaws.us-gov-west-1.rekognition");
    assert.equal(interfaceEndpointServiceName("us-gov-east-1", "sagemaker.runtime"), "com.amazonaws.us-gov-east-1.sagemaker.runtime");
  });

  it("uses cn.com.amazonaws for sts and sagemaker.runtime in the China regions but com.amazonaws for ssm", () => {
    assert.equal(interfaceEndpointServiceName("cn-north-1", "sts"), "cn.com.amazonaws.cn-north-1.sts");
    assert.equal(interfaceEndpointServiceName("cn-northwest-1", "sagemaker.runtime"), "cn.com.amazonaws.cn-northwest-1.sagemaker.runtime");
    assert.equal(interfaceEndpointServiceName("cn-north-1", "ssm"), "com.amazonaws.cn-north-1.ssm");
  });

  it("refuses a service it has no China name for, rather than guessing", () => {
    assert.throws(
      () => interfaceEndpointServiceName("cn-north-1", "rekognition"),
      { message: "[interfaceServices] no known interface endpoint service name for 'rekognition' in cn-north-1 (partition aws-cn); known there: ec2, ec2messages, ecr.api, ecr.dkr, execute-api, kms, lambda, logs, monitoring, s3, sagemaker.api, sagemaker.runtime, secretsmanager, sns, sqs, ssm, ssmmessages, states, sts, xray" },
    );
  });

  it("names the S3 gateway endpoint com.amazonaws.<region>.s3 in every supported partition", () => {
    assert.equal(gatewayEndpointServiceName("us-east-1", "s3"), "com.amazonaws.us-east-1.s3");
    assert.equal(gatewayEndpointServiceName("eu-west-1", "s3"), "com.amazonaws.eu-west-1.s3");
    assert.equal(gatewayEndpointServiceName("cn-north-1", "s3"), "com.amazonaws.cn-north-1.s3");
    assert.equal(gatewayEndpointServiceName("us-gov-west-1", "s3"), "com.amazonaws.us-gov-west-1.s3");
  });

  it("maps regions to partitions and refuses the isolated ones", () => {
    assert.equal(partitionOfRegion("us-east-1"), "aws");
    assert.equal(partitionOfRegion("ap-southeast-2"), "aws");
    assert.equal(partitionOfRegion("cn-northwest-1"), "aws-cn");
    assert.equal(partitionOfRegion("us-gov-west-1"), "aws-us-gov");
    assert.throws(() => partitionOfRegion("us-iso-east-1"), {
      message: "[region] 'us-iso-east-1' is in partition 'aws-iso', which is not supported; supported partitions: aws, aws-cn, aws-us-gov",
    });
    assert.throws(() => partitionOfRegion("us-isob-east-1"), /partition 'aws-iso-b'/);
    assert.throws(() => partitionOfRegion("eusc-de-east-1"), /partition 'aws-eusc'/);
    assert.throws(() => partitionOfRegion("US-EAST-1"), { message: "[region] 'US-EAST-1' is not an AWS region" });
  });

  it("refuses malformed service names", () => {
    assert.throws(() => interfaceEndpointServiceName("us-east-1", "com.amazonaws.us-east-1.sts "), {
      message: "[interfaceServices] must hold endpoint service short names such as 'sagemaker.runtime'; got 'com.amazonaws.us-east-1.sts '",
    });
    assert.throws(() => interfaceEndpointServiceName("us-east-1", "STS"), /short names/);
  });
});

describe("VPC CIDR and subnet carving", () => {
  it("carves quarters in order", () => {
    assert.deepEqual([0, 1, 2, 3].map((i) => subnetCidr("10.40.0.0/16", i)), ["10.40.0.0/18", "10.40.64.0/18", "10.40.128.0/18", "10.40.192.0/18"]);
    assert.deepEqual([0, 1].map((i) => subnetCidr("192.168.8.0/22", i)), ["192.168.8.0/24", "192.168.9.0/24"]);
    assert.deepEqual([0, 3].map((i) => subnetCidr("172.20.4.0/24", i)), ["172.20.4.0/26", "172.20.4.192/26"]);
  });

  it("refuses a fifth subnet", () => {
    assert.throws(() => subnetCidr("10.40.0.0/16", 4), { message: "subnet index must be 0–3; got 4" });
  });

  it("accepts private network addresses", () => {
    assert.deepEqual(parseVpcCidr("10.0.0.0/16"), { base: 0x0a000000, prefix: 16 });
    assert.deepEqual(parseVpcCidr("172.31.0.0/16"), { base: 0xac1f0000, prefix: 16 });
  });

  it("refuses bad CIDRs with a message naming the rule", () => {
    const cases: [string, string][] = [
      ["10.40.0.0", "[cidrBlock] must be an IPv4 CIDR such as '10.40.0.0/16'; got '10.40.0.0'"],
      ["10.300.0.0/16", "[cidrBlock] must be an IPv4 CIDR such as '10.40.0.0/16'; got '10.300.0.0/16'"],
      ["10.0.0.0/8", "[cidrBlock] must have a prefix from /16 to /24; got '10.0.0.0/8'"],
      ["10.0.0.0/26", "[cidrBlock] must have a prefix from /16 to /24; got '10.0.0.0/26'"],
      ["10.40.1.0/16", "[cidrBlock] must be a network address (host bits zero), e.g. '10.40.0.0/16'; got '10.40.1.0/16'"],
      ["100.64.0.0/16", "[cidrBlock] must lie in a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16); got '100.64.0.0/16'"],
      ["172.32.0.0/16", "[cidrBlock] must lie in a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16); got '172.32.0.0/16'"],
    ];
    for (const [cidr, message] of cases) assert.throws(() => parseVpcCidr(cidr), { message }, cidr);
  });
});
