import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson, type PolicyStatement } from "../iam/policy-document";
import { IAM_PRINCIPAL_ARN, KMS_KEY_ARN, accountRootArn } from "../aws";

/**
 * Key administration without use: AWS's default key-administrator actions (KMS Developer Guide,
 * "Default key policy"), which exclude Encrypt, Decrypt, ReEncrypt* and GenerateDataKey*.
 */
export const KEY_ADMINISTRATION_ACTIONS = [
  "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
  "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
  "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
];
/** What `pulumi` needs of an `awskms://` secrets provider's key to write a stack: wrap and unwrap its data key. */
export const SECRETS_WRITER_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"];
/** What a preview needs: unwrap the stack's data key. */
export const SECRETS_READER_ACTIONS = ["kms:Decrypt"];


export interface SecretsKeyPolicyArgs {
  /** ARN of the `awskms://` secrets provider's key (in this stack's account). Required. */
  readonly keyArn: string;
  /** The account of the key: its root administers the key (policy, rotation, deletion) but cannot use it. Required. */
  readonly accountId: pulumi.Input<string>;
  /** Roles that write stacks (the GitHub deploy roles): Encrypt, Decrypt, GenerateDataKey. At least one. */
  readonly writerArns: pulumi.Input<string>[];
  /** Roles that only preview stacks (the GitHub preview roles): Decrypt. Defaults to none. */
  readonly readerArns?: pulumi.Input<string>[];
  /**
   * Other principals that run `pulumi` on these stacks (the administrators who apply the management
   * stack): exact role or user ARNs, which get the writer actions. Defaults to none.
   */
  readonly administratorArns?: string[];
  /** AWS partition. Defaults to `aws`. */
  readonly partition?: string;
}

/** The key policy statements (exported for tests and the plan). */
export function secretsKeyPolicyStatements(args: SecretsKeyPolicyArgs): PolicyStatement<pulumi.Input<string>>[] {
  const partition = args.partition ?? "aws";
  const statements: PolicyStatement<pulumi.Input<string>>[] = [
    { Sid: "AccountAdministersKeyWithoutUse", Effect: "Allow", Principal: { AWS: accountRootArn(partition, args.accountId) }, Action: KEY_ADMINISTRATION_ACTIONS, Resource: "*" },
    { Sid: "DeployRolesUseKey", Effect: "Allow", Principal: { AWS: args.writerArns }, Action: SECRETS_WRITER_ACTIONS, Resource: "*" },
  ];
  if (args.readerArns && args.readerArns.length > 0) {
    statements.push({ Sid: "PreviewRolesDecrypt", Effect: "Allow", Principal: { AWS: args.readerArns }, Action: SECRETS_READER_ACTIONS, Resource: "*" });
  }
  if (args.administratorArns && args.administratorArns.length > 0) {
    statements.push({ Sid: "AdministratorsUseKey", Effect: "Allow", Principal: { AWS: args.administratorArns }, Action: SECRETS_WRITER_ACTIONS, Resource: "*" });
  }
  return statements;
}

/**
 * The key policy of the Pulumi secrets provider's KMS key (`secretsprovider: awskms://…` in every
 * stack file): only the GitHub deploy roles (and the named administrators) may encrypt and decrypt
 * with it, the preview roles may only decrypt, and the account root may administer the key but not
 * use it. The key itself is created at bootstrap (a stack's secrets provider must exist before the
 * stack does: README "Deploying for real"); this component owns its policy.
 */
export class SecretsKeyPolicy extends pulumi.ComponentResource {
  public readonly policy: aws.kms.KeyPolicy;

  constructor(name: string, args: SecretsKeyPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:identity:SecretsKeyPolicy", name, {}, opts);
    if (!KMS_KEY_ARN.test(args.keyArn)) {
      throw new Error(`[keyArn] must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>; not an alias); got '${args.keyArn}'`);
    }
    if (args.writerArns.length === 0) throw new Error("[writerArns] must name at least one role");
    for (const a of args.administratorArns ?? []) {
      if (!IAM_PRINCIPAL_ARN.test(a)) throw new Error(`[administratorArns] must hold exact IAM role or user ARNs (no wildcards); got '${a}'`);
    }
    this.policy = new aws.kms.KeyPolicy(`${name}-policy`, {
      keyId: args.keyArn,
      policy: policyJson(policyDocument(secretsKeyPolicyStatements(args))),
    }, { parent: this });
    this.registerOutputs({ policy: this.policy });
  }
}
