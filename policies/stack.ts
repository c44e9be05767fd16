/**
 * Stack policies about model promotion:
 * - `prod-models-in-qa`: every model a protected environment (prod) publishes in its SSM parameters
 *   `/mlz/models/<model>/arn` is a model QA's stack config also uses, with versions of the same model
 *   (which version QA held when prod changed is a change, checked where the diff is visible).
 * - `model-parameters-granted`: every model parameter is covered by a cross-account grant (the
 *   `mlz-model-access-<env>` role in the ML account allows the model kind's action on the version ARN,
 *   or on the endpoint serving it for SageMaker). A parameter in the account of its model (the ML
 *   account's own, e.g. the bike-share inference's) needs no cross-account grant and is skipped; the
 *   parameter's account comes from its provider (`allowedAccountIds`, else the role it assumes).
 *
 * Both read org-wide context when the offline plan provides it (option `organization`, see
 * organization-context.ts). In a single-stack `pulumi preview`, the first reads QA's config from
 * `qaStackFile` (relative to the working directory, else to the project root), and the second can only see grants declared in
 * the same stack: when the stack declares none (the grants live in the ML stack), it reports itself
 * not applicable and the org-wide check is left to the offline plan.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PolicyProviderResource, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import * as YAML from "yaml";
import { endpointArnForModelArn, parseModelVersionArn } from "../components/models/arns";
import { MODEL_ACTIONS } from "../components/models/grants";
import { modelAccessRoleName, modelParameterName } from "../components/naming";
import { accountOf, asArray, environmentOf, grantsAction, identityDocuments, isRecord, wildcardMatch, configOf } from "./lib";
import type { OrganizationResource, OrganizationSnapshot } from "./organization-context";
import { isAccountId } from "../components/aws";

const PARAMETER_TYPE = "aws:ssm/parameter:Parameter";

/** `/mlz/models/<model>/arn` → model, from the naming convention itself. */
function modelOfParameter(name: unknown): string | undefined {
  if (typeof name !== "string") return undefined;
  const [prefix, suffix] = modelParameterName("\u0000").split("\u0000");
  if (!name.startsWith(prefix) || !name.endsWith(suffix)) return undefined;
  const model = name.slice(prefix.length, name.length - suffix.length);
  return model && !model.includes("/") ? model : undefined;
}

