/**
 * IAM rules: no users or access keys, no wildcard grants, scoped iam:PassRole, organization-scoped
 * cross-account trust and pinned GitHub OIDC trust. Documents are read as the typed
 * `PolicyDocument` of components/iam/policy-document.ts (parsed from the JSON string inputs).
 */
import * as aws from "@pulumi/aws";
import type { ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PolicyStatement } from "../components/iam/policy-document";
import { DEFAULT_DEPLOY_ROLE_NAME, githubPreviewRoleName, githubPromoteRoleName } from "../components/naming";
import { accountOf, asArray, conditionHasKey, conditionValues, identityDocuments, isReadAction, isRecord, parseDocument, statementLabel, wildcardMatch, configOf } from "./lib";
import type { OrganizationSnapshot } from "./organization-context";
import { IAM_ROLE_RESOURCE, isAccountPrincipal } from "../components/aws";

export const iamNoUsersOrAccessKeys: ResourceValidationPolicy = {
  name: "iam-no-users-or-access-keys",
  description: "Checks whether the stack is free of IAM users, login profiles and access keys.",
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.iam.User, (_u, args, report) => {
      report(`IAM user '${args.name}' must not be declared; people sign in through IAM Identity Center and workloads assume roles.`);
    }),
    validateResourceOfType(aws.iam.AccessKey, (_k, args, report) => {
      report(`IAM access key '${args.name}' must not be declared; use roles with temporary credentials (OIDC, instance or task roles).`);
    }),
    validateResourceOfType(aws.iam.UserLoginProfile, (_p, args, report) => {
      report(`IAM login profile '${args.name}' must not be declared; people sign in through IAM Identity Center.`);
    }),
  ],
};

/** Name of the permissions boundary the DeployRole component gives the deploy role (components/identity/deploy-role.ts). */
export const DEPLOY_BOUNDARY_POLICY_NAME = `${DEFAULT_DEPLOY_ROLE_NAME}-boundary`;

/**
 * Name of the workload permissions boundary in every member account (components/identity/workload-boundary.ts,
 * which this module does not import: the pack stays free of component modules' dependencies).
 */
export const WORKLOAD_BOUNDARY_POLICY_NAME = "mlz-workload-boundary";

const exemptSchema = {
  exemptNames: {
    type: "array" as const,
    items: { type: "string" as const },
    default: [DEFAULT_DEPLOY_ROLE_NAME, DEPLOY_BOUNDARY_POLICY_NAME, WORKLOAD_BOUNDARY_POLICY_NAME],
    description:
      "Role or policy names (wildcards allowed) this rule skips: the per-account deploy role holds administrator rights by design, " +
      "and its permissions boundary and the workload boundary allow everything they do not deny (a boundary grants nothing itself).",
  },
};

/** Identity documents of the resource, minus those owned by exempt roles/policies; reports unparseable ones. */
function checkedDocuments(args: ResourceValidationArgs, exempt: string[], report: (m: string) => void) {
  return identityDocuments(args.type, args.props).filter((d) => {
    if (d.owner !== undefined && exempt.some((e) => wildcardMatch(e, d.owner!, false))) return false;
    if (!d.doc) {
      report(`IAM ${d.label} must be a valid JSON policy document.`);
      return false;
    }
    return true;
  });
}

export const iamNoWildcardActions: ResourceValidationPolicy = {
  name: "iam-no-wildcard-actions",
  description: "Checks whether IAM policies of our roles avoid Action '*' and Allow with NotAction.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { ...exemptSchema } },
  validateResource: (args, report) => {
    const { exemptNames } = configOf<{ exemptNames: string[] }>(args, iamNoWildcardActions);
    for (const d of checkedDocuments(args, exemptNames, report)) {
      d.doc!.Statement.forEach((s, i) => {
        if (s.Effect !== "Allow") return;
        if (asArray(s.Action).some((a) => a === "*" || a === "*:*")) {
          report(`IAM ${d.label} statement ${statementLabel(s, i)} must not allow Action '*'; list the actions the role needs.`);
        }
        if (s.NotAction !== undefined) {
          report(`IAM ${d.label} statement ${statementLabel(s, i)} must not combine Allow with NotAction; list the actions the role needs.`);
        }
      });
    }
  },
};

