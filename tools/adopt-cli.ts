/**
 * `npm run adopt`: writes the management stack's config from the organization the caller's
 * credentials are in, so that `pulumi up` imports what exists. See `--help`.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { OrganizationsClient } from "@aws-sdk/client-organizations";
import { STACKS_DIR, stackConfig } from "../stacks/paths";
import { editStackFile, type StackFileEdit } from "../promotion/yaml-edit";
import type * as Adopt from "./adopt";
import type { AdoptionPlan, CurrentConfig } from "./adopt";

// Loaded when used, so `--help` and usage errors answer at once: the adoption module loads the
// Organizations client (the stack schema: see stacks/paths.ts).
const adoptModule = (): typeof Adopt => require("./adopt");

export const HELP = `Usage: npm run adopt -- [--stacks-dir <dir>] [--map <stack>=<account name or id>]... [--adopt-policies] [--dry-run]

Reads the AWS organization the caller's credentials are in (Organizations API: the organization,
its root, every OU, every account with its parent, the SCPs and RCPs with their targets) and
updates <dir>/Pulumi.management.yaml so that 'pulumi up -s management' imports what exists
(organizationId, managementAccountId, organizationalUnits and accounts with their ids) instead of
creating it. Comments and layout of the file are kept.

Options:
  --stacks-dir <dir>        Folder with the Pulumi.<stack>.yaml files. Default: stacks/.
  --map <stack>=<account>   Set the 'account' key of <dir>/Pulumi.<stack>.yaml to the account with
                            that name or id (repeatable). Other member stacks keep theirs; those
                            without one are listed for you to fill in.
  --adopt-policies          Also import the organization's existing SCPs and RCPs (not AWS-managed
                            ones, not the landing zone's own mlz-*). Without it they are listed and
                            left alone.
  --dry-run                 Print the files it would write; write nothing.
  -h, --help                Show this help.

Suspended and closed accounts, and accounts directly under the root, are skipped with a note. The
management account is not a member account. Credentials and region come from the AWS SDK's usual
settings; AWS_ENDPOINT_URL_ORGANIZATIONS points the client at another endpoint (an emulator).
A stack file with uncommitted changes is never overwritten.

Exit status: 0 written (or printed); 2 an error (bad arguments, a stack file with uncommitted
changes, an API error, a result that would not pass the stack-file schema).
`;

export class UsageError extends Error {}

const MGMT = "management";

interface StackText {
  stack: string;
  file: string;
  text: string;
  values: Record<string, unknown>;
}

function readStackTexts(dir: string): StackText[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    throw new UsageError(`--stacks-dir ${dir}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such folder" : (e as Error).message}`);
  }
  return names
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort()
    .map((stack) => {
      const file = path.join(dir, `Pulumi.${stack}.yaml`);
      const text = fs.readFileSync(file, "utf8");
      return { stack, file, text, values: stackConfig().parseStackFileText(stack, text, file).values };
    });
}

/** What the stack files hold today. */
export function currentConfig(stacks: StackText[]): CurrentConfig {
  const mgmt = stacks.find((s) => s.stack === MGMT);
  if (!mgmt) throw new UsageError(`no Pulumi.${MGMT}.yaml in the stacks folder: adopt writes the management stack's config`);
  const obj = (v: unknown) => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, any>) : {});
  const stackAccounts: Record<string, string | undefined> = {};
  for (const s of stacks) {
    if (s.stack === MGMT || s.values.role === MGMT) continue;
    stackAccounts[s.stack] = typeof s.values.account === "string" ? s.values.account : undefined;
  }
  return { organizationalUnits: obj(mgmt.values.organizationalUnits), accounts: obj(mgmt.values.accounts), stackAccounts };
}

