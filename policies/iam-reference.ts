/**
 * IAM documents checked against the AWS Service Authorization Reference (service-reference.ts):
 * every identity, trust, key, bucket, endpoint and other resource policy, and every SCP and RCP.
 * - iam-actions-exist: every action (wildcards expanded) exists;
 * - iam-condition-keys-supported: a service-specific condition key an action does not have in its
 *   request context makes the condition fixed for that action (never true: the statement never
 *   applies to it; always true: the condition never restricts it);
 * - iam-resource-level-permissions: an action that supports no resource-level permission matches
 *   only `Resource: "*"`, never a statement naming specific resources;
 * - rcp-services-supported: RCP statements name only services RCPs apply to.
 * Global keys (`aws:…`) are valid with every action.
 */
import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import type { PolicyDocument } from "../components/iam/policy-document";
import { asArray, identityDocuments, known, parseDocument, statementLabel } from "./lib";
import {
  actionsWithoutResourceLevel,
  rcpSupportedServices,
  resolveActionPattern,
  unsupportedConditionKeys,
} from "./service-reference";

/** A policy document of a resource, with where it comes from for messages. */
export interface ResourceDocument {
  /** `role policy 'x'`, `trust policy of role 'r'`, `key policy of 'k'`, `SCP 'p'`, … */
  label: string;
  kind: "identity" | "trust" | "resource" | "scp" | "rcp";
  /** `undefined` when the property did not hold a parseable document. */
  doc?: PolicyDocument;
}

/** Resource types whose `policy` input is a resource policy, with the label of that policy. */
const RESOURCE_POLICY_TYPES: Record<string, string> = {
  "aws:s3/bucketPolicy:BucketPolicy": "bucket policy",
  "aws:kms/key:Key": "key policy",
  "aws:kms/keyPolicy:KeyPolicy": "key policy",
  "aws:ec2/vpcEndpoint:VpcEndpoint": "endpoint policy",
  "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy": "endpoint policy",
  "aws:sqs/queuePolicy:QueuePolicy": "queue policy",
  "aws:sqs/queue:Queue": "queue policy",
  "aws:sns/topicPolicy:TopicPolicy": "topic policy",
  "aws:sns/topic:Topic": "topic policy",
  "aws:ecr/repositoryPolicy:RepositoryPolicy": "repository policy",
  "aws:secretsmanager/secretPolicy:SecretPolicy": "secret policy",
  "aws:s3control/accessPointPolicy:AccessPointPolicy": "access point policy",
  "aws:s3/accessPoint:AccessPoint": "access point policy",
  "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy": "Object Lambda access point policy",
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "log resource policy",
};

function nameOf(args: { name: string; props: Record<string, any> }): string {
  const p = args.props;
  for (const k of ["name", "bucket", "keyId", "vpcEndpointId", "queueUrl", "arn", "repository", "policyName"]) {
    if (typeof p[k] === "string" && p[k] !== "") return p[k];
  }
  return args.name;
}

/**
 * Every IAM-grammar document a resource declares: identity policies, a role's trust policy, resource
 * policies, SCPs and RCPs. During `pulumi preview` a document that is not known yet is skipped
 * (reading it throws `UnknownValueError`); the others are still returned.
 */
export function resourceDocuments(args: { type: string; name: string; props: Record<string, any> }): ResourceDocument[] {
  const { type, props } = args;
  const read = (key: string): unknown => known(() => props[key]);
  const docs: ResourceDocument[] = (known(() => identityDocuments(type, props)) ?? []).map((d) => ({ label: d.label, kind: "identity" as const, doc: d.doc }));
  const name = known(() => nameOf(args)) ?? args.name;
  const trust = type === "aws:iam/role:Role" ? read("assumeRolePolicy") : undefined;
  if (trust !== undefined) docs.push({ label: `trust policy of role '${name}'`, kind: "trust", doc: parseDocument(trust) });
  const resourceLabel = RESOURCE_POLICY_TYPES[type];
  const policy = resourceLabel ? read(type === "aws:cloudwatch/logResourcePolicy:LogResourcePolicy" ? "policyDocument" : "policy") : undefined;
  if (resourceLabel && policy !== undefined && policy !== "") {
    docs.push({ label: `${resourceLabel} of '${name}'`, kind: "resource", doc: parseDocument(policy) });
  }
  if (type === "aws:organizations/policy:Policy") {
    const policyType = read("type") ?? "SERVICE_CONTROL_POLICY";
    const kind = policyType === "SERVICE_CONTROL_POLICY" ? "scp" : policyType === "RESOURCE_CONTROL_POLICY" ? "rcp" : undefined;
    const content = read("content");
    // Unparseable content is scp-document-valid's finding.
    if (kind && content !== undefined) docs.push({ label: `${kind.toUpperCase()} '${name}'`, kind, doc: parseDocument(content) });
  }
  return docs;
}

