import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson } from "../../iam/policy-document";
import { NodeFunction } from "../../lambda/node-function";
import { SecureBucket } from "../../storage/secure-bucket";
import { failureAlarm } from "./alarms";
import { dataAccessStatements, passRole, serviceTrust } from "./policies";

export const DEFAULT_ANALYSIS_INPUT_PREFIX = "entities/input/";
export const DEFAULT_ANALYSIS_OUTPUT_PREFIX = "entities/output/";
export const DEFAULT_ANALYSIS_INDEX_PREFIX = "entities/index/";

export interface DocumentAnalysisArgs {
  /** Account the stack deploys into. Required. */
  readonly accountId: pulumi.Input<string>;
  /** Region of the stack. Required. */
  readonly region: string;
  /** Partition of the region. Defaults to `aws`. */
  readonly partition?: string;
  /** Documents bucket name. Required. */
  readonly bucketName: pulumi.Input<string>;
  /** This account's copy of the recognizer version (ComprehendModelCopy.modelArn). Required. */
  readonly recognizerArn: pulumi.Input<string>;
  /** Where PDFs are dropped. Defaults to `entities/input/`. */
  readonly inputPrefix?: string;
  /** Where Comprehend writes job archives. Defaults to `entities/output/`. */
  readonly outputPrefix?: string;
  /** Where the per-document JSON indexes go. Defaults to `entities/index/`. */
  readonly indexPrefix?: string;
  /** SNS topic the alarms notify. Defaults to none. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** Let `pulumi destroy` empty the bucket. Defaults to false. */
  readonly forceDestroy?: boolean;
}

