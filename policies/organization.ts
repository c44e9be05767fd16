/**
 * Organization rules: SCP documents valid and within the size quota, and the consumer-account
 * Rekognition guardrail SCP attached to the QA and prod OUs.
 */
import * as aws from "@pulumi/aws";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { OrganizationSnapshot } from "./organization-context";
import { asArray, isRecord, parseDocument, referenceKeys, refersTo, wildcardMatch, configOf } from "./lib";

const SCP = "SERVICE_CONTROL_POLICY";
const CONTROL_POLICY_TYPES = [SCP, "RESOURCE_CONTROL_POLICY"];

/** `type` of an organizations Policy; the provider defaults it to SERVICE_CONTROL_POLICY. */
function policyType(props: { type?: string }): string {
  return props.type ?? SCP;
}

export const scpDocumentValid: ResourceValidationPolicy = {
  name: "scp-document-valid",
  description: "Checks whether service and resource control policy documents are well-formed.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.organizations.Policy, (p, _args, report) => {
    if (!CONTROL_POLICY_TYPES.includes(policyType(p))) return;
    // RCPs require `Principal: "*"` and only Deny statements (AWS Organizations User Guide, "RCP
    // syntax": Allow is reserved for the AWS-managed RCPFullAWSAccess); SCPs refuse Principal.
    const rcp = policyType(p) !== SCP;
    let raw: any;
    try {
      raw = JSON.parse(p.content);
    } catch (e) {
      report(`SCP content must be valid JSON: ${(e as Error).message}`);
      return;
    }
    if (!isRecord(raw) || raw.Version !== "2012-10-17") report("SCP content must declare Version '2012-10-17'.");
    const statements = isRecord(raw) ? asArray<any>(raw.Statement) : [];
    if (statements.length === 0) {
      report("SCP content must hold at least one statement.");
      return;
    }
    const sids = new Set<string>();
    statements.forEach((s, i) => {
      const where = `${rcp ? "RCP" : "SCP"} statement ${isRecord(s) && s.Sid ? `'${s.Sid}'` : `#${i + 1}`}`;
      if (!isRecord(s)) {
        report(`${where} must be an object.`);
        return;
      }
      if (rcp) {
        if (s.Effect !== "Deny") report(`${where} must have Effect 'Deny'; RCPs allow only through the AWS-managed RCPFullAWSAccess.`);
        if (s.Action === undefined || s.NotAction !== undefined) report(`${where} must have Action and no NotAction.`);
        if (s.Principal !== "*" || s.NotPrincipal !== undefined) report(`${where} must have Principal '*' and no NotPrincipal; narrow it with conditions.`);
      } else {
        if (s.Effect !== "Allow" && s.Effect !== "Deny") report(`${where} must have Effect 'Allow' or 'Deny'.`);
        if ((s.Action === undefined) === (s.NotAction === undefined)) report(`${where} must have exactly one of Action or NotAction.`);
        if (s.Principal !== undefined || s.NotPrincipal !== undefined) report(`${where} must not name a Principal; SCPs apply to every principal in the target.`);
      }
      if (s.Sid !== undefined) {
        if (typeof s.Sid !== "string" || !/^[A-Za-z0-9]*$/.test(s.Sid)) report(`${where} must have an alphanumeric Sid.`);
        else if (sids.has(s.Sid)) report(`${where} must have a unique Sid.`);
        else sids.add(s.Sid);
      }
      for (const a of [...asArray<unknown>(s.Action), ...asArray<unknown>(s.NotAction)]) {
        if (typeof a !== "string" || !(a === "*" || /^[a-z0-9-]+:[A-Za-z0-9*?]+$/.test(a))) report(`${where} must name actions as 'service:Action'; got '${String(a)}'.`);
      }
    });
  }),
};

export const scpSizeQuota: ResourceValidationPolicy = {
  name: "scp-size-quota",
  description: "Checks whether service and resource control policy documents fit the Organizations size quota.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { maxCharacters: { type: "integer", default: 5120, description: "Organizations quota for an SCP or RCP document, whitespace included." } },
  },
  validateResource: validateResourceOfType(aws.organizations.Policy, (p, args, report) => {
    if (!CONTROL_POLICY_TYPES.includes(policyType(p))) return;
    const { maxCharacters } = configOf<{ maxCharacters: number }>(args, scpSizeQuota);
    if (typeof p.content === "string" && p.content.length > maxCharacters) {
      report(`SCP content must be at most ${maxCharacters} characters; got ${p.content.length}. Remove whitespace or split the policy.`);
    }
  }),
};

export const GUARDRAIL_DENIED_ACTIONS = ["rekognition:CreateProject*", "rekognition:DeleteProject*", "rekognition:StartProject*", "rekognition:StopProject*"];