/** Parsed documents of the resource (unparseable ones are other rules' findings). */
function parsedDocuments(args: ResourceValidationArgs): (ResourceDocument & { doc: PolicyDocument })[] {
  return resourceDocuments(args).filter((d): d is ResourceDocument & { doc: PolicyDocument } => d.doc !== undefined);
}

/** At most `n` items joined, with how many more. */
function listOf(items: string[], n = 8): string {
  return items.length <= n ? items.join(", ") : `${items.slice(0, n).join(", ")} and ${items.length - n} more`;
}

export const iamActionsExist: ResourceValidationPolicy = {
  name: "iam-actions-exist",
  description: "Checks whether every action of every IAM, resource, SCP and RCP document exists in the AWS service authorization reference.",
  enforcementLevel: "mandatory",
  validateResource: async (args, report) => {
    for (const d of parsedDocuments(args)) {
      for (const [i, s] of d.doc.Statement.entries()) {
        for (const field of ["Action", "NotAction"] as const) {
          for (const pattern of asArray<unknown>(s[field])) {
            if (typeof pattern !== "string") {
              report(`${d.label} statement ${statementLabel(s, i)} must name ${field} entries as strings; got ${JSON.stringify(pattern)}.`);
              continue;
            }
            const r = await resolveActionPattern(pattern);
            if (r.problem) report(`${d.label} statement ${statementLabel(s, i)} must name existing actions: ${field} '${pattern}' ${r.problem}.`);
          }
        }
      }
    }
  },
};

export const iamConditionKeysSupported: ResourceValidationPolicy = {
  name: "iam-condition-keys-supported",
  description:
    "Checks whether every service-specific condition key (under an operator without IfExists) is in the request context of each action of its statement.",
  enforcementLevel: "mandatory",
  validateResource: async (args, report) => {
    for (const d of parsedDocuments(args)) {
      for (const [i, s] of d.doc.Statement.entries()) {
        for (const f of await unsupportedConditionKeys(s)) {
          const verb = s.Effect === "Deny" ? "denies" : "grants";
          const them = f.actions.length === 1 ? "it" : "them";
          const effect =
            f.outcome === "false"
              ? `so the statement never ${verb} ${them}`
              : `so '${f.operator}' always holds and the statement ${verb} ${them} unconditionally`;
          report(
            `${d.label} statement ${statementLabel(s, i)} must use condition keys its actions support: ${listOf(f.actions)} ` +
              `${f.actions.length === 1 ? "does" : "do"} not have '${f.key}' in the request context, ${effect}. ` +
              `Move ${them} to a statement without that condition.`,
          );
        }
      }
    }
  },
};

export const iamResourceLevelPermissions: ResourceValidationPolicy = {
  name: "iam-resource-level-permissions",
  description: "Checks whether actions that support no resource-level permissions appear only in statements with Resource '*'.",
  enforcementLevel: "mandatory",
  validateResource: async (args, report) => {
    for (const d of parsedDocuments(args)) {
      for (const [i, s] of d.doc.Statement.entries()) {
        const actions = await actionsWithoutResourceLevel(s);
        if (actions.length === 0) continue;
        const verb = s.Effect === "Deny" ? "denies" : "grants";
        report(
          `${d.label} statement ${statementLabel(s, i)} must put ${listOf(actions)} under Resource '*': ` +
            `${actions.length === 1 ? "it supports" : "they support"} no resource-level permissions, so a statement naming specific resources never ${verb} ${actions.length === 1 ? "it" : "them"}.`,
        );
      }
    }
  },
};

export const rcpServicesSupported: ResourceValidationPolicy = {
  name: "rcp-services-supported",
  description: "Checks whether resource control policy statements name only actions of services that RCPs apply to.",
  enforcementLevel: "mandatory",
  validateResource: async (args, report) => {
    for (const d of parsedDocuments(args)) {
      if (d.kind !== "rcp") continue;
      const supported = await rcpSupportedServices();
      for (const [i, s] of d.doc.Statement.entries()) {
        const bad = asArray<unknown>(s.Action)
          .filter((a): a is string => typeof a === "string" && a !== "*")
          .filter((a) => !supported.has(a.split(":")[0].toLowerCase()));
        if (bad.length > 0) {
          report(`${d.label} statement ${statementLabel(s, i)} must name only services that RCPs apply to; got '${bad.join("', '")}' (RCPs never apply to them).`);
        }
      }
    }
  },
};

export const iamReferencePolicies = [iamActionsExist, iamConditionKeysSupported, iamResourceLevelPermissions, rcpServicesSupported];
