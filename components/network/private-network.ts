import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson, type PolicyStatement } from "../iam/policy-document";
import {
  DEFAULT_INTERFACE_SERVICES,
  MAX_SUBNETS,
  gatewayEndpointServiceName,
  interfaceEndpointServiceName,
  parseVpcCidr,
  partitionOfRegion,
  subnetCidr,
} from "./endpoint-services";

export interface PrivateNetworkArgs {
  /** Region the network is built in (the parent provider's region); names the endpoint services. Required. */
  readonly region: string;
  /** IPv4 range of the VPC, private (RFC 1918), /16–/24; each subnet is one quarter of it. Required. */
  readonly cidrBlock: string;
  /**
   * Availability zones of the private subnets by zone ID, one subnet each, in this order (2–4
   * distinct zone IDs of `region`, e.g. `use1-az1`). Zone IDs name the same physical zone in every
   * account; zone names (`us-east-1a`) are shuffled per account, so a subnet placed by name may land
   * in a zone that does not offer an interface endpoint's service. Required.
   */
  readonly availabilityZoneIds: string[];
  /** AWS Organizations id (`o-…`); every endpoint policy admits only principals of this organization. Required. */
  readonly organizationId: pulumi.Input<string>;
  /**
   * Short names of the services that get an interface endpoint (private DNS on).
   * Defaults to `["rekognition", "sts", "ssm", "sagemaker.runtime"]`.
   */
  readonly interfaceServices?: string[];
  /** Tags for every resource (merged over the provider's default tags). Defaults to none. */
  readonly tags?: Record<string, string>;
}

/** The key of the S3 gateway endpoint in `endpointIds`. */
export const S3_GATEWAY_KEY = "s3";

/**
 * Endpoint policy admitting only principals of the organization. For the S3 gateway endpoint the
 * bucket must also belong to the organization, so the VPC cannot be used to copy data out.
 */
export function endpointPolicy(
  organizationId: pulumi.Input<string>,
  opts: { resourceInOrganization?: boolean } = {},
): PolicyStatement<pulumi.Input<string>>[] {
  const condition: Record<string, pulumi.Input<string>> = { "aws:PrincipalOrgID": organizationId };
  if (opts.resourceInOrganization) condition["aws:ResourceOrgID"] = organizationId;
  return [{
    Sid: "OrganizationPrincipalsOnly",
    Effect: "Allow",
    Principal: "*",
    Action: "*",
    Resource: "*",
    Condition: { StringEquals: condition },
  }];
}

/**
 * A VPC with no way to the internet: private subnets in two or more zones (no internet gateway, no
 * NAT, no routes but the local one), interface endpoints for the AWS services the workloads call,
 * and an S3 gateway endpoint on the subnets' route tables. Built from plain `aws.ec2` resources so
 * the plan and the policies see every piece.
 *
 * One security group serves both sides: the endpoints' network interfaces and the Lambda functions
 * placed in the subnets. It admits HTTPS only from the VPC range and lets HTTPS out only to the VPC
 * range and the S3 prefix list. The VPC's default security group is emptied.
 */
export class PrivateNetwork extends pulumi.ComponentResource {
  public readonly vpc: aws.ec2.Vpc;
  public readonly vpcId: pulumi.Output<string>;
  /** Subnet ids in the order of `availabilityZoneIds`. */
  public readonly subnetIds: pulumi.Output<string>[];
  /** Security group for the endpoints and for functions placed in the subnets. */
  public readonly securityGroupId: pulumi.Output<string>;
  /** Endpoint ids by service short name (`rekognition`, `sagemaker.runtime`, …, and `s3`). */
  public readonly endpointIds: Record<string, pulumi.Output<string>>;
  /** Endpoint service names by short name, as declared (e.g. `com.amazonaws.us-east-1.sts`). */
  public readonly endpointServiceNames: Record<string, string>;

  constructor(name: string, args: PrivateNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:network:PrivateNetwork", name, {}, opts);
    const { cidrBlock, availabilityZoneIds } = args;
    const { services, serviceNames } = validatePrivateNetworkArgs(args);
    const tags = (extra: string) => ({ ...(args.tags ?? {}), Name: `${name}-${extra}` });

    this.vpc = new aws.ec2.Vpc(`${name}-vpc`, {
      cidrBlock,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: tags("vpc"),
    }, { parent: this });

    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, {
      vpcId: this.vpc.id,
      ingress: [],
      egress: [],
      tags: tags("default-sg-unused"),
    }, { parent: this });

    const subnets: aws.ec2.Subnet[] = [];
    const routeTables: aws.ec2.RouteTable[] = [];
    availabilityZoneIds.forEach((az, i) => {
      const subnet = new aws.ec2.Subnet(`${name}-subnet-${az}`, {
        vpcId: this.vpc.id,
        availabilityZoneId: az,
        cidrBlock: subnetCidr(cidrBlock, i),
        mapPublicIpOnLaunch: false,
        tags: tags(`private-${az}`),
      }, { parent: this });
      const routeTable = new aws.ec2.RouteTable(`${name}-rt-${az}`, {
        vpcId: this.vpc.id,
        routes: [],
        tags: tags(`private-${az}`),
      }, { parent: this });
      new aws.ec2.RouteTableAssociation(`${name}-rta-${az}`, {
        subnetId: subnet.id,
        routeTableId: routeTable.id,
      }, { parent: this });
      subnets.push(subnet);
      routeTables.push(routeTable);
    });

    const securityGroup = new aws.ec2.SecurityGroup(`${name}-endpoints-sg`, {
      vpcId: this.vpc.id,
      description: "HTTPS between the VPC's functions and its AWS service endpoints only",
      revokeRulesOnDelete: true,
      tags: tags("endpoints-sg"),
    }, { parent: this });

