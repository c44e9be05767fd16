import * as pulumi from "@pulumi/pulumi";
import { parseRekognitionVersionArn } from "./arns";
import {
  projectVersionProvider,
  projectVersionInputFailures,
  PROJECT_VERSION_RUNNER_KIND,
  DEFAULT_POLL_SECONDS,
  DEFAULT_WAIT_TIMEOUT_SECONDS,
  type DesiredState,
  type ProjectVersionRunnerInputs,
} from "./project-version-provider";

export interface RekognitionModelVersionArgs {
  /** Project-version ARN (`arn:aws:rekognition:<region>:<account>:project/<p>/version/<v>/<ts>`). Required. */
  readonly projectVersionArn: string;
  /**
   * ARN of the project holding the version, in the API form `…:project/<name>/<timestamp>` (the
   * `arn` output of `aws.rekognition.Project`). Required.
   */
  readonly projectArn: pulumi.Input<string>;
  /** Name of the project, checked against the version ARN. Defaults to no check. */
  readonly projectName?: string;
  /** `RUNNING` keeps the version serving; `STOPPED` stops it. Defaults to `RUNNING`. */
  readonly desiredState?: DesiredState;
  /** Minimum inference units while running. Defaults to 1. */
  readonly minInferenceUnits?: number;
  /** Maximum inference units (Rekognition auto-scaling). Defaults to none (fixed at the minimum). */
  readonly maxInferenceUnits?: number;
  /** Bound on how long one create/update/delete waits for the version. Defaults to 1800 s (60–7200). */
  readonly waitTimeoutSeconds?: number;
  /** Interval between DescribeProjectVersions polls. Defaults to 30 s (1–300). */
  readonly pollSeconds?: number;
  /**
   * Role the provider assumes for its Rekognition calls. Dynamic providers do not use the stack's
   * aws.Provider credentials: pass the ML account's deploy role. Defaults to the ambient credentials.
   */
  readonly assumeRoleArn?: pulumi.Input<string>;
}

/**
 * An explicit provider for dynamic resources (package `pulumi-nodejs`). The stacks disable every
 * default provider (`pulumi:disable-default-providers: ["*"]`), and the engine only exempts the
 * `pulumi` package, so a dynamic resource needs one. Pass it to the component like the AWS
 * provider: `{ providers: [awsProvider, dynamicProvider] }`; the runner inherits it by package.
 */
export class NodeDynamicProvider extends pulumi.ProviderResource {
  constructor(name: string, opts?: pulumi.ResourceOptions) {
    super("pulumi-nodejs", name, {}, opts);
  }
}

/** The dynamic resource (type `pulumi-nodejs:dynamic:Resource`, input `kind` names what it is). */
export class ProjectVersionRunner extends pulumi.dynamic.Resource {
  public declare readonly status: pulumi.Output<string>;
  public declare readonly statusMessage: pulumi.Output<string>;
  public declare readonly projectVersionArn: pulumi.Output<string>;
  public declare readonly desiredState: pulumi.Output<DesiredState>;

  constructor(name: string, props: { [K in keyof ProjectVersionRunnerInputs]: pulumi.Input<ProjectVersionRunnerInputs[K]> }, opts?: pulumi.CustomResourceOptions) {
    super(projectVersionProvider, name, { status: undefined, statusMessage: undefined, ...props }, opts);
  }
}

/**
 * A Rekognition Custom Labels project version kept RUNNING with the given inference units, or
 * STOPPED. Removing the component from the program stops the version (the provider's delete), so
 * an idle version stops costing money.
 */
export class RekognitionModelVersion extends pulumi.ComponentResource {
  public readonly projectVersionArn: pulumi.Output<string>;
  /** Status observed after the last apply (`RUNNING` or `STOPPED`, …). */
  public readonly status: pulumi.Output<string>;
  public readonly desiredState: pulumi.Output<DesiredState>;
  public readonly runner: ProjectVersionRunner;

  constructor(name: string, args: RekognitionModelVersionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:models:RekognitionModelVersion", name, {}, opts);

    let parsed;
    try {
      parsed = parseRekognitionVersionArn(args.projectVersionArn);
    } catch (err) {
      throw new Error(`[projectVersionArn] ${(err as Error).message}`);
    }
    if (args.projectName !== undefined && parsed.project !== args.projectName) {
      throw new Error(`[projectVersionArn] must belong to project '${args.projectName}'; got '${args.projectVersionArn}' (project '${parsed.project}')`);
    }
    const plain: Omit<ProjectVersionRunnerInputs, "projectArn" | "assumeRoleArn"> = {
      kind: PROJECT_VERSION_RUNNER_KIND,
      projectVersionArn: args.projectVersionArn,
      versionName: parsed.version,
      region: parsed.region,
      desiredState: args.desiredState ?? "RUNNING",
      minInferenceUnits: args.minInferenceUnits ?? 1,
      ...(args.maxInferenceUnits !== undefined ? { maxInferenceUnits: args.maxInferenceUnits } : {}),
      waitTimeoutSeconds: args.waitTimeoutSeconds ?? DEFAULT_WAIT_TIMEOUT_SECONDS,
      pollSeconds: args.pollSeconds ?? DEFAULT_POLL_SECONDS,
    };
    // projectArn and assumeRoleArn may be Outputs: checked by the provider's `check`.
    const failures = projectVersionInputFailures({
      ...plain,
      projectArn: "arn:aws:rekognition:us-east-1:000000000000:project/placeholder/1",
    });
    if (failures.length > 0) {
      throw new Error(failures.map((f) => `[${f.property}] ${f.reason}`).join("; "));
    }

    this.runner = new ProjectVersionRunner(`${name}-runner`, {
      ...plain,
      projectArn: args.projectArn,
      ...(args.assumeRoleArn !== undefined ? { assumeRoleArn: args.assumeRoleArn } : {}),
    }, { parent: this });

    this.projectVersionArn = this.runner.projectVersionArn;
    this.status = this.runner.status;
    this.desiredState = this.runner.desiredState;
    this.registerOutputs({
      projectVersionArn: this.projectVersionArn,
      status: this.status,
      desiredState: this.desiredState,
      runner: this.runner,
    });
  }
}
