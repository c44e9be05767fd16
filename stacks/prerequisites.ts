/**
 * Local files a stack's deployment reads from disk, checked at program time before any resource is
 * declared. Today: the native packages a Lambda code archive ships (sharp for the image normalizer,
 * prepared by `npm run lambda:native`). Without them `pulumi preview`/`up` would fail late, reading
 * the archive; the offline plan and the tests never read archives, so there a missing folder is a
 * warning in the plan's report instead of an error.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { NATIVE_ROOT, nativePackagesProblem } from "../components/lambda/native-packages";
import { stackFilePath, type StackConfig } from "./config";

/** What is missing for this stack's code archives, one line each naming the command that prepares it. */
export function localPrerequisiteProblems(stack: string, config: StackConfig, nativeRoot = NATIVE_ROOT): string[] {
  const problems: string[] = [];
  if (config.role === "lakehouse" && config.imageNormalization) {
    const problem = nativePackagesProblem(["sharp"], config.imageNormalization.architecture, nativeRoot);
    if (problem) problems.push(`${stackFilePath(stack)}: imageNormalization: ${problem}`);
  }
  return problems;
}

/**
 * Fails with every problem (one line each) when the program runs for a real deployment; under the
 * SDK's runtime mocks (offline plan, tests) reports each through `warn` instead.
 */
export function enforceLocalPrerequisites(problems: readonly string[], underMocks: boolean, warn: (message: string) => void): void {
  if (problems.length === 0) return;
  if (!underMocks) throw new Error(problems.join("\n"));
  for (const p of problems) warn(`${p} (the offline plan does not read code archives; pulumi up would fail)`);
}

/** True when the Pulumi runtime talks to the SDK's mock monitor rather than a real engine. */
export function runsUnderMocks(): boolean {
  return pulumi.runtime.getMonitor() instanceof MockMonitor;
}
