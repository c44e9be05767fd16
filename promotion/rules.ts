/**
 * The offline promotion rules: which stack, which model, which version, and whether the move is
 * allowed. Pure over a `StackSource`; every refusal is a `PromotionError` with the message the
 * command prints.
 */
import { parseModelVersionArn, type ModelKind } from "../components/models/arns";
import { parseStackFileText, stackFilePath, validateStackFile, type StackConfig } from "../stacks/config";
import { PROMOTION_GATES } from "./gates";
import type { StackSource } from "./stack-source";
import { setModelVersion } from "./yaml-edit";

/** A promotion the command refuses; the CLI prints the message and exits 1. */
export class PromotionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PromotionError";
  }
}


export interface PromotionRequest {
  /** Key of the stacks' `models` map. */
  readonly model: string;
  /** Target stack. */
  readonly to: string;
  /** Take the version the `from` stack holds. Exactly one of `from` and `version`. */
  readonly from?: string;
  /** Take this version ARN. */
  readonly version?: string;
  /** Git ref the gate stack is read from (e.g. `origin/main`). Defaults to the working tree. */
  readonly base?: string;
  /**
   * Git ref the target stack's current version is read from (what the pull request replaces).
   * Defaults to the working tree. With a ref, running the command again after the working tree
   * was already edited is not a no-op: it updates the pull request.
   */
  readonly targetRef?: string;
}

export interface PlannedPromotion {
  readonly model: string;
  readonly kind: ModelKind;
  /** Target stack and its file (`stacks/Pulumi.<stack>.yaml`). */
  readonly stack: string;
  readonly file: string;
  /** Where the version came from: `stack 'qa'` or `--version`. */
  readonly source: string;
  readonly fromStack?: string;
  /** Version the target holds now (the rollback target) and the one it gets. */
  readonly currentArn: string;
  readonly newArn: string;
  /** Short label of the new version: the Rekognition version name or the SageMaker model name. */
  readonly versionLabel: string;
  /** The target's `minF1` for this model, if set. */
  readonly minF1?: number;
  /** The gate this promotion passed, e.g. `qa holds it (git show origin/main:stacks/Pulumi.qa.yaml)`. */
  readonly gate?: string;
  /** Where the replaced version was read: `the working tree` or `git ref 'HEAD'`. */
  readonly currentFrom: string;
  /** Stack file text before and after the edit (exactly one line differs). */
  readonly before: string;
  readonly after: string;
}

/** Checks a promotion request against the stack files; returns the edit to make or throws `PromotionError`. */
export function planPromotion(req: PromotionRequest, source: StackSource): PlannedPromotion {
  if ((req.from === undefined) === (req.version === undefined)) {
    throw new PromotionError("give exactly one of --from <stack> and --version <arn>");
  }
  const stacks = source.listStacks();
  const target = loadStack(req.to, stacks, source, req.targetRef);
  if (target.config.role !== "workload") {
    // Only the role is needed here: an unrelated stack's invalid file must not hide this message.
    const workloads = stacks.filter((s) => parseStackFileText(s, source.read(s)).values.role === "workload");
    throw new PromotionError(
      `stack '${req.to}' does not pin model versions (role '${target.config.role}'); promote to one of: ${workloads.join(", ") || "(none)"}`,
    );
  }
  const pinned = target.config.models[req.model];
  if (pinned === undefined) {
    const known = Object.keys(target.config.models).sort();
    throw new PromotionError(
      `unknown model '${req.model}': ${target.file} has ${known.length ? `models ${known.join(", ")}` : "no models"}`,
    );
  }

  let newArn: string;
  let sourceLabel: string;
  if (req.from !== undefined) {
    const from = loadStack(req.from, stacks, source);
    const fromModel = from.config.role === "workload" ? from.config.models[req.model] : undefined;
    if (fromModel === undefined) {
      throw new PromotionError(`stack '${req.from}' holds no version of model '${req.model}' to promote (${from.file})`);
    }
    newArn = fromModel.versionArn;
    sourceLabel = `stack '${req.from}'`;
  } else {
    newArn = req.version as string;
    sourceLabel = "--version";
  }

  let parsed;
  try {
    parsed = parseModelVersionArn(newArn, pinned.kind);
  } catch (e) {
    throw new PromotionError(
      `${sourceLabel} gives no valid version of model '${req.model}' (kind ${pinned.kind}): ${(e as Error).message}`,
    );
  }

  if (newArn === pinned.versionArn) {
    const where = req.targetRef !== undefined ? ` (git show ${req.targetRef}:${target.file})` : "";
    throw new PromotionError(`stack '${req.to}' already uses ${newArn} for model '${req.model}'${where}: nothing to promote`);
  }

  let gate: string | undefined;
  const gateStack = PROMOTION_GATES[req.to];
  if (gateStack !== undefined) {
    const where = req.base !== undefined
      ? `git show ${req.base}:${stackFilePath(gateStack)}`
      : `${stackFilePath(gateStack)} in the working tree`;
    const text = req.base !== undefined ? source.readAt(req.base, gateStack) : readWorking(gateStack, stacks, source);
    const gateConfig = parseConfig(gateStack, text);
    const held = gateConfig.role === "workload" ? gateConfig.models[req.model]?.versionArn : undefined;
    if (held !== newArn) {
      throw new PromotionError(
        `${req.to} only takes a version that ${gateStack} holds: ${gateStack} has ${held ?? "no version"} for model '${req.model}' (${where}), not ${newArn}; promote to ${gateStack} first`,
      );
    }
    gate = `${gateStack} holds it (${where})`;
  }

  const after = setModelVersion(target.text, target.file, req.model, newArn);
  return {
    model: req.model,
    kind: pinned.kind,
    stack: req.to,
    file: target.file,
    source: sourceLabel,
    fromStack: req.from,
    currentArn: pinned.versionArn,
    currentFrom: req.targetRef !== undefined ? `git ref '${req.targetRef}'` : "the working tree",
    newArn,
    versionLabel: parsed.kind === "sagemaker" ? parsed.name : parsed.version,
    minF1: pinned.minF1,
    gate,
    before: target.text,
    after,
  };
}

interface LoadedStack {
  stack: string;
  file: string;
  text: string;
  config: StackConfig;
}

function loadStack(stack: string, stacks: string[], source: StackSource, ref?: string): LoadedStack {
  const working = readWorking(stack, stacks, source);
  const text = ref !== undefined ? source.readAt(ref, stack) : working;
  return { stack, file: stackFilePath(stack), text, config: parseConfig(stack, text) };
}

function readWorking(stack: string, stacks: string[], source: StackSource): string {
  if (!stacks.includes(stack)) {
    throw new PromotionError(
      `unknown stack '${stack}': there is no ${stackFilePath(stack)} (stacks: ${stacks.join(", ") || "none"})`,
    );
  }
  return source.read(stack);
}

function parseConfig(stack: string, text: string): StackConfig {
  const f = parseStackFileText(stack, text);
  return validateStackFile(f);
}
