import * as pulumi from "@pulumi/pulumi";
import { NAMESPACE, parseStackConfig, stackFilePath, stackFilesIn, type StackConfig, type StackFiles } from "./config";
import { managementProgram } from "./management";
import { cicdProgram } from "./cicd";
import { lakehouseProgram } from "./lakehouse";
import { mlProgram } from "./ml";
import { workloadProgram } from "./workload";
import { enforceLocalPrerequisites, localPrerequisiteProblems, runsUnderMocks } from "./prerequisites";

/** Reads this stack's `ml-landing-zone:` config from the Pulumi runtime and validates it. */
export function loadStackConfig(): StackConfig {
  const prefix = `${NAMESPACE}:`;
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (key.startsWith(prefix)) values[key.slice(prefix.length)] = value;
  }
  return parseStackConfig(values, stackFilePath(pulumi.getStack()));
}

/**
 * Runs the program of the stack's role; returns the stack outputs. `stackFiles`: where the program
 * reads the other stacks' files (default: `stacks/`, as `pulumi up` does; the offline plan passes
 * its `--stacks-dir`).
 */
export async function runStack(stackFiles: StackFiles = stackFilesIn()): Promise<Record<string, unknown>> {
  const config = loadStackConfig();
  const stack = pulumi.getStack();
  // Before any resource: files the deployment reads from disk (npm run lambda:native).
  enforceLocalPrerequisites(localPrerequisiteProblems(stack, config), runsUnderMocks(), (m) => pulumi.log.warn(m));
  switch (config.role) {
    case "management":
      return managementProgram(stack, config, stackFiles);
    case "cicd":
      return cicdProgram(stack, config, stackFiles);
    case "lakehouse":
      return lakehouseProgram(stack, config, stackFiles);
    case "ml":
      return await mlProgram(stack, config, stackFiles);
    case "workload":
      return workloadProgram(stack, config, stackFiles);
  }
}