export const iamNoWildcardResourceWrites: ResourceValidationPolicy = {
  name: "iam-no-wildcard-resource-writes",
  description: "Checks whether IAM policies of our roles keep write actions off Resource '*'.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      ...exemptSchema,
      allowedActions: {
        type: "array",
        items: { type: "string" },
        default: [
          "ec2:CreateNetworkInterface",
          "ec2:DeleteNetworkInterface",
          "ec2:AssignPrivateIpAddresses",
          "ec2:UnassignPrivateIpAddresses",
          "xray:PutTraceSegments",
          "xray:PutTelemetryRecords",
          "cloudwatch:PutMetricData",
          "ecr:GetAuthorizationToken",
          "sts:GetCallerIdentity",
          // Its only resource type (lexicon) is optional: a task using no lexicon names no resource,
          // and Polly's guide grants it on '*' ("Setting up the IAM policy for asynchronous synthesis").
          "polly:StartSpeechSynthesisTask",
          // Translate without custom terminology or parallel data, and Comprehend's language
          // detection, support no resource-level permissions (service authorization reference).
          "translate:TranslateText",
          "translate:StartTextTranslationJob",
          "comprehend:DetectDominantLanguage",
        ],
        description: "Write actions that do not support resource-level permissions and may use Resource '*'.",
      },
    },
  },
  validateResource: (args, report) => {
    const { exemptNames, allowedActions } = configOf<{ exemptNames: string[]; allowedActions: string[] }>(args, iamNoWildcardResourceWrites);
    const allowed = allowedActions.map((a) => a.toLowerCase());
    for (const d of checkedDocuments(args, exemptNames, report)) {
      d.doc!.Statement.forEach((s, i) => {
        if (s.Effect !== "Allow") return;
        const wildcard = asArray(s.Resource).includes("*") || s.NotResource !== undefined;
        if (!wildcard) return;
        const writes = asArray(s.Action).filter((a) => !isReadAction(a) && !allowed.includes(a.toLowerCase()));
        if (writes.length > 0) {
          report(`IAM ${d.label} statement ${statementLabel(s, i)} must scope write actions (${writes.join(", ")}) to specific resources, not Resource '*'.`);
        }
      });
    }
  },
};

export const iamPassRoleScoped: ResourceValidationPolicy = {
  name: "iam-passrole-scoped",
  description: "Checks whether iam:PassRole is granted only on specific role ARNs.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { ...exemptSchema } },
  validateResource: (args, report) => {
    const { exemptNames } = configOf<{ exemptNames: string[] }>(args, iamPassRoleScoped);
    for (const d of checkedDocuments(args, exemptNames, report)) {
      d.doc!.Statement.forEach((s, i) => {
        // Only grants naming IAM actions: `Action: "*"` is iam-no-wildcard-actions' finding.
        if (s.Effect !== "Allow" || !asArray(s.Action).some((a) => a.toLowerCase().startsWith("iam:") && wildcardMatch(a, "iam:PassRole"))) return;
        const bad = s.NotResource !== undefined ? ["NotResource"] : asArray(s.Resource).filter((r) => {
          const m = IAM_ROLE_RESOURCE.exec(r);
          // A role-name prefix (`role/mlz-training-*`) is scoped; every role (of a path) is not.
          return !m || m[3] === "*" || m[3].endsWith("/*");
        });
        if (bad.length > 0) {
          report(`IAM ${d.label} statement ${statementLabel(s, i)} must scope iam:PassRole to specific role ARNs in an account; got '${bad.join("', '")}'.`);
        }
      });
    }
  },
};

const ORG_KEYS = ["aws:PrincipalOrgID", "aws:PrincipalOrgPaths"];

function awsPrincipals(s: PolicyStatement): string[] {
  if (s.Principal === "*") return ["*"];
  return isRecord(s.Principal) ? asArray(s.Principal.AWS) : [];
}

export const iamCrossAccountTrustInOrganization: ResourceValidationPolicy = {
  name: "iam-cross-account-trust-in-organization",
  description: "Checks whether role trust policies name exact AWS principals within the organization.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      organizationAccountIds: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Account ids of the organization; principals in them need no aws:PrincipalOrgID condition.",
      },
      organization: { type: "array", description: "Org-wide context (set by the offline plan): accounts of every planned stack count as organization accounts." },
    },
  },
  validateResource: validateResourceOfType(aws.iam.Role, (role, args, report) => {
    const cfg = configOf<{ organizationAccountIds: string[]; organization?: OrganizationSnapshot[] }>(args, iamCrossAccountTrustInOrganization);
    const orgAccounts = new Set([...cfg.organizationAccountIds, ...(cfg.organization ?? []).map((s) => s.account).filter((a): a is string => !!a)]);
    const doc = parseDocument(role.assumeRolePolicy);
    if (!doc) {
      report("Role trust policy must be a valid JSON policy document.");
      return;
    }
    doc.Statement.forEach((s, i) => {
      if (s.Effect !== "Allow") return;
      const principals = awsPrincipals(s);
      if (principals.length === 0) return;
      const wild = principals.filter((p) => p.includes("*") || accountOf(p) === undefined);
      if (wild.length > 0) {
        report(`Role trust statement ${statementLabel(s, i)} must name exact principals (account or role ARNs); got '${wild.join("', '")}'.`);
        return;
      }
      const scoped = ORG_KEYS.some((k) => conditionHasKey(s, k)) || principals.every((p) => orgAccounts.has(accountOf(p)!));
      if (!scoped) {
        report(`Role trust statement ${statementLabel(s, i)} must restrict principals to the organization with an aws:PrincipalOrgID condition.`);
      }
      // An account principal trusts every identity of that account unless aws:PrincipalArn names the exact ones.
      const accounts = principals.filter(isAccountPrincipal);
      if (accounts.length > 0) {
        const exact = ["ArnEquals", "StringEquals"].flatMap((op) => conditionValues(s, op, "aws:PrincipalArn"));
        const loose = Object.keys(s.Condition ?? {})
          .filter((op) => op !== "ArnEquals" && op !== "StringEquals")
          .flatMap((op) => conditionValues(s, op, "aws:PrincipalArn"));
        if (exact.length === 0 || exact.some((a) => a.includes("*") || a.includes("?")) || loose.length > 0) {
          report(
            `Role trust statement ${statementLabel(s, i)} must narrow account principal '${accounts.join("', '")}' to exact identities with an ArnEquals aws:PrincipalArn condition (no wildcards).`,
          );
        }
      }
    });
  }),
};

