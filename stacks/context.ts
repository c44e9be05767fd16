import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { Role, StackFiles } from "./config";

/** What every stack part receives from its role program. */
export interface StackContext {
  /** Pulumi stack name, e.g. `qa`. */
  readonly stack: string;
  /** Program role. */
  readonly role: Role;
  /** Region the stack deploys into. */
  readonly region: string;
  /** Partition of that region (`aws`, `aws-cn`, `aws-us-gov`). */
  readonly partition: string;
  /** The account this stack deploys into. */
  readonly accountId: pulumi.Output<string>;
  /** Organization accounts by key (management, cicd, lakehouse, ml, qa, prod, …). */
  readonly accountIds: pulumi.Output<Record<string, string>>;
  /** Organization id (`o-…`). */
  readonly organizationId: pulumi.Output<string>;
  /** Explicit provider for this stack's account; there is no default provider. */
  readonly provider: aws.Provider;
  /** Tags every resource carries through the provider's default tags. */
  readonly tags: Record<string, string>;
  /** The organization's stack files (other stacks' configs), as the program was given them. */
  readonly stackFiles: StackFiles;
}

/** Tags the provider applies to every taggable resource of a stack. */
export function defaultTags(stack: string, environment: string | undefined, owner: string): Record<string, string> {
  return {
    environment: environment ?? stack,
    owner,
    pipeline: "platform",
    "mlz:stack": stack,
  };
}
