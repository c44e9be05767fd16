import * as pulumi from "@pulumi/pulumi";
import { NAMESPACE, parseStackConfig, stackFilePath, type StackConfig } from "./config";
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

/** Runs the program of the stack's role; returns the stack outputs. */
export async function runStack(): Promise<Record<string, unknown>> {
  const config = loadStackConfig();
  const stack = pulumi.getStack();
  // Before any resource: files the deployment reads from disk (npm run lambda:native).
  enforceLocalPrerequisites(localPrerequisiteProblems(stack, config), runsUnderMocks(), (m) => pulumi.log.warn(m));
  switch (config.role) {
    case "management":
      return managementProgram(stack, config);
    case "cicd":
      return cicdProgram(stack, config);
    case "lakehouse":
      return lakehouseProgram(stack, config);
    case "ml":
      return await mlProgram(stack, config);
    case "workload":
      return workloadProgram(stack, config);
  }
}