const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

export const iamGithubOidcTrustPinned: ResourceValidationPolicy = {
  name: "iam-github-oidc-trust-pinned",
  description: "Checks whether GitHub OIDC trust policies pin the token subject to a repository and environment.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      repository: { type: "string", description: "When set, `owner/repo` every subject must name." },
      pullRequestRoleNames: {
        type: "array",
        items: { type: "string" },
        default: [githubPreviewRoleName("*")],
        description:
          "Role names (wildcards allowed) that may also trust `repo:<owner>/<repo>:pull_request` subjects: the read-only preview roles. Deploy roles never may.",
      },
      branchRoleNames: {
        type: "array",
        items: { type: "string" },
        default: [githubPromoteRoleName()],
        description:
          "Role names (wildcards allowed) that may also trust `repo:<owner>/<repo>:ref:refs/heads/<branch>` subjects (an exact branch): the promotion role. Deploy roles never may.",
      },
    },
  },
  validateResource: validateResourceOfType(aws.iam.Role, (role, args, report) => {
    const { repository, pullRequestRoleNames, branchRoleNames } = configOf<{ repository?: string; pullRequestRoleNames: string[]; branchRoleNames: string[] }>(args, iamGithubOidcTrustPinned);
    const allowPullRequest = typeof role.name === "string" && pullRequestRoleNames.some((n) => wildcardMatch(n, role.name!, false));
    const allowBranch = typeof role.name === "string" && branchRoleNames.some((n) => wildcardMatch(n, role.name!, false));
    const doc = parseDocument(role.assumeRolePolicy);
    if (!doc) return; // reported by iam-cross-account-trust-in-organization
    doc.Statement.forEach((s, i) => {
      const federated = isRecord(s.Principal) ? asArray(s.Principal.Federated) : [];
      if (s.Effect !== "Allow" || !federated.some((f) => f.includes(GITHUB_OIDC_HOST))) return;
      const where = `GitHub OIDC trust statement ${statementLabel(s, i)}`;
      if (conditionValues(s, "StringEquals", `${GITHUB_OIDC_HOST}:aud`).join() !== "sts.amazonaws.com") {
        report(`${where} must require ${GITHUB_OIDC_HOST}:aud StringEquals 'sts.amazonaws.com'.`);
      }
      for (const op of Object.keys(s.Condition ?? {})) {
        if (op !== "StringEquals" && conditionValues(s, op, `${GITHUB_OIDC_HOST}:sub`).length > 0) {
          report(`${where} must match ${GITHUB_OIDC_HOST}:sub with StringEquals, not ${op}.`);
        }
      }
      const subs = conditionValues(s, "StringEquals", `${GITHUB_OIDC_HOST}:sub`);
      if (subs.length === 0) {
        report(`${where} must pin ${GITHUB_OIDC_HOST}:sub to 'repo:<owner>/<repo>:environment:<environment>'.`);
      }
      for (const sub of subs) {
        const m = /^repo:([^/:*?]+\/[^/:*?]+):(environment:[^:*?]+|pull_request|ref:refs\/heads\/[^:*?\[\]\s]+)$/.exec(sub);
        const kindAllowed = m !== null && (m[2] === "pull_request" ? allowPullRequest : m[2].startsWith("ref:") ? allowBranch : true);
        const ok = m !== null && kindAllowed && (!repository || m[1] === repository);
        if (!ok) {
          const repo = repository ?? "<owner>/<repo>";
          const expected = allowBranch ? `'repo:${repo}:environment:<environment>' or 'repo:${repo}:ref:refs/heads/<branch>'` : `'repo:${repo}:environment:<environment>'`;
          report(`${where} must pin ${GITHUB_OIDC_HOST}:sub to ${expected} without wildcards; got '${sub}'.`);
        }
      }
    });
  }),
};

