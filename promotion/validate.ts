/**
 * The plan's own validation of a promotion, before anything is written: the stack files as they
 * will be after the edit (the edited file plus every other stack file of the working tree) go
 * through the offline plan — the stack-file schema of every file, every program, the policy pack
 * and the cross-stack checks — and every reason the plan would reject them is returned, in the
 * plan's words. `npm run promote` refuses on any of them, so `--open-pr` never opens a pull
 * request the plan would reject.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_POLICY_CONFIG, readPolicyConfig } from "../plan/policy-config";
import { mandatoryViolations } from "../plan/render";
import { runPlan } from "../plan/run";
import type { StackSource } from "./stack-source";

/** Stack name → stack file text, as the promotion leaves them. */
export type StackTexts = Readonly<Record<string, string>>;

/** Returns why the plan rejects the stack files (empty: the plan is clean). */
export type PromotionValidator = (stacks: StackTexts) => Promise<string[]>;

/** The texts after a promotion: every stack file the source lists, with `stack` replaced by `text`. */
export function editedStacks(source: StackSource, stack: string, text: string): StackTexts {
  const out: Record<string, string> = {};
  for (const s of source.listStacks()) out[s] = s === stack ? text : source.read(s);
  out[stack] = text;
  return out;
}

/**
 * The real validator: writes the texts to a temporary folder and runs the offline plan on it
 * in-process (as `npm run plan -- --stacks-dir <dir>`), with the policy configuration the plan
 * and the workflows use. Messages name `stacks/Pulumi.<stack>.yaml`.
 */
export function offlineValidation(policyConfigFile?: string): PromotionValidator {
  return async (stacks) => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-promote-validate-"));
    try {
      for (const [stack, text] of Object.entries(stacks)) fs.writeFileSync(path.join(tmp, `Pulumi.${stack}.yaml`), text);
      const policyConfig = readPolicyConfig(policyConfigFile ?? DEFAULT_POLICY_CONFIG);
      const { report } = await runPlan({ stacksDir: tmp, policyConfig });
      // The plan names the files it read (the temporary copies): name the project's files instead.
      const named = (s: string) => s.split(path.relative(process.cwd(), tmp) + path.sep).join("stacks/").split(`${tmp}${path.sep}`).join("stacks/");
      return [
        ...report.errors.map((e) => named(e.message)),
        ...report.checks.filter((c) => !c.ok).map((c) => `cross-stack check ${c.check}: ${named(c.message)}`),
        ...mandatoryViolations(report).map((v) => `policy ${v.policy} (${v.stack}${v.resourceName ? ` ${v.resourceType} ${v.resourceName}` : ""}): ${named(v.message)}`),
        ...report.unconverged.map((s) => `the plan did not converge for stack ${s}`),
      ];
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  };
}