    new aws.vpc.SecurityGroupIngressRule(`${name}-https-in-from-vpc`, {
      securityGroupId: securityGroup.id,
      description: "HTTPS from inside the VPC",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: cidrBlock,
    }, { parent: this });
    new aws.vpc.SecurityGroupEgressRule(`${name}-https-out-to-vpc`, {
      securityGroupId: securityGroup.id,
      description: "HTTPS to the interface endpoints",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: cidrBlock,
    }, { parent: this });

    const endpointIds: Record<string, pulumi.Output<string>> = {};
    for (const service of services) {
      const endpoint = new aws.ec2.VpcEndpoint(`${name}-vpce-${service}`, {
        vpcId: this.vpc.id,
        serviceName: serviceNames[service],
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: subnets.map((s) => s.id),
        securityGroupIds: [securityGroup.id],
        policy: policyJson(policyDocument(endpointPolicy(args.organizationId))),
        tags: tags(`vpce-${service}`),
      }, { parent: this });
      endpointIds[service] = endpoint.id;
    }

    const s3 = new aws.ec2.VpcEndpoint(`${name}-vpce-${S3_GATEWAY_KEY}`, {
      vpcId: this.vpc.id,
      serviceName: serviceNames[S3_GATEWAY_KEY],
      vpcEndpointType: "Gateway",
      routeTableIds: routeTables.map((rt) => rt.id),
      policy: policyJson(policyDocument(endpointPolicy(args.organizationId, { resourceInOrganization: true }))),
      tags: tags(`vpce-${S3_GATEWAY_KEY}`),
    }, { parent: this });
    endpointIds[S3_GATEWAY_KEY] = s3.id;

    new aws.vpc.SecurityGroupEgressRule(`${name}-https-out-to-s3`, {
      securityGroupId: securityGroup.id,
      description: "HTTPS to S3 through the gateway endpoint",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      prefixListId: s3.prefixListId,
    }, { parent: this });

    this.vpcId = this.vpc.id;
    this.subnetIds = subnets.map((s) => s.id);
    this.securityGroupId = securityGroup.id;
    this.endpointIds = endpointIds;
    this.endpointServiceNames = serviceNames;
    this.registerOutputs({
      vpc: this.vpc,
      vpcId: this.vpcId,
      subnetIds: this.subnetIds,
      securityGroupId: this.securityGroupId,
      endpointIds: this.endpointIds,
      endpointServiceNames: this.endpointServiceNames,
    });
  }
}

const DIRECTIONS: Record<string, string> = {
  east: "e", west: "w", north: "n", south: "s", central: "c",
  northeast: "ne", northwest: "nw", southeast: "se", southwest: "sw",
};

/**
 * The prefix of a region's availability zone IDs (`us-east-1` → `use1`, `eu-west-2` → `euw2`,
 * `ap-southeast-2` → `apse2`, `us-gov-west-1` → `usgw1`), as `aws ec2 describe-availability-zones`
 * reports `ZoneId`s.
 */
export function zoneIdPrefix(region: string): string {
  const parts = region.split("-");
  const number = parts[parts.length - 1];
  const middle = parts.slice(1, -1).map((p) => DIRECTIONS[p] ?? p[0]).join("");
  return `${parts[0]}${middle}${number}`;
}

/**
 * Checks `PrivateNetwork`'s args (pure: no resources) and applies their defaults: the interface
 * services, and the endpoint service name of each (plus the S3 gateway) in the region's partition.
 * Throws naming the argument and the rule.
 */
export function validatePrivateNetworkArgs(args: PrivateNetworkArgs): { services: string[]; serviceNames: Record<string, string> } {
  const services = args.interfaceServices ?? [...DEFAULT_INTERFACE_SERVICES];
  partitionOfRegion(args.region);
  parseVpcCidr(args.cidrBlock);
  const azs = args.availabilityZoneIds;
  if (!Array.isArray(azs) || azs.length < 2 || azs.length > MAX_SUBNETS) {
    throw new Error(
      `[availabilityZoneIds] must name 2 to ${MAX_SUBNETS} availability zone IDs; got ${JSON.stringify(azs)}`,
    );
  }
  const code = zoneIdPrefix(args.region);
  const zoneShape = new RegExp(`^${code}-az\\d{1,2}$`);
  for (const az of azs) {
    if (typeof az !== "string" || !zoneShape.test(az)) {
      throw new Error(`[availabilityZoneIds] must hold zone IDs of region ${args.region} such as '${code}-az1' (not zone names such as '${args.region}a'); got '${az}'`);
    }
  }
  if (new Set(azs).size !== azs.length) {
    throw new Error(`[availabilityZoneIds] must be distinct; got ${JSON.stringify(azs)}`);
  }
  if (!Array.isArray(services) || services.length === 0) {
    throw new Error(`[interfaceServices] must name at least one service; got ${JSON.stringify(services)}`);
  }
  if (new Set(services).size !== services.length) {
    throw new Error(`[interfaceServices] must not repeat a service; got ${JSON.stringify(services)}`);
  }
  if (services.includes(S3_GATEWAY_KEY)) {
    throw new Error(`[interfaceServices] must not include 's3': the network always has an S3 gateway endpoint`);
  }
  const serviceNames: Record<string, string> = {};
  for (const service of services) serviceNames[service] = interfaceEndpointServiceName(args.region, service);
  serviceNames[S3_GATEWAY_KEY] = gatewayEndpointServiceName(args.region, "s3");
  return { services, serviceNames };
}