/** IAM's size limits (characters, whitespace not counted), from the IAM quotas documentation. */
export const IAM_SIZE_LIMITS = {
  /** All inline policies of one role together. */
  roleInlinePolicies: 10_240,
  /** One customer managed policy. */
  managedPolicy: 6_144,
  /** A role trust policy: the default quota (Service Quotas can raise it to 4,096). */
  trustPolicy: 2_048,
} as const;

/** Size of a policy document as IAM counts it: its JSON without whitespace outside strings. */
export function iamPolicySize(doc: unknown): number | undefined {
  let value = doc;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return value !== null && typeof value === "object" ? JSON.stringify(value).length : undefined;
}

const fmt = (n: number) => n.toLocaleString("en-US");

export const iamPolicySizeLimits: StackValidationPolicy = {
  name: "iam-policy-size-limits",
  description: "Checks whether IAM documents fit IAM's size limits: a role's inline policies together, each managed policy, each trust policy.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      trustPolicyQuota: {
        type: "integer",
        default: IAM_SIZE_LIMITS.trustPolicy,
        description: "Role trust policy length quota of the accounts (IAM default 2,048; raise it here only after raising it in Service Quotas, up to 4,096).",
      },
    },
  },
  validateStack: (args, report) => {
    const { trustPolicyQuota } = configOf<{ trustPolicyQuota: number }>(args, iamPolicySizeLimits);
    const roles = args.resources.filter((r) => r.type === "aws:iam/role:Role");
    // Inline policies by role name: the role's own `inlinePolicies` and every RolePolicy naming it.
    const inline = new Map<string, { urn: string; parts: { label: string; size: number }[] }>();
    const roleKey = (ref: unknown) => {
      const role = roles.find((r) => ref === r.props.name || ref === r.props.id || ref === r.props.arn);
      return { key: String(role?.props.name ?? ref), urn: role?.urn };
    };
    for (const r of roles) {
      const size = iamPolicySize(r.props.assumeRolePolicy);
      if (size !== undefined && size > trustPolicyQuota) {
        report(`IAM role '${r.props.name ?? r.name}' trust policy must be at most ${fmt(trustPolicyQuota)} characters without whitespace (IAM's default quota; raise it in Service Quotas up to 4,096 and set trustPolicyQuota); it has ${fmt(size)}.`, r.urn);
      }
      for (const p of asArray<any>(r.props.inlinePolicies)) {
        const s = iamPolicySize(p?.policy);
        if (s === undefined) continue;
        const entry = inline.get(String(r.props.name ?? r.name)) ?? { urn: r.urn, parts: [] };
        entry.parts.push({ label: String(p?.name ?? "?"), size: s });
        inline.set(String(r.props.name ?? r.name), entry);
      }
    }
    for (const rp of args.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy")) {
      const s = iamPolicySize(rp.props.policy);
      if (s === undefined) continue;
      const { key, urn } = roleKey(rp.props.role);
      const entry = inline.get(key) ?? { urn: urn ?? rp.urn, parts: [] };
      entry.parts.push({ label: String(rp.props.name ?? rp.name), size: s });
      inline.set(key, entry);
    }
    for (const [role, { urn, parts }] of [...inline.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const total = parts.reduce((n, p) => n + p.size, 0);
      if (total > IAM_SIZE_LIMITS.roleInlinePolicies) {
        report(`IAM role '${role}' inline policies must total at most ${fmt(IAM_SIZE_LIMITS.roleInlinePolicies)} characters without whitespace (IAM's limit); they total ${fmt(total)} (${parts.map((p) => `${p.label}: ${fmt(p.size)}`).join(", ")}). Split the grants into managed policies or fewer statements.`, urn);
      }
    }
    for (const p of args.resources.filter((r) => r.type === "aws:iam/policy:Policy")) {
      const s = iamPolicySize(p.props.policy);
      if (s !== undefined && s > IAM_SIZE_LIMITS.managedPolicy) {
        report(`IAM managed policy '${p.props.name ?? p.name}' must be at most ${fmt(IAM_SIZE_LIMITS.managedPolicy)} characters without whitespace (IAM's limit); it has ${fmt(s)}.`, p.urn);
      }
    }
  },
};

export const iamPolicies = [
  iamPolicySizeLimits,
  iamNoUsersOrAccessKeys,
  iamNoWildcardActions,
  iamNoWildcardResourceWrites,
  iamPassRoleScoped,
  iamCrossAccountTrustInOrganization,
  iamGithubOidcTrustPinned,
];
