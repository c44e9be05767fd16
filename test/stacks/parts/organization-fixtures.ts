/** The example organization as the management stack sees it, and a StackContext factory for part tests. */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { StackContext } from "../../../stacks/context";
import { stackFilesIn } from "../../../stacks/config";

export const ACCOUNT_IDS: Record<string, string> = {
  management: "111111111111", cicd: "222222222222", lakehouse: "333333333333", ml: "444444444444", qa: "555555555555", prod: "666666666666",
};

export const OU_IDS: Record<string, string> = {
  infrastructure: "ou-ab12-infra001", data: "ou-ab12-data0001", ml: "ou-ab12-ml000001",
  workloads: "ou-ab12-work0001", nonprod: "ou-ab12-nonprod1", prod: "ou-ab12-prod0001",
};

export const ACCOUNT_OUS: Record<string, string> = { cicd: "infrastructure", lakehouse: "data", ml: "ml", qa: "nonprod", prod: "prod" };

export function exampleContext(stack: string, account: string): StackContext {
  const provider = new aws.Provider("account", { region: "us-east-1" });
  return {
    stack,
    role: stack === "management" ? "management" : stack === "qa" || stack === "prod" ? "workload" : (stack as StackContext["role"]),
    region: "us-east-1",
    partition: "aws",
    accountId: pulumi.output(ACCOUNT_IDS[account]),
    accountIds: pulumi.output(ACCOUNT_IDS),
    organizationId: pulumi.output("o-exampleorg1"),
    provider,
    tags: { environment: stack, owner: "platform@example.com", pipeline: "platform" },
    stackFiles: stackFilesIn(),
  };
}

export function exampleOrg() {
  return {
    organizationId: pulumi.output("o-exampleorg1"),
    rootId: pulumi.output("r-ab12"),
    organizationalUnitIds: Object.fromEntries(Object.entries(OU_IDS).map(([k, v]) => [k, pulumi.output(v)])),
    accountOus: { ...ACCOUNT_OUS },
    accountIds: Object.fromEntries(Object.entries(ACCOUNT_IDS).filter(([k]) => k !== "management").map(([k, v]) => [k, pulumi.output(v)])),
  };
}
