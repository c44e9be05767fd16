/**
 * The ml-landing-zone CrossGuard pack: `pulumi preview --policy-pack policies [--policy-pack-config cfg.json]`.
 * This module only constructs the pack (which starts the policy server); rules live in the domain
 * modules and are collected by registry.ts.
 */
import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./registry";

new PolicyPack("ml-landing-zone", {
  policies: allPolicies,
  description: "Guardrails for the ML landing zone: S3, IAM, models, organization, network, functions, tags and model promotion.",
  displayName: "ML landing zone guardrails",
  provider: "aws",
  tags: ["aws", "ml", "organizations"],
});
