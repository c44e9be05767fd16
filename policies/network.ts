/**
 * Network rules: interface endpoints resolve privately, every endpoint carries a restrictive
 * endpoint policy, and no security group admits the whole internet.
 */
import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import { asArray, isRecord, parseDocument, configOf } from "./lib";

const exemptServicesSchema = {
  exemptServices: {
    type: "array" as const,
    items: { type: "string" as const },
    default: [],
    description: "Endpoint service names (e.g. com.amazonaws.us-east-1.s3) the rule skips.",
  },
};

export const vpcInterfaceEndpointPrivateDns: ResourceValidationPolicy = {
  name: "vpc-interface-endpoint-private-dns",
  description: "Checks whether interface VPC endpoints enable private DNS.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { ...exemptServicesSchema } },
  validateResource: validateResourceOfType(aws.ec2.VpcEndpoint, (ep, args, report) => {
    const { exemptServices } = configOf<{ exemptServices: string[] }>(args, vpcInterfaceEndpointPrivateDns);
    if (ep.vpcEndpointType !== "Interface" || (ep.serviceName && exemptServices.includes(ep.serviceName))) return;
    if (ep.privateDnsEnabled !== true) report(`Interface endpoint for '${ep.serviceName ?? "?"}' must set privateDnsEnabled to true.`);
  }),
};

/** The document AWS attaches when none is given: everyone, every action, every resource. */
function isFullAccess(policy: unknown): boolean {
  const doc = parseDocument(policy);
  if (!doc) return false;
  return doc.Statement.some((s) => {
    const everyone = s.Principal === "*" || (isRecord(s.Principal) && asArray(s.Principal.AWS).includes("*"));
    return s.Effect === "Allow" && everyone && asArray(s.Action).includes("*") && asArray(s.Resource).includes("*") && s.Condition === undefined;
  });
}

export const vpcEndpointPolicy: ResourceValidationPolicy = {
  name: "vpc-endpoint-policy",
  description: "Checks whether interface and gateway VPC endpoints carry a restrictive endpoint policy.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { ...exemptServicesSchema } },
  validateResource: validateResourceOfType(aws.ec2.VpcEndpoint, (ep, args, report) => {
    const { exemptServices } = configOf<{ exemptServices: string[] }>(args, vpcEndpointPolicy);
    const type = ep.vpcEndpointType ?? "Gateway";
    if (!["Interface", "Gateway"].includes(type) || (ep.serviceName && exemptServices.includes(ep.serviceName))) return;
    const service = ep.serviceName ?? "?";
    if (!ep.policy) report(`VPC endpoint for '${service}' must have an endpoint policy.`);
    else if (!parseDocument(ep.policy)) report(`VPC endpoint policy for '${service}' must be a valid JSON policy document.`);
    else if (isFullAccess(ep.policy)) report(`VPC endpoint policy for '${service}' must not allow every principal every action on every resource without a condition.`);
  }),
};

const OPEN = ["0.0.0.0/0", "::/0"];

export const securityGroupNoPublicIngress: ResourceValidationPolicy = {
  name: "security-group-no-public-ingress",
  description: "Checks whether security groups refuse ingress from 0.0.0.0/0 and ::/0.",
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.ec2.SecurityGroup, (sg, _args, report) => {
      for (const rule of sg.ingress ?? []) {
        const open = [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].filter((c) => OPEN.includes(c));
        if (open.length > 0) report(`Security group ingress (${rule.protocol} ${rule.fromPort}-${rule.toPort}) must not allow ${open.join(", ")}.`);
      }
    }),
    validateResourceOfType(aws.ec2.DefaultSecurityGroup, (sg, _args, report) => {
      for (const rule of sg.ingress ?? []) {
        const open = [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].filter((c) => OPEN.includes(c));
        if (open.length > 0) report(`Default security group ingress (${rule.protocol} ${rule.fromPort}-${rule.toPort}) must not allow ${open.join(", ")}.`);
      }
    }),
    validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, _args, report) => {
      if (rule.type !== "ingress") return;
      const open = [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].filter((c) => OPEN.includes(c));
      if (open.length > 0) report(`Security group ingress rule must not allow ${open.join(", ")}.`);
    }),
    validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, _args, report) => {
      const open = [rule.cidrIpv4, rule.cidrIpv6].filter((c): c is string => c !== undefined && OPEN.includes(c));
      if (open.length > 0) report(`Security group ingress rule must not allow ${open.join(", ")}.`);
    }),
  ],
};

export const networkPolicies = [vpcInterfaceEndpointPrivateDns, vpcEndpointPolicy, securityGroupNoPublicIngress];
