import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson, type PolicyStatement } from "../iam/policy-document";
import * as crypto from "node:crypto";
import { bundleFunction } from "./bundle";
import { nativeModules, type NativePackage } from "./native-packages";
import { awsManagedPolicyArn } from "../aws";

export interface NodeFunctionArgs {
  /** Folder under `functions/` whose `index.ts` exports `handler`; bundled with esbuild. */
  readonly source: string;
  /** Function description. Defaults to `ml-landing-zone <source>`. */
  readonly description?: pulumi.Input<string>;
  /** Environment variables. Defaults to none. */
  readonly environment?: Record<string, pulumi.Input<string>>;
  /**
   * The function role's permissions (an inline policy). Permissions to write its own log group are
   * added automatically. Defaults to none.
   */
  readonly policyStatements?: PolicyStatement<pulumi.Input<string>>[];
  /** Timeout in seconds (1–900). Defaults to 30. */
  readonly timeoutSeconds?: number;
  /** Memory in MB (128–10240). Defaults to 256. */
  readonly memoryMb?: number;
  /** Instruction set. Defaults to `arm64`. */
  readonly architecture?: "arm64" | "x86_64";
  /** Run inside these private subnets with these security groups. Defaults to no VPC. */
  readonly vpc?: { subnetIds: pulumi.Input<string>[]; securityGroupIds: pulumi.Input<string>[] };
  /** Layer version ARNs. Defaults to none. */
  readonly layers?: pulumi.Input<string>[];
  /** Reserved concurrency. Defaults to unreserved. */
  readonly reservedConcurrency?: number;
  /** Log retention in days. Defaults to 90. */
  readonly logRetentionDays?: number;
  /** Tags (merged over the provider's default tags). Defaults to none. */
  readonly tags?: Record<string, string>;
  /**
   * Packages with native code (only `sharp`), left out of the bundle and shipped as the code's
   * `node_modules/` for the function's architecture from `.lambda-native/` (`npm run lambda:native`
   * fills it; see components/lambda/native-packages.ts). Defaults to none.
   */
  readonly nativePackages?: NativePackage[];
}

/**
 * Lambda runtime used by every function of the platform: the Node.js runtime AWS supports longest
 * (Lambda runtimes page: nodejs24.x deprecation 30 Apr 2028, nodejs22.x 30 Apr 2027). The bundle
 * targets the same Node.js major (`BUNDLE_TARGET` in bundle.ts).
 */
export const NODE_RUNTIME = aws.lambda.Runtime.NodeJS24dX;

/**
 * A Node.js Lambda function from `functions/<source>/`, with its own least-privilege role and a
 * log group with retention, logging as JSON.
 */
export class NodeFunction extends pulumi.ComponentResource {
  public readonly function: aws.lambda.Function;
  public readonly role: aws.iam.Role;
  public readonly arn: pulumi.Output<string>;
  public readonly functionName: pulumi.Output<string>;
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: NodeFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:lambda:NodeFunction", name, {}, opts);
    const timeout = args.timeoutSeconds ?? 30;
    const memory = args.memoryMb ?? 256;
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 900) {
      throw new Error(`[timeoutSeconds] must be a whole number from 1 to 900; got ${timeout}`);
    }
    if (!Number.isInteger(memory) || memory < 128 || memory > 10240) {
      throw new Error(`[memoryMb] must be a whole number from 128 to 10240; got ${memory}`);
    }
    const architecture = args.architecture ?? "arm64";
    const native = args.nativePackages?.length ? nativeModules(args.nativePackages, architecture) : undefined;
    const bundle = bundleFunction(args.source, { external: native?.external });
    const codeSha256 = native
      ? crypto.createHash("sha256").update(bundle.sha256).update(native.sha256).digest("hex")
      : bundle.sha256;
    const assets: Record<string, pulumi.asset.Asset | pulumi.asset.Archive> = { "index.js": new pulumi.asset.StringAsset(bundle.code) };
    if (native) assets["node_modules"] = new pulumi.asset.FileArchive(native.dir);

    this.role = new aws.iam.Role(`${name}-role`, {
      description: `Execution role of the ${args.source} function`,
      assumeRolePolicy: JSON.stringify(policyDocument([{
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole",
      }])),
      tags: args.tags,
    }, { parent: this });

    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
      name: `/mlz/lambda/${name}`,
      retentionInDays: args.logRetentionDays ?? 90,
      tags: args.tags,
    }, { parent: this });

    const statements: PolicyStatement<pulumi.Input<string>>[] = [
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [pulumi.interpolate`${logGroup.arn}:*`],
      },
      ...(args.policyStatements ?? []),
    ];
    const rolePolicy = new aws.iam.RolePolicy(`${name}-permissions`, {
      role: this.role.id,
      policy: policyJson(policyDocument(statements)),
    }, { parent: this });

    const dependsOn: pulumi.Resource[] = [rolePolicy, logGroup];
    if (args.vpc) {
      // The role's own ARN names the partition (aws, aws-cn, aws-us-gov).
      const partition = this.role.arn.apply((arn) => arn.split(":")[1]);
      dependsOn.push(new aws.iam.RolePolicyAttachment(`${name}-vpc-access`, {
        role: this.role.name,
        policyArn: awsManagedPolicyArn(partition, "service-role/AWSLambdaVPCAccessExecutionRole"),
      }, { parent: this }));
    }

    this.function = new aws.lambda.Function(`${name}-function`, {
      description: args.description ?? `ml-landing-zone ${args.source}`,
      runtime: NODE_RUNTIME,
      handler: "index.handler",
      architectures: [architecture],
      code: new pulumi.asset.AssetArchive(assets),
      sourceCodeHash: Buffer.from(codeSha256, "hex").toString("base64"),
      role: this.role.arn,
      timeout,
      memorySize: memory,
      environment: args.environment ? { variables: args.environment } : undefined,
      vpcConfig: args.vpc,
      layers: args.layers,
      reservedConcurrentExecutions: args.reservedConcurrency,
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      tags: args.tags,
    }, { parent: this, dependsOn });

    this.arn = this.function.arn;
    this.functionName = this.function.name;
    this.roleArn = this.role.arn;
    this.registerOutputs({
      function: this.function,
      role: this.role,
      arn: this.arn,
      functionName: this.functionName,
      roleArn: this.roleArn,
    });
  }
}