/** The edits that write `plan` into the management file and the member stacks' `account` keys. */
export function editsFor(plan: AdoptionPlan): { management: StackFileEdit[]; stacks: Record<string, StackFileEdit[]> } {
  const { NAMESPACE } = stackConfig();
  const k = (key: string, ...rest: string[]) => ["config", `${NAMESPACE}:${key}`, ...rest];
  const management: StackFileEdit[] = [
    { path: k("organizationId"), value: plan.organizationId },
    { path: k("managementAccountId"), value: plan.managementAccountId },
  ];
  for (const [key, ou] of Object.entries(plan.organizationalUnits)) {
    management.push({ path: k("organizationalUnits", key, "name"), value: ou.name });
    if (ou.parent !== undefined) management.push({ path: k("organizationalUnits", key, "parent"), value: ou.parent });
    management.push({ path: k("organizationalUnits", key, "id"), value: ou.id });
  }
  for (const [key, a] of Object.entries(plan.accounts).sort(([x], [y]) => (x < y ? -1 : 1))) {
    management.push({ path: k("accounts", key, "name"), value: a.name });
    management.push({ path: k("accounts", key, "email"), value: a.email });
    management.push({ path: k("accounts", key, "ou"), value: a.ou });
    management.push({ path: k("accounts", key, "id"), value: a.id });
  }
  for (const [key, p] of Object.entries(plan.adoptedPolicies)) {
    management.push({ path: k("adoptedPolicies", key, "id"), value: p.id });
    management.push({ path: k("adoptedPolicies", key, "name"), value: p.name });
    management.push({ path: k("adoptedPolicies", key, "type"), value: p.type });
    if (p.description !== undefined) management.push({ path: k("adoptedPolicies", key, "description"), value: p.description });
    management.push({ path: k("adoptedPolicies", key, "content"), value: p.content });
    management.push({ path: k("adoptedPolicies", key, "targets"), value: p.targets });
  }
  const stacks: Record<string, StackFileEdit[]> = {};
  for (const [stack, key] of Object.entries(plan.stackAccounts)) stacks[stack] = [{ path: k("account"), value: key }];
  return { management, stacks };
}

/** True when git reports uncommitted changes to `file` (false outside a git work tree). */
function hasLocalChanges(file: string): boolean {
  const r = spawnSync("git", ["status", "--porcelain", "--", path.basename(file)], { cwd: path.dirname(file), encoding: "utf8" });
  if (r.status !== 0 || r.error) return false;
  return r.stdout.trim() !== "";
}

export function notesText(plan: AdoptionPlan): string {
  const n = plan.notes;
  const lines = [
    `organization ${plan.organizationId} (management account ${plan.managementAccountId}): ${Object.keys(plan.organizationalUnits).length} OU(s), ${Object.keys(plan.accounts).length} member account(s) to import`,
  ];
  for (const a of n.skippedAccounts) lines.push(`skipped: account ${a.id} (${a.name}) is ${a.state}`);
  for (const a of n.rootAccounts) lines.push(`skipped: account ${a.id} (${a.name}) sits directly under the root; move it into an OU to manage it here`);
  for (const a of n.invitedAccounts) {
    lines.push(`invited: account '${a.key}' ${a.id} (${a.name}) joined by invitation and has no OrganizationAccountAccessRole: create a role trusting the management account and set accounts.${a.key}.bootstrapRoleName`);
  }
  for (const k of n.missingAccounts) lines.push(`not in the organization: account '${k}' of the stack file has no active account of that name or id; pulumi up would create it`);
  for (const k of n.missingRequiredKeys) lines.push(`missing: no account has the key '${k}' the landing zone requires; run again with --map ${k}=<account name or id>`);
  for (const s of n.unmappedStacks) lines.push(`to do: stack '${s}' has no account; run again with --map ${s}=<account name or id>, or set 'account' in its file`);
  for (const p of n.unmanagedPolicies) {
    lines.push(`left alone: ${p.type === "SERVICE_CONTROL_POLICY" ? "SCP" : "RCP"} ${p.id} '${p.name}' attached to ${p.targets.join(", ") || "nothing"} (not managed by the landing zone; --adopt-policies imports it)`);
  }
  for (const [key, p] of Object.entries(plan.adoptedPolicies)) lines.push(`adopted: ${p.type === "SERVICE_CONTROL_POLICY" ? "SCP" : "RCP"} ${p.id} '${p.name}' as adoptedPolicies.${key}`);
  return lines.join("\n") + "\n";
}