export function validateAnalysisArgs(args: DocumentAnalysisArgs): { input: string; output: string; index: string } {
  const input = args.inputPrefix ?? DEFAULT_ANALYSIS_INPUT_PREFIX;
  const output = args.outputPrefix ?? DEFAULT_ANALYSIS_OUTPUT_PREFIX;
  const index = args.indexPrefix ?? DEFAULT_ANALYSIS_INDEX_PREFIX;
  const all = [["inputPrefix", input], ["outputPrefix", output], ["indexPrefix", index]] as const;
  for (const [key, v] of all) {
    if (!/^([a-zA-Z0-9!_.'()-]+\/)+$/.test(v)) throw new Error(`[${key}] must be an S3 key prefix of path segments ending in '/'; got '${v}'`);
  }
  for (const [k1, a] of all) for (const [k2, b] of all) {
    if (k1 !== k2 && a.startsWith(b)) throw new Error(`[${k1}] '${a}' must not lie under [${k2}] '${b}'`);
  }
  return { input, output, index };
}

/**
 * Document entity analysis in a workload account, with this account's copy of the promoted
 * recognizer version: PDFs created under `inputPrefix` start an entities-detection job (the
 * `entities-analysis` function; one document per file) whose data-access role
 * (`comprehend.amazonaws.com`, this account only) reads exactly `inputPrefix` and writes exactly
 * `outputPrefix`; each job archive landing under `outputPrefix` is turned into one JSON index per
 * document under `indexPrefix` (the `entities-index` function), all or nothing. Either function
 * failing (a document not started, bad or partial output) raises an alarm, and after Lambda's
 * retries the event lands in a failed-events queue.
 */
export class DocumentAnalysisPipeline extends pulumi.ComponentResource {
  public readonly bucket: SecureBucket;
  public readonly kmsKey: aws.kms.Key;
  public readonly dataAccessRole: aws.iam.Role;
  public readonly analysis: NodeFunction;
  public readonly indexer: NodeFunction;
  public readonly bucketName: pulumi.Output<string>;

  constructor(name: string, args: DocumentAnalysisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:pipelines:DocumentAnalysisPipeline", name, {}, opts);
    const { input, output, index } = validateAnalysisArgs(args);
    const partition = args.partition ?? "aws";
    const parent = { parent: this };

    this.kmsKey = new aws.kms.Key(`${name}-key`, {
      description: "Document analysis: documents, job output, indexes, job volumes",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    }, parent);
    this.bucket = new SecureBucket(`${name}-documents`, { bucketName: args.bucketName, kmsKeyArn: this.kmsKey.arn, forceDestroy: args.forceDestroy }, parent);

    this.dataAccessRole = new aws.iam.Role(`${name}-data-access`, {
      description: "Assumed by Amazon Comprehend analysis jobs: reads the input prefix, writes the output prefix",
      assumeRolePolicy: policyJson(policyDocument([serviceTrust("comprehend.amazonaws.com", args.accountId)])),
    }, parent);
    const dataAccess = new aws.iam.RolePolicy(`${name}-data-access-permissions`, {
      role: this.dataAccessRole.id,
      policy: policyJson(policyDocument(dataAccessStatements({ bucketArn: this.bucket.arn, readPrefixes: [input], writePrefix: output, kmsKeyArn: this.kmsKey.arn }))),
    }, parent);

    const failed = new aws.sqs.Queue(`${name}-failed-events`, { sqsManagedSseEnabled: true, messageRetentionSeconds: 1_209_600 }, parent);
    const jobArns = pulumi.interpolate`arn:${partition}:comprehend:${args.region}:${args.accountId}:entities-detection-job/*`;

    this.analysis = new NodeFunction(`${name}-start`, {
      source: "entities-analysis",
      description: "Starts an entities-detection job per PDF dropped under the input prefix",
      timeoutSeconds: 60,
      environment: {
        BUCKET: this.bucket.bucketName,
        INPUT_PREFIX: input,
        OUTPUT_PREFIX: output,
        DATA_ACCESS_ROLE_ARN: this.dataAccessRole.arn,
        ENTITY_RECOGNIZER_ARN: args.recognizerArn,
        KMS_KEY_ARN: this.kmsKey.arn,
      },
      policyStatements: [
        { Sid: "StartAnalysis", Effect: "Allow", Action: "comprehend:StartEntitiesDetectionJob", Resource: [jobArns, args.recognizerArn] },
        passRole(this.dataAccessRole.arn, "comprehend.amazonaws.com"),
        { Sid: "RecordFailedEvents", Effect: "Allow", Action: "sqs:SendMessage", Resource: failed.arn },
      ],
    }, { parent: this, dependsOn: [dataAccess] });

    this.indexer = new NodeFunction(`${name}-index`, {
      source: "entities-index",
      description: "Turns each entities-detection job archive into one JSON index per document",
      timeoutSeconds: 300,
      memoryMb: 1024,
      environment: { BUCKET: this.bucket.bucketName, OUTPUT_PREFIX: output, INDEX_PREFIX: index, KMS_KEY_ARN: this.kmsKey.arn },
      policyStatements: [
        { Sid: "ReadJobOutput", Effect: "Allow", Action: "s3:GetObject", Resource: pulumi.interpolate`${this.bucket.arn}/${output}*` },
        { Sid: "WriteIndexes", Effect: "Allow", Action: "s3:PutObject", Resource: pulumi.interpolate`${this.bucket.arn}/${index}*` },
        { Sid: "UseDocumentsKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: this.kmsKey.arn },
        { Sid: "RecordFailedEvents", Effect: "Allow", Action: "sqs:SendMessage", Resource: failed.arn },
      ],
    }, parent);

    const actions = args.alarmTopicArn !== undefined ? [args.alarmTopicArn] : [];
    const permissions: pulumi.Resource[] = [];
    for (const [key, fn] of [["start", this.analysis], ["index", this.indexer]] as const) {
      new aws.lambda.FunctionEventInvokeConfig(`${name}-${key}-failures`, {
        functionName: fn.functionName,
        maximumRetryAttempts: 2,
        destinationConfig: { onFailure: { destination: failed.arn } },
      }, parent);
      permissions.push(new aws.lambda.Permission(`${name}-${key}-from-s3`, {
        action: "lambda:InvokeFunction",
        function: fn.functionName,
        principal: "s3.amazonaws.com",
        sourceArn: this.bucket.arn,
        sourceAccount: args.accountId,
      }, parent));
      failureAlarm(`${name}-${key}-errors-alarm`, {
        description: pulumi.interpolate`The ${key === "start" ? "analysis starter" : "results indexer"} failed; see its log and the queue ${failed.name}`,
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: fn.functionName },
        actions,
      }, parent);
    }
    new aws.s3.BucketNotification(`${name}-notification`, {
      bucket: this.bucket.bucketName,
      lambdaFunctions: [
        { lambdaFunctionArn: this.analysis.arn, events: ["s3:ObjectCreated:*"], filterPrefix: input, filterSuffix: ".pdf" },
        { lambdaFunctionArn: this.indexer.arn, events: ["s3:ObjectCreated:*"], filterPrefix: output, filterSuffix: "output.tar.gz" },
      ],
    }, { parent: this, dependsOn: permissions });

    this.bucketName = this.bucket.bucketName;
    this.registerOutputs({
      bucket: this.bucket,
      kmsKey: this.kmsKey,
      dataAccessRole: this.dataAccessRole,
      analysis: this.analysis,
      indexer: this.indexer,
      bucketName: this.bucketName,
    });
  }
}
