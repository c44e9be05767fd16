/**
 * Pure helpers for the private network: AWS partitions, VPC endpoint service names per region and
 * deterministic IPv4 subnet carving. No resources here, so the rules are tested on plain data.
 */
import { partitionOf, type Partition } from "../aws";

/** Partitions whose endpoint service names this module knows. */
export type SupportedPartition = Partition;

/** Interface endpoints a workload VPC needs to call shared models privately. */
export const DEFAULT_INTERFACE_SERVICES: readonly string[] = ["rekognition", "sts", "ssm", "sagemaker.runtime"];

/**
 * In the China regions many interface endpoint services carry the `cn.com.amazonaws` prefix instead
 * of `com.amazonaws` (the gateway S3/DynamoDB endpoints keep `com.amazonaws`). Checked against the
 * AWS CDK's table of exceptions (aws-cdk-lib aws-ec2 `InterfaceVpcEndpointAwsService`) and
 * `aws ec2 describe-vpc-endpoint-services`. Only services listed here or in `CHINA_PLAIN_PREFIX` are
 * accepted in aws-cn; others are refused rather than guessed.
 */
const CHINA_CN_PREFIX = new Set([
  "sts", "sagemaker.runtime", "sagemaker.api", "ec2", "ecr.api", "ecr.dkr", "lambda", "monitoring",
  "sqs", "s3", "execute-api", "states", "xray",
]);
/** Services whose China interface endpoint keeps the plain `com.amazonaws` prefix. */
const CHINA_PLAIN_PREFIX = new Set(["ssm", "ssmmessages", "ec2messages", "logs", "kms", "secretsmanager", "sns"]);

/** The partition of `region` (from the one region table in `components/aws.ts`); throws naming `[region]`. */
export function partitionOfRegion(region: string): SupportedPartition {
  try {
    return partitionOf(region);
  } catch (e) {
    throw new Error(`[region] ${(e as Error).message}`);
  }
}

const SERVICE_SHAPE = /^[a-z0-9]+([.-][a-z0-9]+)*$/;

/**
 * The service name of the interface endpoint for `service` in `region`, e.g.
 * `com.amazonaws.us-east-1.sagemaker.runtime` or `cn.com.amazonaws.cn-north-1.sts`.
 */
export function interfaceEndpointServiceName(region: string, service: string): string {
  const partition = partitionOfRegion(region);
  if (typeof service !== "string" || !SERVICE_SHAPE.test(service)) {
    throw new Error(`[interfaceServices] must hold endpoint service short names such as 'sagemaker.runtime'; got '${service}'`);
  }
  if (partition === "aws-cn") {
    if (CHINA_CN_PREFIX.has(service)) return `cn.com.amazonaws.${region}.${service}`;
    if (CHINA_PLAIN_PREFIX.has(service)) return `com.amazonaws.${region}.${service}`;
    const known = [...CHINA_CN_PREFIX, ...CHINA_PLAIN_PREFIX].sort().join(", ");
    throw new Error(
      `[interfaceServices] no known interface endpoint service name for '${service}' in ${region} (partition aws-cn); known there: ${known}`,
    );
  }
  return `com.amazonaws.${region}.${service}`;
}

/** The service name of a gateway endpoint (`s3` or `dynamodb`): `com.amazonaws.<region>.<service>` in every supported partition. */
export function gatewayEndpointServiceName(region: string, service: "s3" | "dynamodb"): string {
  partitionOfRegion(region);
  return `com.amazonaws.${region}.${service}`;
}

// ---------------------------------------------------------------------------------------------
// IPv4 CIDR helpers

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

const RFC1918: Ipv4Cidr[] = [
  { base: ip(10, 0, 0, 0), prefix: 8 },
  { base: ip(172, 16, 0, 0), prefix: 12 },
  { base: ip(192, 168, 0, 0), prefix: 16 },
];

function ip(a: number, b: number, c: number, d: number): number {
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

function formatIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

function contains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  if (inner.prefix < outer.prefix) return false;
  const mask = outer.prefix === 0 ? 0 : (~0 << (32 - outer.prefix)) >>> 0;
  return ((inner.base & mask) >>> 0) === outer.base;
}

/** Smallest and largest VPC prefixes accepted (AWS allows /16–/28; each subnet is a quarter). */
export const MIN_VPC_PREFIX = 16;
export const MAX_VPC_PREFIX = 24;
/** Subnets are quarters of the VPC range, so at most four availability zones. */
export const MAX_SUBNETS = 4;

/**
 * Parses and checks a VPC CIDR: dotted IPv4 network address (host bits zero), prefix /16–/24, inside
 * a private RFC 1918 range.
 */
export function parseVpcCidr(cidr: string): Ipv4Cidr {
  const m = typeof cidr === "string" ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr) : null;
  const octets = m ? m.slice(1, 5).map(Number) : [];
  if (!m || octets.some((o) => o > 255)) {
    throw new Error(`[cidrBlock] must be an IPv4 CIDR such as '10.40.0.0/16'; got '${cidr}'`);
  }
  const prefix = Number(m[5]);
  if (prefix < MIN_VPC_PREFIX || prefix > MAX_VPC_PREFIX) {
    throw new Error(`[cidrBlock] must have a prefix from /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX}; got '${cidr}'`);
  }
  const base = ip(octets[0], octets[1], octets[2], octets[3]);
  const mask = (~0 << (32 - prefix)) >>> 0;
  if (((base & mask) >>> 0) !== base) {
    throw new Error(`[cidrBlock] must be a network address (host bits zero), e.g. '${formatIp((base & mask) >>> 0)}/${prefix}'; got '${cidr}'`);
  }
  const parsed = { base, prefix };
  if (!RFC1918.some((r) => contains(r, parsed))) {
    throw new Error(`[cidrBlock] must lie in a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16); got '${cidr}'`);
  }
  return parsed;
}

/**
 * The CIDR of subnet `index` (0-based): the `index`-th quarter of the VPC range, so adding an
 * availability zone never renumbers existing subnets. `10.40.0.0/16` → `10.40.0.0/18`, `10.40.64.0/18`, …
 */
export function subnetCidr(vpcCidr: string, index: number): string {
  const { base, prefix } = parseVpcCidr(vpcCidr);
  if (!Number.isInteger(index) || index < 0 || index >= MAX_SUBNETS) {
    throw new Error(`subnet index must be 0–${MAX_SUBNETS - 1}; got ${index}`);
  }
  const subPrefix = prefix + 2;
  return `${formatIp(base + index * 2 ** (32 - subPrefix))}/${subPrefix}`;
}
