/**
 * Title, branch and body of a promotion pull request.
 */
import type { MetricsReport, VersionMetrics } from "./checks";
import type { PlannedPromotion } from "./rules";

/** Hidden marker at the top of every promotion pull-request body. */
export const PROMOTION_MARKER = "<!-- mlz-promotion -->";

/** `Promote <model> <version> to <stack>` (version: Rekognition version name or SageMaker model name). */
export function promotionTitle(p: PlannedPromotion): string {
  return `Promote ${p.model} ${p.versionLabel} to ${p.stack}`;
}

/** Branch of a promotion: one per stack and model, so a second run updates the same pull request. */
export function promotionBranch(p: Pick<PlannedPromotion, "stack" | "model">): string {
  return `promote/${p.stack}/${p.model}`;
}

/** The command that puts the replaced version back. */
export function rollbackCommand(p: PlannedPromotion): string {
  return `npm run promote -- ${p.model} --to ${p.stack} --version ${p.currentArn}`;
}

export interface PlanDiffSection {
  /** Markdown printed by `npm run plan -- --diff <base> --format markdown`. */
  readonly markdown?: string;
  /** Set when the plan found a mandatory policy violation (exit 1). */
  readonly violations?: boolean;
  /** Why the diff is missing. */
  readonly error?: string;
  /** The ref the diff compares against. */
  readonly baseRef: string;
}

export interface BodyInput {
  readonly promotion: PlannedPromotion;
  /** Metrics from the online checks; absent with `--offline`. */
  readonly metrics?: MetricsReport;
  readonly offline: boolean;
  readonly planDiff: PlanDiffSection;
}

export function promotionBody(input: BodyInput): string {
  const p = input.promotion;
  const lines: string[] = [
    PROMOTION_MARKER,
    `## Promote \`${p.model}\` to \`${p.stack}\``,
    "",
    "| | |",
    "|---|---|",
    `| Model | \`${p.model}\` (${p.kind}) |`,
    `| Stack file | \`${p.file}\` |`,
    `| Version from | ${p.source} |`,
    `| Replaced version | \`${p.currentArn}\` |`,
    `| New version | \`${p.newArn}\` |`,
  ];
  if (p.gate) lines.push(`| Gate | ${p.gate} |`);
  lines.push("", "### Checks", "");
  if (input.offline || !input.metrics) {
    lines.push(
      "> [!WARNING]",
      "> **offline: checks skipped.** This promotion was prepared with `--offline`: the version's existence, training status and F1 score were NOT checked against AWS. Reviewers: check them before merging.",
    );
  } else {
    const m = input.metrics;
    lines.push(
      "| | Version | Status | F1 |",
      "|---|---|---|---|",
      metricsRow("New", m.candidate),
      metricsRow("Replaced", m.replaced),
      `| Minimum (\`minF1\`) | | | ${m.minF1 ?? "not set"} |`,
    );
    for (const note of m.notes) lines.push("", `_${note}_`);
  }
  lines.push("", `### Offline plan diff (against \`${input.planDiff.baseRef}\`)`, "");
  if (input.planDiff.error !== undefined) {
    lines.push(`> [!CAUTION]`, `> The offline plan diff could not be computed: ${oneLine(input.planDiff.error)}`);
  } else {
    if (input.planDiff.violations) {
      lines.push("> [!CAUTION]", "> The offline plan reports a **mandatory policy violation**: this promotion will not deploy as is.", "");
    }
    lines.push(input.planDiff.markdown?.trim() || "_No changes._");
  }
  lines.push(
    "",
    "### Rollback",
    "",
    "To put the replaced version back, run:",
    "",
    "```sh",
    rollbackCommand(p),
    "```",
    "",
    "On merge, `deploy.yml` applies `ml` (grant the new version), then the target stack, then `ml` again (revoke the old one), and runs the smoke test.",
    "",
  );
  return lines.join("\n");
}

function metricsRow(label: string, v: VersionMetrics): string {
  const status = v.statusMessage ? `${v.status} (${oneLine(v.statusMessage)})` : v.status;
  return `| ${label} | \`${v.arn}\` | ${status} | ${v.f1 ?? "unknown"} |`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}