/**
 * Whether an SCP document denies every one of `denied` unconditionally: on `Resource: "*"`, without
 * a condition (each statement action pattern covering one counts). A deny naming specific resources
 * does not count: `rekognition:CreateProject` supports no resource-level permissions and never
 * matches one.
 */
function isGuardrail(content: unknown, denied: string[]): boolean {
  const doc = parseDocument(content);
  if (!doc) return false;
  const denies = doc.Statement
    .filter((s) => s.Effect === "Deny" && s.Condition === undefined && s.NotResource === undefined && asArray(s.Resource).includes("*"))
    .flatMap((s) => asArray(s.Action));
  return denied.every((d) => denies.some((a) => wildcardMatch(a, d)));
}

export const rekognitionGuardrailAttached: StackValidationPolicy = {
  name: "rekognition-guardrail-attached",
  description: "Checks whether the consumer-account Rekognition guardrail SCP is attached to the QA and prod OUs.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      consumerOuIds: { type: "array", items: { type: "string" }, default: [], description: "OU ids (ou-…) the guardrail must be attached to." },
      consumerOuNames: {
        type: "array",
        items: { type: "string" },
        default: ["QA", "Prod"],
        description: "Names of OrganizationalUnit resources in this stack the guardrail must be attached to (case-insensitive).",
      },
      consumerAccountIds: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Consumer account ids: the OUs that hold these accounts (Account resources' parentId) must carry the guardrail.",
      },
      consumerStacks: {
        type: "array",
        items: { type: "string" },
        default: ["qa", "prod"],
        description: "With org-wide context: the accounts of these stacks are consumer accounts.",
      },
      organization: { type: "array", description: "Org-wide context (set by the offline plan)." },
      deniedActions: { type: "array", items: { type: "string" }, default: GUARDRAIL_DENIED_ACTIONS, description: "Actions the guardrail must deny unconditionally." },
    },
  },
  validateStack: (args, report) => {
    const cfg = configOf<{
      consumerOuIds: string[];
      consumerOuNames: string[];
      consumerAccountIds: string[];
      consumerStacks: string[];
      deniedActions: string[];
      organization?: OrganizationSnapshot[];
    }>(args, rekognitionGuardrailAttached);
    const names = cfg.consumerOuNames.map((n) => n.toLowerCase());
    const consumerAccounts = new Set([
      ...cfg.consumerAccountIds,
      ...(cfg.organization ?? []).filter((s) => cfg.consumerStacks.includes(s.stack) && s.account).map((s) => s.account!),
    ]);
    const ouIdsOfConsumerAccounts = new Set(
      args.resources
        .filter((r) => r.isType(aws.organizations.Account) && [r.props.id, r.props.accountId].some((id) => consumerAccounts.has(id)))
        .map((r) => r.props.parentId)
        .filter((id): id is string => typeof id === "string"),
    );
    const allOus = args.resources.filter((r) => r.isType(aws.organizations.OrganizationalUnit));
    const ous = allOus.filter(
      (r) => (typeof r.props.name === "string" && names.includes(r.props.name.toLowerCase())) || [...referenceKeys(r, [])].some((k) => ouIdsOfConsumerAccounts.has(k)),
    );
    const declared = new Set(ous.flatMap((ou) => [...referenceKeys(ou, [])]));
    const targets: { label: string; ids: Set<string>; ou?: PolicyResource }[] = [
      ...[...new Set([...cfg.consumerOuIds, ...ouIdsOfConsumerAccounts])].filter((id) => !declared.has(id)).map((id) => ({ label: id, ids: new Set([id]) })),
      ...ous.map((ou) => ({ label: String(ou.props.name), ids: referenceKeys(ou, []), ou })),
    ];
    if (targets.length === 0) args.notApplicable("no consumer OU configured or declared in this stack");
    const guardrails = args.resources.filter(
      (r) => r.isType(aws.organizations.Policy) && policyType(r.props) === SCP && isGuardrail(r.props.content, cfg.deniedActions),
    );
    if (guardrails.length === 0) {
      report(`The consumer-account Rekognition guardrail SCP (denying ${cfg.deniedActions.join(", ")}) must be declared and attached to the consumer OUs.`);
      return;
    }
    const attachments = args.resources.filter((r) => r.isType(aws.organizations.PolicyAttachment));
    for (const t of targets) {
      const attached = attachments.some(
        (a) =>
          ((typeof a.props.targetId === "string" && t.ids.has(a.props.targetId)) || (t.ou !== undefined && refersTo(a, "targetId", t.ou, t.ids))) &&
          guardrails.some((g) => refersTo(a, "policyId", g, referenceKeys(g, []))),
      );
      if (!attached) report(`The consumer-account Rekognition guardrail SCP must be attached to OU '${t.label}'.`, t.ou?.urn);
    }
  },
};

export const organizationPolicies = [scpDocumentValid, scpSizeQuota, rekognitionGuardrailAttached];
