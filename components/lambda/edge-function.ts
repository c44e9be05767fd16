import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson, type PolicyStatement } from "../iam/policy-document";
import { bundleFunction } from "./bundle";
import { NODE_RUNTIME } from "./node-function";

/*
 * Lambda@Edge rules, from the CloudFront Developer Guide, "Restrictions on Lambda@Edge"
 * (lambda-at-edge-function-restrictions) and "Quotas on Lambda@Edge" (cloudfront-limits):
 * - a numbered version of the function, not $LATEST or an alias (`publish: true`, `qualifiedArn`);
 * - the function in US East (N. Virginia): the caller passes a provider for us-east-1;
 * - the execution role trusts both lambda.amazonaws.com and edgelambda.amazonaws.com;
 * - not supported: environment variables, layers, VPC, dead-letter queues, X-Ray, provisioned
 *   concurrency, container images, the arm64 architecture, more than 512 MB ephemeral storage;
 * - viewer request/response triggers: at most 128 MB of memory, 5 s and a 1 MB package.
 * Lambda@Edge writes logs in the region where the function ran, to `/aws/lambda/us-east-1.<name>`.
 */

/** The only architecture Lambda@Edge supports. */
export const EDGE_ARCHITECTURE = "x86_64";
/** Region Lambda@Edge functions must be created in. */
export const EDGE_REGION = "us-east-1";
export const VIEWER_MAX_MEMORY_MB = 128;
export const VIEWER_MAX_TIMEOUT_SECONDS = 5;
/** Lambda@Edge quota on a viewer trigger's function package. */
export const VIEWER_MAX_PACKAGE_BYTES = 1024 * 1024;

export interface EdgeFunctionArgs {
  /** Folder under `functions/` whose `index.ts` exports `handler`. Required. */
  readonly source: string;
  /** Physical function name (Lambda@Edge log groups are named after it). Required. */
  readonly functionName: string;
  /** Account of the function (scopes its log permissions). Required. */
  readonly accountId: pulumi.Input<string>;
  /** Partition of the account. Defaults to `aws`. */
  readonly partition?: string;
  /**
   * Values built into the bundle in place of environment variables: each `KEY` replaces the
   * expression `process.env.KEY` with the JSON string literal of its value. Defaults to none.
   * Nothing secret: the code is readable to whoever may read the function.
   */
  readonly buildConfig?: Record<string, string>;
  /** CloudFront event type the function serves. Defaults to `viewer-request`. */
  readonly eventType?: "viewer-request" | "viewer-response" | "origin-request" | "origin-response";
  /** Memory in MB (viewer events: 128). Defaults to 128. */
  readonly memoryMb?: number;
  /** Timeout in seconds (viewer events: at most 5; origin events: at most 30). Defaults to 5. */
  readonly timeoutSeconds?: number;
  /** Description. Defaults to `ml-landing-zone <source> (Lambda@Edge)`. */
  readonly description?: string;
  /** Tags. Defaults to none. */
  readonly tags?: Record<string, string>;
}

/** Checks the args against Lambda@Edge's limits; throws naming the argument. */
export function validateEdgeFunctionArgs(args: EdgeFunctionArgs): void {
  const event = args.eventType ?? "viewer-request";
  const viewer = event.startsWith("viewer-");
  const memory = args.memoryMb ?? 128;
  const timeout = args.timeoutSeconds ?? 5;
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(args.functionName)) {
    throw new Error(`[functionName] must be 1-64 letters, digits, '-' or '_'; got '${args.functionName}'`);
  }
  if (!Number.isInteger(memory) || memory < 128 || memory > (viewer ? VIEWER_MAX_MEMORY_MB : 10240)) {
    throw new Error(`[memoryMb] must be ${viewer ? "128 for a viewer trigger" : "a whole number from 128 to 10240"} (Lambda@Edge quotas); got ${memory}`);
  }
  const maxTimeout = viewer ? VIEWER_MAX_TIMEOUT_SECONDS : 30;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > maxTimeout) {
    throw new Error(`[timeoutSeconds] must be a whole number from 1 to ${maxTimeout} for a ${event} trigger (Lambda@Edge quotas); got ${timeout}`);
  }
  for (const key of Object.keys(args.buildConfig ?? {})) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw new Error(`[buildConfig] keys must be UPPER_SNAKE_CASE names; got '${key}'`);
  }
}