export interface AdoptOptions {
  stacksDir: string;
  maps: Record<string, string>;
  adoptPolicies: boolean;
  dryRun: boolean;
  /** Made once the stack files are read (constructing an SDK client may print Node-version warnings). */
  client: () => OrganizationsClient;
}

/** Runs the command; returns what to print. Throws UsageError/AdoptError/ConfigError for the user. */
export async function adopt(o: AdoptOptions): Promise<string> {
  const stacks = readStackTexts(o.stacksDir);
  const current = currentConfig(stacks);
  const { PRODUCT_POLICY_PREFIX, adoptionPlan, readOrganization } = adoptModule();
  const { parseStackConfig, parseStackFileText } = stackConfig();
  const snapshot = await readOrganization(o.client(), {
    policyContent: (p) => o.adoptPolicies && !p.awsManaged && !p.name.startsWith(PRODUCT_POLICY_PREFIX),
  });
  const plan = adoptionPlan(snapshot, current, o.maps, { adoptPolicies: o.adoptPolicies });
  const edits = editsFor(plan);
  const outputs: Array<{ s: StackText; text: string }> = [];
  for (const s of stacks) {
    const e = s.stack === MGMT ? edits.management : edits.stacks[s.stack];
    if (!e) continue;
    const text = editStackFile(s.text, s.file, e);
    if (text !== s.text) outputs.push({ s, text });
  }
  // The result must pass the same schema the plan applies, before anything is written.
  for (const { s, text } of outputs) parseStackConfig(parseStackFileText(s.stack, text, s.file).values, s.file);
  let out = "";
  if (o.dryRun) {
    for (const { s, text } of outputs) out += `# ${s.file} (dry run: not written)\n${text}${text.endsWith("\n") ? "" : "\n"}`;
  } else {
    const dirty = outputs.filter(({ s }) => hasLocalChanges(s.file)).map(({ s }) => s.file);
    if (dirty.length > 0) throw new UsageError(`refusing to overwrite ${dirty.join(", ")}: uncommitted changes; commit or stash them first`);
    for (const { s, text } of outputs) fs.writeFileSync(s.file, text);
    out += outputs.length === 0 ? "no stack file changes: the files already import this organization\n" : outputs.map(({ s }) => `wrote ${s.file}\n`).join("");
  }
  return out + notesText(plan);
}

export function parseCli(argv: string[]): { help: true } | Omit<AdoptOptions, "client"> & { help: false } {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        "stacks-dir": { type: "string" },
        map: { type: "string", multiple: true },
        "adopt-policies": { type: "boolean" },
        "dry-run": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (see --help)`);
  }
  const v = args.values;
  if (v.help) return { help: true };
  if (v["stacks-dir"] === "") throw new UsageError("--stacks-dir needs a folder");
  const maps: Record<string, string> = {};
  for (const m of v.map ?? []) {
    const r = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(m);
    if (!r) throw new UsageError(`--map must be <stack>=<account name or id>; got '${m}'`);
    if (r[1] in maps) throw new UsageError(`--map: stack '${r[1]}' given twice`);
    maps[r[1]] = r[2];
  }
  return { help: false, stacksDir: path.resolve(v["stacks-dir"] ?? STACKS_DIR), maps, adoptPolicies: v["adopt-policies"] === true, dryRun: v["dry-run"] === true };
}

if (require.main === module) {
  (async () => {
    const parsed = parseCli(process.argv.slice(2));
    if (parsed.help) return HELP;
    const { OrganizationsClient } = require("@aws-sdk/client-organizations") as typeof import("@aws-sdk/client-organizations");
    const client = () => new OrganizationsClient({ region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1" });
    return adopt({ ...parsed, client });
  })().then(
    (out) => process.stdout.write(out),
    (e) => {
      const known = e instanceof UsageError || e instanceof adoptModule().AdoptError || (e as Error).name === "ConfigError";
      const msg = known ? e.message : `${(e as Error).name ?? "Error"}: ${(e as Error).message}`;
      process.stderr.write(`adopt: ${msg.split("\n").join("; ")}\n`);
      process.exitCode = 2;
    },
  );
}
