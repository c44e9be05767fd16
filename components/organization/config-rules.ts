import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

/** An AWS Config managed rule deployed to every account of the organization. */
export interface OrganizationRuleSpec {
  /** Managed rule identifier (AWS Config Developer Guide), e.g. `S3_BUCKET_PUBLIC_READ_PROHIBITED`. */
  identifier: string;
  description: string;
  /** Resource types the rule evaluates on change; omitted for periodic rules. */
  resourceTypes?: string[];
  /** Evaluation frequency of periodic rules. */
  maximumExecutionFrequency?: "One_Hour" | "Three_Hours" | "Six_Hours" | "Twelve_Hours" | "TwentyFour_Hours";
  /** Rule parameters (serialized as JSON). */
  inputParameters?: Record<string, string>;
}

/**
 * The organization's detective baseline, by stable key (the rule name is `<prefix>-<key>`).
 * Identifiers are the AWS Config managed-rule identifiers; note that the rule named
 * `multi-region-cloudtrail-enabled` has the identifier `MULTI_REGION_CLOUD_TRAIL_ENABLED`.
 */
export const DEFAULT_ORGANIZATION_CONFIG_RULES: Record<string, OrganizationRuleSpec> = {
  "s3-bucket-sse-enabled": {
    identifier: "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
    description: "S3 buckets have default server-side encryption",
    resourceTypes: ["AWS::S3::Bucket"],
  },
  "s3-bucket-public-read-prohibited": {
    identifier: "S3_BUCKET_PUBLIC_READ_PROHIBITED",
    description: "S3 buckets do not allow public read access",
    resourceTypes: ["AWS::S3::Bucket"],
  },
  "s3-bucket-public-write-prohibited": {
    identifier: "S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
    description: "S3 buckets do not allow public write access",
    resourceTypes: ["AWS::S3::Bucket"],
  },
  "iam-user-no-policies": {
    identifier: "IAM_USER_NO_POLICIES_CHECK",
    description: "No IAM user has a policy attached (there should be no IAM users at all)",
    resourceTypes: ["AWS::IAM::User"],
  },
  "iam-root-access-key": {
    identifier: "IAM_ROOT_ACCESS_KEY_CHECK",
    description: "The root user has no access key",
    maximumExecutionFrequency: "TwentyFour_Hours",
  },
  "root-account-mfa-enabled": {
    identifier: "ROOT_ACCOUNT_MFA_ENABLED",
    description: "The root user requires MFA",
    maximumExecutionFrequency: "TwentyFour_Hours",
  },
  "multi-region-cloudtrail-enabled": {
    identifier: "MULTI_REGION_CLOUD_TRAIL_ENABLED",
    description: "At least one multi-region CloudTrail trail records the account",
    maximumExecutionFrequency: "TwentyFour_Hours",
  },
};

export interface OrganizationConfigRulesArgs {
  /** Rules by stable key. Defaults to `DEFAULT_ORGANIZATION_CONFIG_RULES`. */
  readonly rules?: Record<string, OrganizationRuleSpec>;
  /** Accounts the rules skip (e.g. an account without a configuration recorder). Defaults to none. */
  readonly excludedAccountIds?: pulumi.Input<string>[];
  /** Prefix of the rule names. Defaults to `mlz`. */
  readonly namePrefix?: string;
  /**
   * Resources every rule waits for: the configuration recorders (`ConfigRecorder` components) of
   * the accounts the rules evaluate, since an organization rule fails in an account without one.
   * Defaults to none.
   */
  readonly recorders?: pulumi.Resource[];
}

/**
 * AWS Config organization managed rules. Declare them in the management account (or the Config
 * delegated administrator) of an organization with trusted access for
 * `config-multiaccountsetup.amazonaws.com`; every member account needs a configuration recorder
 * (pass the `ConfigRecorder` components as `recorders` so the rules wait for them).
 */
export class OrganizationConfigRules extends pulumi.ComponentResource {
  /** Rules by key. */
  public readonly rules: Record<string, aws.cfg.OrganizationManagedRule>;
  /** Rule names by key. */
  public readonly ruleNames: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: OrganizationConfigRulesArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:organization:ConfigRules", name, {}, opts);
    const prefix = args.namePrefix ?? "mlz";
    const specs = args.rules ?? DEFAULT_ORGANIZATION_CONFIG_RULES;
    if (Object.keys(specs).length === 0) throw new Error("[rules] must hold at least one rule");
    for (const [key, spec] of Object.entries(specs)) {
      if (!/^[a-z0-9][a-z0-9-]*$/.test(key) || `${prefix}-${key}`.length > 64) {
        throw new Error(`[rules] keys must be lowercase letters, digits and '-' and '${prefix}-<key>' at most 64 characters; got '${key}'`);
      }
      if (!/^[A-Z0-9_]+$/.test(spec.identifier)) {
        throw new Error(`[rules] '${key}' must have a managed-rule identifier such as 'S3_BUCKET_PUBLIC_READ_PROHIBITED'; got '${spec.identifier}'`);
      }
    }

    this.rules = {};
    for (const [key, spec] of Object.entries(specs)) {
      this.rules[key] = new aws.cfg.OrganizationManagedRule(`${name}-${key}`, {
        name: `${prefix}-${key}`,
        ruleIdentifier: spec.identifier,
        description: spec.description,
        resourceTypesScopes: spec.resourceTypes,
        maximumExecutionFrequency: spec.maximumExecutionFrequency,
        inputParameters: spec.inputParameters ? JSON.stringify(spec.inputParameters) : undefined,
        excludedAccounts: args.excludedAccountIds && args.excludedAccountIds.length > 0 ? args.excludedAccountIds : undefined,
      }, { parent: this, dependsOn: args.recorders && args.recorders.length > 0 ? args.recorders : undefined });
    }
    this.ruleNames = pulumi.output(Object.fromEntries(Object.entries(this.rules).map(([k, r]) => [k, r.name])));
    this.registerOutputs({ rules: this.rules, ruleNames: this.ruleNames });
  }
}
