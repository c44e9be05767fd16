/**
 * AWS regions a stack may name (commercial, China and GovCloud partitions), from the AWS General
 * Reference "Regional endpoints" table. A region outside this list is refused by the config schema.
 */
export const AWS_REGIONS: Record<string, { partition: "aws" | "aws-cn" | "aws-us-gov" }> = Object.fromEntries([
  ...[
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "af-south-1",
    "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
    "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ca-central-1", "ca-west-1",
    "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1",
    "il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1",
  ].map((r) => [r, { partition: "aws" as const }]),
  ...["cn-north-1", "cn-northwest-1"].map((r) => [r, { partition: "aws-cn" as const }]),
  ...["us-gov-east-1", "us-gov-west-1"].map((r) => [r, { partition: "aws-us-gov" as const }]),
]);

export function isAwsRegion(value: string): boolean {
  return Object.prototype.hasOwnProperty.call(AWS_REGIONS, value);
}

export function partitionOf(region: string): "aws" | "aws-cn" | "aws-us-gov" {
  const r = AWS_REGIONS[region];
  if (!r) throw new Error(`'${region}' is not an AWS region`);
  return r.partition;
}
