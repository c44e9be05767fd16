import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface OrganizationAccessAnalyzersArgs {
  /** Prefix of the analyzer names (`<prefix>-external-access`, `<prefix>-unused-access`). Defaults to `mlz-org`. */
  readonly namePrefix?: string;
  /** Days without use after which a role, key or permission is reported as unused (1–365). Defaults to 90. */
  readonly unusedAccessAgeDays?: number;
  /** Tags for the analyzers. Defaults to none. */
  readonly tags?: Record<string, string>;
  /**
   * Resources that enable trusted access for `access-analyzer.amazonaws.com` in the organization
   * (the `aws.organizations.Organization` listing it in `awsServiceAccessPrincipals`): CreateAnalyzer
   * of an organization type fails until then, so each analyzer depends on them. Defaults to none
   * (trusted access is already enabled).
   */
  readonly trustedAccess?: pulumi.Resource[];
}

/**
 * Organization-wide IAM Access Analyzer: one analyzer for external access (type ORGANIZATION) and
 * one for unused access (type ORGANIZATION_UNUSED_ACCESS). Declare it in the management account (or
 * a delegated administrator) of an organization with trusted access for
 * `access-analyzer.amazonaws.com` enabled.
 */
export class OrganizationAccessAnalyzers extends pulumi.ComponentResource {
  public readonly externalAccess: aws.accessanalyzer.Analyzer;
  public readonly unusedAccess: aws.accessanalyzer.Analyzer;
  public readonly externalAccessArn: pulumi.Output<string>;
  public readonly unusedAccessArn: pulumi.Output<string>;

  constructor(name: string, args: OrganizationAccessAnalyzersArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:organization:AccessAnalyzers", name, {}, opts);
    const prefix = args.namePrefix ?? "mlz-org";
    if (!/^[A-Za-z][A-Za-z0-9_.-]{0,200}$/.test(prefix)) {
      throw new Error(`[namePrefix] must start with a letter and hold letters, digits, '.', '_' and '-'; got '${prefix}'`);
    }
    const age = args.unusedAccessAgeDays ?? 90;
    if (!Number.isInteger(age) || age < 1 || age > 365) {
      throw new Error(`[unusedAccessAgeDays] must be a whole number of days from 1 to 365; got ${age}`);
    }

    this.externalAccess = new aws.accessanalyzer.Analyzer(`${name}-external-access`, {
      analyzerName: `${prefix}-external-access`,
      type: "ORGANIZATION",
      tags: args.tags,
    }, { parent: this, dependsOn: args.trustedAccess ?? [] });
    this.unusedAccess = new aws.accessanalyzer.Analyzer(`${name}-unused-access`, {
      analyzerName: `${prefix}-unused-access`,
      type: "ORGANIZATION_UNUSED_ACCESS",
      configuration: { unusedAccess: { unusedAccessAge: age } },
      tags: args.tags,
    }, { parent: this, dependsOn: args.trustedAccess ?? [] });

    this.externalAccessArn = this.externalAccess.arn;
    this.unusedAccessArn = this.unusedAccess.arn;
    this.registerOutputs({
      externalAccess: this.externalAccess,
      unusedAccess: this.unusedAccess,
      externalAccessArn: this.externalAccessArn,
      unusedAccessArn: this.unusedAccessArn,
    });
  }
}
