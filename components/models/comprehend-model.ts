import * as pulumi from "@pulumi/pulumi";
import { policyDocument, type PolicyDocument } from "../iam/policy-document";
import { parseComprehendVersionArn } from "./arns";
import { isAccountId, accountRootArn } from "../aws";
import {
  IMPORTED_MODEL_KIND,
  makeImportedModelProvider,
  makeModelPolicyProvider,
  MODEL_POLICY_KIND,
  type ImportedModelInputs,
  type ModelPolicyInputs,
} from "./comprehend-model-provider";

const modelPolicyProvider = makeModelPolicyProvider();
const importedModelProvider = makeImportedModelProvider();

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

class ModelPolicy extends pulumi.dynamic.Resource {
  public declare readonly policyRevisionId: pulumi.Output<string>;
  constructor(name: string, props: Inputs<ModelPolicyInputs>, opts?: pulumi.CustomResourceOptions) {
    super(modelPolicyProvider, name, { policyRevisionId: undefined, ...props }, opts);
  }
}

class ImportedModel extends pulumi.dynamic.Resource {
  public declare readonly modelArn: pulumi.Output<string>;
  constructor(name: string, props: Inputs<ImportedModelInputs>, opts?: pulumi.CustomResourceOptions) {
    super(importedModelProvider, name, { modelArn: undefined, ...props }, opts);
  }
}

/**
 * The model policy of a recognizer version: `comprehend:ImportModel` on exactly that version for
 * exactly the given accounts (each as `arn:<partition>:iam::<account>:root`, i.e. principals of that
 * account its own IAM policies allow), sorted, deduplicated.
 */
export function modelPolicyDocument(versionArn: string, accountIds: readonly string[], partition = "aws"): PolicyDocument {
  const accounts = [...new Set(accountIds)].sort();
  if (accounts.length === 0) throw new Error(`[consumerAccountIds] must name at least one account for ${versionArn}`);
  for (const a of accounts) if (!isAccountId(a)) throw new Error(`[consumerAccountIds] must hold 12-digit account ids; got '${a}'`);
  return policyDocument([{
    Sid: "ImportByConsumerAccounts",
    Effect: "Allow",
    Principal: { AWS: accounts.map((a) => accountRootArn(partition, a)) },
    Action: "comprehend:ImportModel",
    Resource: versionArn,
  }]);
}

export interface ComprehendModelShareArgs {
  /** The recognizer version (in this stack's account and region). Required. */
  readonly versionArn: string;
  /** Accounts that may import it: the consumer environments referencing it. Required, at least one. */
  readonly consumerAccountIds: pulumi.Input<string[]>;
  /** Role the dynamic provider assumes (the account's deploy role). Defaults to ambient credentials. */
  readonly assumeRoleArn?: pulumi.Input<string>;
}

/** ML account: the model policy letting exactly the consumer accounts import one recognizer version. */
export class ComprehendModelShare extends pulumi.ComponentResource {
  public readonly policy: pulumi.Output<string>;

  constructor(name: string, args: ComprehendModelShareArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:models:ComprehendModelShare", name, {}, opts);
    let parsed;
    try {
      parsed = parseComprehendVersionArn(args.versionArn);
    } catch (e) {
      throw new Error(`[versionArn] ${(e as Error).message}`);
    }
    this.policy = pulumi.output(args.consumerAccountIds).apply((ids) => JSON.stringify(modelPolicyDocument(args.versionArn, ids, parsed.partition)));
    new ModelPolicy(`${name}-policy`, {
      kind: MODEL_POLICY_KIND,
      resourceArn: args.versionArn,
      policy: this.policy,
      region: parsed.region,
      ...(args.assumeRoleArn !== undefined ? { assumeRoleArn: args.assumeRoleArn } : {}),
    }, { parent: this });
    this.registerOutputs({ policy: this.policy });
  }
}

export interface ComprehendModelCopyArgs {
  /** The ML account's recognizer version to copy. Required. */
  readonly sourceVersionArn: string;
  /** Region of this stack (the copy's region; must be the source's). Required. */
  readonly region: string;
  /** KMS key encrypting the copy. Defaults to Comprehend's default encryption. */
  readonly modelKmsKeyArn?: pulumi.Input<string>;
  /** Role Comprehend uses for that key. Defaults to none. */
  readonly dataAccessRoleArn?: pulumi.Input<string>;
  /** Role the dynamic provider assumes (this account's deploy role). Defaults to ambient credentials. */
  readonly assumeRoleArn?: pulumi.Input<string>;
}

/** Consumer account: its own copy of a recognizer version (ImportModel), deleted when no longer declared. */
export class ComprehendModelCopy extends pulumi.ComponentResource {
  /** ARN of the copy in this account: what analysis jobs use. */
  public readonly modelArn: pulumi.Output<string>;

  constructor(name: string, args: ComprehendModelCopyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:models:ComprehendModelCopy", name, {}, opts);
    let parsed;
    try {
      parsed = parseComprehendVersionArn(args.sourceVersionArn);
    } catch (e) {
      throw new Error(`[sourceVersionArn] ${(e as Error).message}`);
    }
    if (parsed.region !== args.region) {
      throw new Error(`[sourceVersionArn] is in ${parsed.region}; a model can be imported only within its region (this stack: ${args.region})`);
    }
    const copy = new ImportedModel(`${name}-import`, {
      kind: IMPORTED_MODEL_KIND,
      sourceModelArn: args.sourceVersionArn,
      modelName: parsed.recognizer,
      versionName: parsed.version,
      region: args.region,
      ...(args.modelKmsKeyArn !== undefined ? { modelKmsKeyId: args.modelKmsKeyArn } : {}),
      ...(args.dataAccessRoleArn !== undefined ? { dataAccessRoleArn: args.dataAccessRoleArn } : {}),
      ...(args.assumeRoleArn !== undefined ? { assumeRoleArn: args.assumeRoleArn } : {}),
    }, { parent: this });
    this.modelArn = copy.modelArn;
    this.registerOutputs({ modelArn: this.modelArn });
  }
}