/** The role trust Lambda@Edge requires: both Lambda and the edge replication service. */
export function edgeRoleTrust(): PolicyStatement {
  return { Effect: "Allow", Principal: { Service: ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] }, Action: "sts:AssumeRole" };
}

/**
 * A Lambda@Edge function: bundled with its configuration built in, published as a numbered
 * version, x86_64, no environment, no layers, with a role `edgelambda.amazonaws.com` may assume and
 * that may write only its own replicas' log groups. Create it with a provider for us-east-1.
 */
export class EdgeFunction extends pulumi.ComponentResource {
  public readonly function: aws.lambda.Function;
  public readonly role: aws.iam.Role;
  /** The numbered version's ARN, as CloudFront associations require. */
  public readonly qualifiedArn: pulumi.Output<string>;
  public readonly functionName: pulumi.Output<string>;
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: EdgeFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:lambda:EdgeFunction", name, {}, opts);
    validateEdgeFunctionArgs(args);
    const partition = args.partition ?? "aws";
    const define = Object.fromEntries(Object.entries(args.buildConfig ?? {}).map(([k, v]) => [`process.env.${k}`, JSON.stringify(v)]));
    const bundle = bundleFunction(args.source, { define });
    const event = args.eventType ?? "viewer-request";
    // Quota: 1 MB (compressed) for viewer triggers, 50 MB for origin triggers; the bundle's own size bounds it.
    if (event.startsWith("viewer-") && bundle.bytes > VIEWER_MAX_PACKAGE_BYTES) {
      throw new Error(`[source] '${args.source}' bundles to ${bundle.bytes} bytes; a viewer trigger's package must stay under 1 MB (Lambda@Edge quotas)`);
    }

    this.role = new aws.iam.Role(`${name}-role`, {
      description: `Execution role of the ${args.source} Lambda@Edge function`,
      assumeRolePolicy: JSON.stringify(policyDocument([edgeRoleTrust()])),
      tags: args.tags,
    }, { parent: this });
    const rolePolicy = new aws.iam.RolePolicy(`${name}-permissions`, {
      role: this.role.id,
      policy: policyJson(policyDocument<pulumi.Input<string>>([{
        Sid: "WriteOwnEdgeLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        // Replicas log in the region where they ran, to /aws/lambda/us-east-1.<function name>.
        Resource: [pulumi.interpolate`arn:${partition}:logs:*:${args.accountId}:log-group:/aws/lambda/${EDGE_REGION}.${args.functionName}:*`],
      }])),
    }, { parent: this });

    this.function = new aws.lambda.Function(`${name}-function`, {
      name: args.functionName,
      description: args.description ?? `ml-landing-zone ${args.source} (Lambda@Edge)`,
      runtime: NODE_RUNTIME,
      handler: "index.handler",
      architectures: [EDGE_ARCHITECTURE],
      code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundle.code) }),
      sourceCodeHash: Buffer.from(bundle.sha256, "hex").toString("base64"),
      role: this.role.arn,
      timeout: args.timeoutSeconds ?? 5,
      memorySize: args.memoryMb ?? 128,
      publish: true,
      tags: args.tags,
    }, { parent: this, dependsOn: [rolePolicy] });

    this.qualifiedArn = this.function.qualifiedArn;
    this.functionName = this.function.name;
    this.roleArn = this.role.arn;
    this.registerOutputs({
      function: this.function,
      role: this.role,
      qualifiedArn: this.qualifiedArn,
      functionName: this.functionName,
      roleArn: this.roleArn,
    });
  }
}