/** A provider input that Pulumi may hand over as a JSON string (lists and objects of provider config). */
function decodeProviderInput(v: unknown): unknown {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/**
 * The account a provider deploys into: its single `allowedAccountIds` entry, else the account of the
 * (first) role it assumes. `undefined` when neither says (e.g. still unknown in a preview).
 */
export function providerAccount(provider?: PolicyProviderResource): string | undefined {
  if (!provider || !provider.type.startsWith("pulumi:providers:aws")) return undefined;
  const allowed = asArray<unknown>(decodeProviderInput(provider.props.allowedAccountIds) as any).map(String);
  if (allowed.length === 1 && isAccountId(allowed[0])) return allowed[0];
  const roles = asArray<any>(decodeProviderInput(provider.props.assumeRoles) ?? decodeProviderInput(provider.props.assumeRole));
  const roleArn = roles.length > 0 && isRecord(roles[0]) && typeof roles[0].roleArn === "string" ? roles[0].roleArn : undefined;
  return roleArn ? accountOf(roleArn) : undefined;
}

interface ModelParameter {
  resource: PolicyResource;
  parameter: string;
  model: string;
  value?: string;
  environment?: string;
}

function modelParameters(resources: PolicyResource[]): ModelParameter[] {
  return resources
    .filter((r) => r.type === PARAMETER_TYPE && modelOfParameter(r.props.name) !== undefined)
    .map((r) => {
      const v = r.props.value ?? r.props.insecureValue;
      return {
        resource: r,
        parameter: r.props.name as string,
        model: modelOfParameter(r.props.name)!,
        value: typeof v === "string" ? v : undefined,
        environment: environmentOf(r.props, r.provider),
      };
    });
}

/** The `models` map of a Pulumi stack file (`<project>:models`). */
export function modelsFromStackFile(text: string): Record<string, { versionArn?: string }> {
  const doc = YAML.parse(text) as { config?: Record<string, unknown> } | null;
  const entry = Object.entries(doc?.config ?? {}).find(([k]) => k.endsWith(":models"));
  return isRecord(entry?.[1]) ? (entry![1] as Record<string, { versionArn?: string }>) : {};
}

/** The service, account, region and (Rekognition) project a version ARN belongs to: what "the same model" means in a state. */
function modelIdentity(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  try {
    const p = parseModelVersionArn(arn);
    // SageMaker versions are models of their own (one model per version): any model of the
    // account and region is a version of it. Rekognition and Comprehend versions belong to a
    // project or recognizer, which is the model.
    if (p.kind === "rekognition") return `Rekognition project ${p.projectArnPrefix}`;
    if (p.kind === "comprehend") return `Comprehend recognizer ${p.recognizer} of ${p.account} in ${p.region}`;
    return `SageMaker models of ${p.account} in ${p.region}`;
  } catch {
    return undefined;
  }
}

/**
 * A state cannot show which version QA held when prod changed (that is a change, checked by the
 * promotion command and the plan's `promotion-gates` check against the diff): prod staying behind
 * while QA moves ahead is normal. What a state proves is checked here: every model a protected
 * environment uses is a model QA also uses, with versions of the same model (service, account,
 * region, Rekognition project), so a version of a model QA never tested cannot reach prod.
 */
export const prodModelsInQa: StackValidationPolicy = {
  name: "prod-models-in-qa",
  description: "Checks whether every model a protected environment uses is a model QA's stack config also uses, of the same service and project.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      environments: { type: "array", items: { type: "string" }, default: ["prod"], description: "Values of the `environment` tag whose model parameters are checked." },
      qaStackName: { type: "string", default: "qa", description: "Stack whose config holds the QA model versions (org-wide context)." },
      qaStackFile: {
        type: "string",
        default: "stacks/Pulumi.qa.yaml",
        description: "QA stack file read when no org-wide context is given: relative to the working directory, else to the project root (the policy pack runs in policies/).",
      },
      organization: { type: "array", description: "Org-wide context (set by the offline plan)." },
    },
  },
  validateStack: (args, report) => {
    const cfg = configOf<{ environments: string[]; qaStackName: string; qaStackFile: string; organization?: OrganizationSnapshot[] }>(args, prodModelsInQa);
    const params = modelParameters(args.resources).filter((p) => p.environment !== undefined && cfg.environments.includes(p.environment));
    if (params.length === 0) args.notApplicable(`no model parameters tagged environment ${cfg.environments.join(" or ")}`);
    let qaModels: Record<string, { versionArn?: string }>;
    let source: string;
    const qaSnapshot = cfg.organization?.find((s) => s.stack === cfg.qaStackName);
    if (qaSnapshot) {
      qaModels = isRecord(qaSnapshot.config.models) ? (qaSnapshot.config.models as Record<string, { versionArn?: string }>) : {};
      source = `stack '${qaSnapshot.stack}'`;
    } else {
      // The offline plan runs from the project root; the policy pack process runs in policies/.
      const candidates = [...new Set([path.resolve(process.cwd(), cfg.qaStackFile), path.resolve(__dirname, "..", cfg.qaStackFile)])];
      const file = candidates.find((f) => fs.existsSync(f)) ?? candidates[0];
      try {
        qaModels = modelsFromStackFile(fs.readFileSync(file, "utf8"));
      } catch (e) {
        report(`QA stack config '${cfg.qaStackFile}' must be readable to check model promotions: ${(e as Error).message}`);
        return;
      }
      source = `'${cfg.qaStackFile}'`;
    }
    for (const p of params) {
      const qa = qaModels[p.model]?.versionArn;
      if (qa === undefined) {
        report(`Model '${p.model}' in '${p.environment}' must be promoted from QA, but QA's config (${source}) has no version of it.`, p.resource.urn);
        continue;
      }
      const mine = modelIdentity(p.value);
      const theirs = modelIdentity(qa);
      if (mine !== theirs) {
        report(`Model parameter '${p.parameter}' in '${p.environment}' must hold a version of the model QA tests (${theirs ?? `'${qa}'`}, from ${source}); got '${p.value ?? "unknown"}'${mine ? ` (${mine})` : ""}.`, p.resource.urn);
      }
    }
  },
};

