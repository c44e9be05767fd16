/**
 * Language pipeline rules: Comprehend recognizers encrypted with KMS, and the data-access roles of
 * Translate and Comprehend (roles those services may assume) scoped to key prefixes of one bucket.
 */
import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import { asArray, identityDocuments, parseDocument, statementLabel } from "./lib";
import { KMS_ALIAS_ARN, KMS_KEY_ARN, PARTITION_PATTERN } from "../components/aws";

const checkNativeRecognizer = validateResourceOfType(aws.comprehend.EntityRecognizer, (r, _args, report) => {
  if (!r.volumeKmsKeyId) report(`Comprehend entity recognizer '${r.name}' must set volumeKmsKeyId to encrypt its training volumes.`);
  if (!r.modelKmsKeyId) report(`Comprehend entity recognizer '${r.name}' must set modelKmsKeyId to encrypt the trained model.`);
});

export const comprehendRecognizerEncrypted: ResourceValidationPolicy = {
  name: "comprehend-recognizer-encrypted",
  description: "Checks whether Comprehend entity recognizers encrypt their training volumes and model with KMS.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    // The platform's training dynamic resource sends kmsKeyArn as VolumeKmsKeyId and ModelKmsKeyId.
    if (args.type === "pulumi-nodejs:dynamic:Resource" && args.props.kind === "mlz:comprehend:EntityRecognizerTraining") {
      const key = args.props.kmsKeyArn;
      if (typeof key !== "string" || !(KMS_KEY_ARN.test(key) || KMS_ALIAS_ARN.test(key))) {
        report(`Comprehend entity recognizer '${args.props.recognizerName}' must be trained with a KMS key (kmsKeyArn) for its volumes and model.`);
      }
      return;
    }
    return checkNativeRecognizer(args, report);
  },
};

/** Services whose data-access roles read job input and write job output. */
export const DATA_ACCESS_SERVICES = ["translate.amazonaws.com", "comprehend.amazonaws.com"];

/** `arn:aws:s3:::<bucket>/<prefix>/…`: an object ARN whose key starts with a whole prefix segment, before any wildcard. */
const PREFIXED_OBJECT_ARN = new RegExp(`^arn:(?:${PARTITION_PATTERN}):s3:::[^/*?]+/([^/*?]+/)+[^/]*$`);
const S3_OBJECT_ACTIONS = /^s3:(GetObject|PutObject|DeleteObject)\w*$/i;

function trustsService(assumeRolePolicy: unknown): string | undefined {
  const doc = parseDocument(assumeRolePolicy);
  for (const s of doc?.Statement ?? []) {
    if (s.Effect !== "Allow") continue;
    const services = asArray((s.Principal as { Service?: string | string[] } | undefined)?.Service);
    const hit = services.find((svc) => DATA_ACCESS_SERVICES.includes(svc));
    if (hit) return hit;
  }
  return undefined;
}

export const languageDataAccessScoped: StackValidationPolicy = {
  name: "language-data-access-scoped",
  description: "Checks whether Translate and Comprehend data-access roles reach S3 only under key prefixes.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const roles = args.resources.filter((r) => r.type === "aws:iam/role:Role").map((r) => ({ r, service: trustsService(r.props.assumeRolePolicy) })).filter((x) => x.service);
    if (roles.length === 0) args.notApplicable("no role that Translate or Comprehend may assume");
    for (const { r, service } of roles) {
      const names = new Set([r.props.name, r.props.id, r.name].filter((v) => typeof v === "string"));
      const docs = [
        ...identityDocuments(r.type, r.props),
        ...args.resources.filter((p) => p.type === "aws:iam/rolePolicy:RolePolicy" && names.has(p.props.role)).flatMap((p) => identityDocuments(p.type, p.props)),
      ];
      const attached = args.resources.filter((p) => p.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && names.has(p.props.role));
      if (attached.length > 0) report(`Data-access role '${r.props.name ?? r.name}' (${service}) must carry only inline, prefix-scoped permissions; it has ${attached.length} managed policy attachment(s).`, r.urn);
      for (const d of docs) {
        (d.doc?.Statement ?? []).forEach((s, i) => {
          if (s.Effect !== "Allow") return;
          const actions = asArray(s.Action);
          if (actions.some((a) => a === "*" || /^s3:\*/i.test(a))) {
            report(`Data-access role '${r.props.name ?? r.name}' ${d.label} statement ${statementLabel(s, i)} must name S3 actions, not '${actions.join("', '")}'.`, r.urn);
            return;
          }
          if (actions.some((a) => S3_OBJECT_ACTIONS.test(a))) {
            const bad = s.NotResource !== undefined ? ["NotResource"] : asArray(s.Resource).filter((res) => !PREFIXED_OBJECT_ARN.test(res));
            if (bad.length > 0) report(`Data-access role '${r.props.name ?? r.name}' ${d.label} statement ${statementLabel(s, i)} must reach objects under a key prefix (arn:aws:s3:::<bucket>/<prefix>/*) only; got '${bad.join("', '")}'.`, r.urn);
          }
          if (actions.some((a) => /^s3:ListBucket$/i.test(a))) {
            const prefixes = asArray((s.Condition as Record<string, Record<string, unknown>> | undefined)?.StringLike?.["s3:prefix"] as string | string[] | undefined)
              .concat(asArray((s.Condition as Record<string, Record<string, unknown>> | undefined)?.StringEquals?.["s3:prefix"] as string | string[] | undefined));
            if (prefixes.length === 0 || prefixes.some((p) => typeof p !== "string" || p === "*" || p.startsWith("*"))) {
              report(`Data-access role '${r.props.name ?? r.name}' ${d.label} statement ${statementLabel(s, i)} must limit s3:ListBucket with an s3:prefix condition naming key prefixes.`, r.urn);
            }
          }
        });
      }
    }
  },
};

export const languagePolicies = [comprehendRecognizerEncrypted, languageDataAccessScoped];
