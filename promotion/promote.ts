/**
 * `npm run promote`: check a promotion, edit the stack file, and optionally open the pull request.
 */
import type { Octokit } from "@octokit/rest" with { "resolution-mode": "import" };
import { checkOnline, type DescribeVersion, type MetricsReport } from "./checks";
import { openOrUpdatePullRequest, parseRepository, type PullRequestResult } from "./github";
import type { PlanDiffRunner } from "./plan-diff";
import { promotionBody, promotionBranch, promotionTitle, type PlanDiffSection } from "./pr-body";
import { planPromotion, PromotionError, type PlannedPromotion, type PromotionRequest } from "./rules";
import type { StackSource } from "./stack-source";
import { editedStacks, offlineValidation, type PromotionValidator } from "./validate";
import { getModelVersion, setModelVersion } from "./yaml-edit";

export interface PromoteOptions extends PromotionRequest {
  /** Skip the AWS checks (the pull request says so). */
  readonly offline: boolean;
  /** Open or update the pull request. */
  readonly openPr: boolean;
  /** `owner/repo` for the pull request. Defaults to `GITHUB_REPOSITORY`. */
  readonly repository?: string;
  /** Project root (holds `stacks/`, `plan/`). */
  readonly root: string;
}

export interface PromoteDeps {
  readonly source: StackSource;
  /** Reads version metrics from AWS (online checks). */
  readonly describe?: DescribeVersion;
  /** Computes the offline plan diff for the pull request body. */
  readonly planDiff: PlanDiffRunner;
  /** Creates the GitHub client (called only with `openPr`). */
  readonly github: (token: string) => Promise<Octokit>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: (line: string) => void;
  /** The plan's validation of the edited stack files. Defaults to the offline plan itself. */
  readonly validate?: PromotionValidator;
}

export interface PromoteResult {
  readonly promotion: PlannedPromotion;
  readonly metrics?: MetricsReport;
  readonly pullRequest?: PullRequestResult;
  readonly body?: string;
}

export async function promote(opts: PromoteOptions, deps: PromoteDeps): Promise<PromoteResult> {
  // With --open-pr the pull request replaces what the base holds (default: HEAD), so a second
  // run after the working tree was edited updates the pull request instead of being a no-op.
  const promotion = planPromotion({ ...opts, targetRef: opts.openPr ? (opts.base ?? "HEAD") : undefined }, deps.source);

  let repo: { owner: string; repo: string } | undefined;
  let token: string | undefined;
  if (opts.openPr) {
    // Fail on missing GitHub settings before touching any file.
    const repository = opts.repository ?? deps.env.GITHUB_REPOSITORY;
    if (!repository) throw new PromotionError("--open-pr needs --repo <owner/repo> or GITHUB_REPOSITORY");
    repo = parseRepository(repository, opts.repository ? "--repo" : "GITHUB_REPOSITORY");
    token = deps.env.GITHUB_TOKEN;
    if (!token) throw new PromotionError("--open-pr needs a GitHub token in GITHUB_TOKEN");
  }

  // The plan's own validation of the stack files as the promotion leaves them, before anything is
  // written or opened: a change the plan would reject is refused here, in the plan's words.
  const problems = await (deps.validate ?? offlineValidation())(editedStacks(deps.source, promotion.stack, promotion.after));
  if (problems.length > 0) {
    throw new PromotionError(`the offline plan rejects ${promotion.file} with ${promotion.model} at ${promotion.newArn} (nothing written${opts.openPr ? ", no pull request opened" : ""}): ${problems.join("; ")}`);
  }
  deps.log(`offline plan: clean with ${promotion.file} edited (schema, programs, policies, cross-stack checks)`);

  let metrics: MetricsReport | undefined;
  if (opts.offline) {
    deps.log("offline: checks skipped (version existence, training status and F1 not checked)");
  } else {
    metrics = await checkOnline(promotion, deps.describe);
    deps.log(`checks passed: F1 ${metrics.candidate.f1} (replaced: ${metrics.replaced.f1 ?? "unknown"}, minimum: ${metrics.minF1 ?? "not set"})`);
  }

  const working = deps.source.read(promotion.stack);
  if (working === promotion.before) {
    deps.source.write(promotion.stack, promotion.after);
  } else if (getModelVersion(working, promotion.model) !== promotion.newArn) {
    deps.source.write(promotion.stack, setModelVersion(working, promotion.file, promotion.model, promotion.newArn));
  }
  deps.log(`${promotion.file}: ${promotion.model} ${promotion.currentArn} -> ${promotion.newArn}`);

  if (!opts.openPr || !repo || !token) return { promotion, metrics };

  const baseRef = opts.base ?? "HEAD";
  let planDiff: PlanDiffSection;
  try {
    const diff = await deps.planDiff({ root: opts.root, baseRef });
    planDiff = { baseRef, markdown: diff.markdown, violations: diff.violations };
  } catch (e) {
    deps.log(`warning: ${(e as Error).message}`);
    planDiff = { baseRef, error: (e as Error).message };
  }
  const body = promotionBody({ promotion, metrics, offline: opts.offline, planDiff });
  const octokit = await deps.github(token);
  const pullRequest = await openOrUpdatePullRequest(octokit, {
    ...repo,
    branch: promotionBranch(promotion),
    path: promotion.file,
    edit: (text) => {
      if (text === promotion.before) return promotion.after;
      // The default branch moved on: apply the same one-value edit to its text.
      if (getModelVersion(text, promotion.model) === promotion.newArn) {
        throw new PromotionError(`${promotion.file} on the default branch already uses ${promotion.newArn} for model '${promotion.model}': nothing to promote`);
      }
      return setModelVersion(text, promotion.file, promotion.model, promotion.newArn);
    },
    commitMessage: `${promotionTitle(promotion)}\n\nFrom ${promotion.source}; replaces ${promotion.currentArn}.`,
    title: promotionTitle(promotion),
    body,
    labels: ["promotion", promotion.stack],
  });
  deps.log(`${pullRequest.created ? "opened" : "updated"} pull request #${pullRequest.number}: ${pullRequest.url}`);
  return { promotion, metrics, pullRequest, body };
}