type GrantSource = Pick<OrganizationResource, "type" | "props">;

/** Whether a role (name) owns a document: Role by `name`, RolePolicy by `role`. */
function grantDocuments(resources: GrantSource[], roleName: (owner: string) => boolean) {
  return resources.flatMap((r) => identityDocuments(r.type, r.props)).filter((d) => d.owner !== undefined && roleName(d.owner) && d.doc);
}

// The offline plan passes every stack the same organization snapshot: its role documents are
// parsed once, not once per stack and parameter (which grew with the square of the stacks).
const organizationGrantDocuments = new WeakMap<OrganizationSnapshot[], ReturnType<typeof grantDocuments>>();
function organizationGrants(organization: OrganizationSnapshot[]): ReturnType<typeof grantDocuments> {
  let docs = organizationGrantDocuments.get(organization);
  if (!docs) {
    docs = grantDocuments(organization.flatMap((s) => s.resources), () => true);
    organizationGrantDocuments.set(organization, docs);
  }
  return docs;
}

/**
 * What a grant must allow for a model ARN: the kind's action (components/models/grants.ts) on the
 * project-version ARN (Rekognition) or on the endpoint serving the model (SageMaker).
 */
export function requiredGrant(modelArn: string): { action: string; resource: string } | undefined {
  try {
    const parsed = parseModelVersionArn(modelArn);
    return parsed.kind === "rekognition"
      ? { action: MODEL_ACTIONS.rekognition, resource: parsed.arn }
      : { action: MODEL_ACTIONS.sagemaker, resource: endpointArnForModelArn(parsed.arn) };
  } catch {
    return undefined;
  }
}

export const modelParametersGranted: StackValidationPolicy = {
  name: "model-parameters-granted",
  description: "Checks whether every model parameter is covered by a cross-account grant of the ML account.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      organization: { type: "array", description: "Org-wide context (set by the offline plan): grants are looked up in every planned stack." },
    },
  },
  validateStack: (args, report) => {
    const cfg = configOf<{ organization?: OrganizationSnapshot[] }>(args, modelParametersGranted);
    const all = modelParameters(args.resources);
    if (all.length === 0) args.notApplicable("no model parameters in this stack");
    // A parameter in its model's own account (the ML account) reads the model without any grant.
    const params = all.filter((p) => {
      const account = providerAccount(p.resource.provider);
      return account === undefined || p.value === undefined || accountOf(p.value) !== account;
    });
    if (params.length === 0) args.notApplicable("the model parameters in this stack live in the account of their models: no cross-account grant needed");
    const accessPrefix = modelAccessRoleName("");
    const orgWide = cfg.organization !== undefined && cfg.organization.length > 0;
    const grants = [...grantDocuments(args.resources, () => true), ...(orgWide ? organizationGrants(cfg.organization!) : [])];
    const grantsOf = (roleName: (owner: string) => boolean) => grants.filter((d) => roleName(d.owner!));
    if (!orgWide && grantsOf((o) => o.startsWith(accessPrefix)).length === 0) {
      args.notApplicable("the cross-account grants are declared in the ML stack; the offline plan checks them org-wide");
    }
    for (const p of params) {
      const role = p.environment ? modelAccessRoleName(p.environment) : `${accessPrefix}*`;
      const needed = p.value === undefined ? undefined : requiredGrant(p.value);
      if (!needed) {
        report(`Model parameter '${p.parameter}' must hold a Rekognition project-version or SageMaker model ARN; got '${p.value ?? "nothing"}'.`, p.resource.urn);
        continue;
      }
      const covered = grantsOf((o) => wildcardMatch(role, o, false)).some((d) =>
        d.doc!.Statement.some(
          (s) => s.Effect === "Allow" && grantsAction(s, needed.action) && asArray(s.Resource).some((r) => wildcardMatch(r, needed.resource, false)),
        ),
      );
      if (!covered) {
        report(`Model parameter '${p.parameter}' must be covered by a grant in role '${role}' allowing ${needed.action} on '${needed.resource}'.`, p.resource.urn);
      }
    }
  },
};

export const stackPolicies = [prodModelsInQa, modelParametersGranted];
