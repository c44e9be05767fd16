import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { ORGANIZATION_ACCESS_ROLE_NAME } from "../naming";
import { isAccountId } from "../aws";

export interface OrganizationalUnitSpec {
  /** Display name. */
  readonly name: string;
  /** Key of the parent OU. Defaults to the organization root. */
  readonly parent?: string;
  /** Id (`ou-…`) of an existing OU to adopt with `import`. Defaults to creating the OU. */
  readonly id?: string;
}

export interface MemberAccountSpec {
  /** Account name. */
  readonly name: string;
  /** Root e-mail address. */
  readonly email: string;
  /** Key of the OU the account is placed in. */
  readonly ou: string;
  /** Id of an existing account to adopt with `import`. Defaults to creating the account. */
  readonly id?: string;
  /**
   * Role the management account assumes in the account. A created account gets it from
   * Organizations (`roleName`); an invited account must already have it. Defaults to
   * `OrganizationAccountAccessRole`.
   */
  readonly bootstrapRoleName?: string;
}

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

export interface OrganizationArgs {
  /**
   * Id (`o-…`) of the existing organization this management account already runs: it is adopted
   * with `import` (CreateOrganization fails where an organization exists). The existing
   * organization must already have all features, the service access principals and the policy types
   * declared here, or the import fails. Defaults to creating the organization.
   */
  readonly id?: string;
  /** OUs by stable key. */
  readonly organizationalUnits: Record<string, OrganizationalUnitSpec>;
  /** Member accounts by stable key (e.g. cicd, lakehouse, ml, qa, prod). */
  readonly accounts: Record<string, MemberAccountSpec>;
  /**
   * Service principals with organization-wide access. Defaults to CloudTrail, AWS Config (and its
   * multi-account setup), IAM Access Analyzer and SSO.
   */
  readonly serviceAccessPrincipals?: string[];
}

/** An OU id as Organizations writes it (`ou-` + root part + `-` + 8–32 characters). */
export const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;

export const DEFAULT_SERVICE_ACCESS_PRINCIPALS = [
  "access-analyzer.amazonaws.com",
  "cloudtrail.amazonaws.com",
  "config-multiaccountsetup.amazonaws.com",
  "config.amazonaws.com",
  "sso.amazonaws.com",
];

/** Orders OU keys so that every parent comes before its children; throws on a cycle or unknown parent. */
export function orderOrganizationalUnits(ous: Record<string, OrganizationalUnitSpec>): string[] {
  const ordered: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (key: string, trail: string[]) => {
    if (state.get(key) === "done") return;
    if (state.get(key) === "visiting") {
      throw new Error(`[organizationalUnits] must not form a cycle: ${[...trail, key].join(" → ")}`);
    }
    const ou = ous[key];
    if (!ou) throw new Error(`[organizationalUnits.${trail[trail.length - 1]}.parent] must name another OU; got '${key}'`);
    state.set(key, "visiting");
    if (ou.parent !== undefined) visit(ou.parent, [...trail, key]);
    state.set(key, "done");
    ordered.push(key);
  };
  for (const key of Object.keys(ous).sort()) visit(key, []);
  return ordered;
}

/**
 * The AWS Organization: all features, SCPs enabled, OUs nested as configured and the member
 * accounts placed in them. Accounts keep Organizations' `OrganizationAccountAccessRole`, through
 * which the management stack bootstraps each account's deploy role.
 */
export class Organization extends pulumi.ComponentResource {
  public readonly organization: aws.organizations.Organization;
  public readonly organizationId: pulumi.Output<string>;
  public readonly rootId: pulumi.Output<string>;
  /** OU ids by key. */
  public readonly organizationalUnitIds: Record<string, pulumi.Output<string>>;
  /** Account ids by key. */
  public readonly accountIds: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: OrganizationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:organization:Organization", name, {}, opts);
    const order = orderOrganizationalUnits(args.organizationalUnits);
    for (const [key, ou] of Object.entries(args.organizationalUnits)) {
      if (ou.id !== undefined && !OU_ID.test(ou.id)) {
        throw new Error(`[organizationalUnits.${key}.id] must be an OU id (ou-<root part>-<8 to 32 characters>); got '${ou.id}'`);
      }
    }
    for (const [key, account] of Object.entries(args.accounts)) {
      if (!(account.ou in args.organizationalUnits)) {
        throw new Error(`[accounts.${key}.ou] must name an OU (${Object.keys(args.organizationalUnits).join(", ")}); got '${account.ou}'`);
      }
      if (account.id !== undefined && !isAccountId(account.id)) {
        throw new Error(`[accounts.${key}.id] must be a 12-digit account id; got '${account.id}'`);
      }
    }

    if (args.id !== undefined && !ORGANIZATION_ID.test(args.id)) {
      throw new Error(`[id] must be an organization id (o- and 10 to 32 lowercase letters or digits); got '${args.id}'`);
    }
    const importedAccounts = Object.entries(args.accounts).filter(([, a]) => a.id !== undefined).map(([k]) => k).sort();
    if (args.id === undefined && importedAccounts.length > 0) {
      throw new Error(`[id] must be given when accounts are adopted by id (${importedAccounts.join(", ")}): their organization exists, and CreateOrganization fails where one exists`);
    }

    this.organization = new aws.organizations.Organization(`${name}-organization`, {
      featureSet: "ALL",
      awsServiceAccessPrincipals: args.serviceAccessPrincipals ?? DEFAULT_SERVICE_ACCESS_PRINCIPALS,
      // RESOURCE_CONTROL_POLICY: the Guardrails' `enforce-org-identities` RCP needs the type enabled
      // on the root (Organizations User Guide, "Enabling a policy type").
      enabledPolicyTypes: ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"],
    }, { parent: this, protect: true, ...(args.id !== undefined ? { import: args.id } : {}) });
    this.organizationId = this.organization.id;
    this.rootId = this.organization.roots.apply((roots) => {
      if (!roots || roots.length === 0 || !roots[0].id) {
        throw new pulumi.ResourceError("the organization reported no root", this);
      }
      return roots[0].id;
    });

    const ouIds: Record<string, pulumi.Output<string>> = {};
    for (const key of order) {
      const spec = args.organizationalUnits[key];
      const ou = new aws.organizations.OrganizationalUnit(`${name}-ou-${key}`, {
        name: spec.name,
        parentId: spec.parent === undefined ? this.rootId : ouIds[spec.parent],
      }, { parent: this, ...(spec.id !== undefined ? { import: spec.id } : {}) });
      ouIds[key] = ou.id;
    }
    this.organizationalUnitIds = ouIds;

    const accountIds: Record<string, pulumi.Output<string>> = {};
    for (const key of Object.keys(args.accounts).sort()) {
      const spec = args.accounts[key];
      const account = new aws.organizations.Account(`${name}-account-${key}`, {
        name: spec.name,
        email: spec.email,
        parentId: ouIds[spec.ou],
        roleName: spec.bootstrapRoleName ?? ORGANIZATION_ACCESS_ROLE_NAME,
        iamUserAccessToBilling: "DENY",
        closeOnDeletion: false,
      }, {
        parent: this,
        protect: true,
        import: spec.id,
        // Organizations cannot change these after creation; an imported account never had them set.
        ignoreChanges: ["roleName", "iamUserAccessToBilling"],
      });
      accountIds[key] = account.id;
    }
    this.accountIds = accountIds;

    this.registerOutputs({
      organization: this.organization,
      organizationId: this.organizationId,
      rootId: this.rootId,
      organizationalUnitIds: this.organizationalUnitIds,
      accountIds: this.accountIds,
    });
  }
}
