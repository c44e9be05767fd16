import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson } from "../../iam/policy-document";
import { NodeFunction } from "../../lambda/node-function";
import { SecureBucket } from "../../storage/secure-bucket";
import { checkSourceLanguage, checkTargetLanguage } from "../../../functions/translate-text/languages";
import { failureAlarm } from "./alarms";
import { dataAccessStatements, passRole, serviceTrust } from "./policies";

export const DEFAULT_TRANSLATE_INPUT_PREFIX = "translate/input/";
export const DEFAULT_TRANSLATE_OUTPUT_PREFIX = "translate/output/";
/** EventBridge delivers to CloudWatch Logs only in log groups whose name starts with this. */
const EVENTS_LOG_GROUP_PREFIX = "/aws/events/";

export interface TranslationPipelineArgs {
  /** Account the stack deploys into. Required. */
  readonly accountId: pulumi.Input<string>;
  /** Region of the stack. Required. */
  readonly region: string;
  /** Name of the documents bucket (batch input and output). Required. */
  readonly bucketName: pulumi.Input<string>;
  /** Key prefix documents are dropped under (ends in `/`). Defaults to `translate/input/`. */
  readonly inputPrefix?: string;
  /** Key prefix Translate writes to (ends in `/`; neither prefix may contain the other). Defaults to `translate/output/`. */
  readonly outputPrefix?: string;
  /** Source language of batch documents, or `auto`. Defaults to `auto`. */
  readonly sourceLanguage?: string;
  /** Target languages of batch jobs (1–10), each one Translate can mask profanity in. Required. */
  readonly targetLanguages: string[];
  /** TranslateText requests in flight per real-time invocation. Defaults to 4. */
  readonly maxConcurrency?: number;
  /** Real-time function timeout in seconds. Defaults to 60. */
  readonly timeoutSeconds?: number;
  /** SNS topic the alarms notify. Defaults to none (alarms only change state). */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** Let `pulumi destroy` empty the bucket. Defaults to false. */
  readonly forceDestroy?: boolean;
}

/** Checks the args before any resource is declared; returns the canonical languages. */
export function validateTranslationArgs(args: TranslationPipelineArgs): { inputPrefix: string; outputPrefix: string; source: string; targets: string[] } {
  const inputPrefix = args.inputPrefix ?? DEFAULT_TRANSLATE_INPUT_PREFIX;
  const outputPrefix = args.outputPrefix ?? DEFAULT_TRANSLATE_OUTPUT_PREFIX;
  for (const [key, v] of [["inputPrefix", inputPrefix], ["outputPrefix", outputPrefix]] as const) {
    if (!/^([a-zA-Z0-9!_.'()-]+\/)+$/.test(v)) throw new Error(`[${key}] must be an S3 key prefix of path segments ending in '/'; got '${v}'`);
  }
  if (inputPrefix.startsWith(outputPrefix) || outputPrefix.startsWith(inputPrefix)) {
    throw new Error(`[outputPrefix] '${outputPrefix}' and [inputPrefix] '${inputPrefix}' must not contain each other (results would start new jobs)`);
  }
  if (!Array.isArray(args.targetLanguages) || args.targetLanguages.length < 1 || args.targetLanguages.length > 10) {
    throw new Error(`[targetLanguages] must hold 1 to 10 language codes; got ${JSON.stringify(args.targetLanguages)}`);
  }
  const targets = args.targetLanguages.map((t) => {
    try {
      return checkTargetLanguage(t, "[targetLanguages]");
    } catch (e) {
      throw new Error((e as Error).message);
    }
  });
  const source = checkSourceLanguage(args.sourceLanguage ?? "auto", "[sourceLanguage]");
  if (targets.includes(source)) throw new Error(`[targetLanguages] holds the source language '${source}': Translate does not mask profanity when they are the same`);
  if (args.maxConcurrency !== undefined && (!Number.isInteger(args.maxConcurrency) || args.maxConcurrency < 1 || args.maxConcurrency > 32)) {
    throw new Error(`[maxConcurrency] must be a whole number from 1 to 32; got ${args.maxConcurrency}`);
  }
  return { inputPrefix, outputPrefix, source, targets };
}

/**
 * Translation with profanity masking for a workload account:
 *
 * - **Real-time**: the `translate-text` function, called by applications in the same account by
 *   direct invocation (`lambda:InvokeFunction`), which `invokePolicyArn` grants: no HTTP endpoint
 *   exists at all (a Function URL, even with AWS_IAM, is a public HTTPS endpoint whose requests
 *   must be SigV4-signed by hand), callers use the Lambda SDK they already have, invocations go
 *   through the Lambda VPC endpoint and are logged by CloudTrail, and access is one IAM action on
 *   one ARN. Profanity is always `MASK` (the function refuses any other value).
 * - **Batch**: a KMS-encrypted documents bucket; objects created under `inputPrefix` start a
 *   `StartTextTranslationJob` (the `translate-batch` function) with its own data-access role
 *   (`translate.amazonaws.com`, this account only) that reads exactly `inputPrefix` and writes exactly
 *   `outputPrefix`. Failures are surfaced, not swallowed: an EventBridge rule records every job that
 *   ends `FAILED`, `COMPLETED_WITH_ERROR` or `STOPPED` in the log group `/aws/events/mlz-<name>-failed-jobs`
 *   (the failed-job record) and an alarm fires on it; a document the starter could not start is
 *   reported in its log, fails the invocation (an alarm on the function's errors) and, after
 *   Lambda's retries, lands with the error in the queue `failedStartsQueueUrl`.
 *
 * Targets Translate cannot mask profanity in (bn, hi, ml, pa, si, vi) are rejected with the args.
 */
export class TranslationPipeline extends pulumi.ComponentResource {
  public readonly bucket: SecureBucket;
  public readonly kmsKey: aws.kms.Key;
  public readonly realtime: NodeFunction;
  public readonly batch: NodeFunction;
  public readonly dataAccessRole: aws.iam.Role;
  public readonly invokePolicyArn: pulumi.Output<string>;
  public readonly functionName: pulumi.Output<string>;
  public readonly bucketName: pulumi.Output<string>;
  public readonly failedJobsLogGroupName: pulumi.Output<string>;
  public readonly failedStartsQueueUrl: pulumi.Output<string>;

  constructor(name: string, args: TranslationPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:pipelines:TranslationPipeline", name, {}, opts);
    const { inputPrefix, outputPrefix, source, targets } = validateTranslationArgs(args);
    const parent = { parent: this };

    this.kmsKey = new aws.kms.Key(`${name}-key`, {
      description: "Translation documents: bucket objects, batch job output",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    }, parent);
    this.bucket = new SecureBucket(`${name}-documents`, { bucketName: args.bucketName, kmsKeyArn: this.kmsKey.arn, forceDestroy: args.forceDestroy }, parent);

    this.realtime = new NodeFunction(`${name}-text`, {
      source: "translate-text",
      description: "Real-time translation with profanity always masked",
      timeoutSeconds: args.timeoutSeconds ?? 60,
      environment: { MAX_CONCURRENCY: String(args.maxConcurrency ?? 4) },
      policyStatements: [
        // TranslateText and DetectDominantLanguage support no resource-level permissions.
        { Sid: "Translate", Effect: "Allow", Action: "translate:TranslateText", Resource: "*" },
        { Sid: "DetectSourceLanguage", Effect: "Allow", Action: "comprehend:DetectDominantLanguage", Resource: "*" },
      ],
    }, parent);

    const invokePolicy = new aws.iam.Policy(`${name}-invoke`, {
      description: "Call the masked-translation function (attach to application roles of this account)",
      policy: policyJson(policyDocument([{ Sid: "InvokeTranslate", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: this.realtime.arn }])),
    }, parent);

    this.dataAccessRole = new aws.iam.Role(`${name}-data-access`, {
      description: "Assumed by Amazon Translate batch jobs: reads the input prefix, writes the output prefix",
      assumeRolePolicy: policyJson(policyDocument([serviceTrust("translate.amazonaws.com", args.accountId)])),
    }, parent);
    const dataAccess = new aws.iam.RolePolicy(`${name}-data-access-permissions`, {
      role: this.dataAccessRole.id,
      policy: policyJson(policyDocument(dataAccessStatements({ bucketArn: this.bucket.arn, readPrefixes: [inputPrefix], writePrefix: outputPrefix, kmsKeyArn: this.kmsKey.arn }))),
    }, parent);

    // Invocations that still fail after Lambda's retries land here, event and error included.
    const failedStarts = new aws.sqs.Queue(`${name}-failed-starts`, {
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 1_209_600,
    }, parent);

    this.batch = new NodeFunction(`${name}-batch`, {
      source: "translate-batch",
      description: "Starts a masked batch translation job per document dropped under the input prefix",
      timeoutSeconds: 60,
      environment: {
        BUCKET: this.bucket.bucketName,
        INPUT_PREFIX: inputPrefix,
        OUTPUT_PREFIX: outputPrefix,
        DATA_ACCESS_ROLE_ARN: this.dataAccessRole.arn,
        SOURCE_LANGUAGE: source,
        TARGET_LANGUAGES: targets.join(","),
        OUTPUT_KMS_KEY_ARN: this.kmsKey.arn,
      },
      policyStatements: [
        { Sid: "StartJobs", Effect: "Allow", Action: "translate:StartTextTranslationJob", Resource: "*" },
        ...(source === "auto" ? [{ Sid: "DetectSourceLanguage", Effect: "Allow" as const, Action: "comprehend:DetectDominantLanguage", Resource: "*" }] : []),
        passRole(this.dataAccessRole.arn, "translate.amazonaws.com"),
        { Sid: "RecordFailedStarts", Effect: "Allow", Action: "sqs:SendMessage", Resource: failedStarts.arn },
      ],
    }, { parent: this, dependsOn: [dataAccess] });
    new aws.lambda.FunctionEventInvokeConfig(`${name}-batch-failures`, {
      functionName: this.batch.functionName,
      maximumRetryAttempts: 2,
      destinationConfig: { onFailure: { destination: failedStarts.arn } },
    }, parent);

    const permission = new aws.lambda.Permission(`${name}-batch-from-s3`, {
      action: "lambda:InvokeFunction",
      function: this.batch.functionName,
      principal: "s3.amazonaws.com",
      sourceArn: this.bucket.arn,
      sourceAccount: args.accountId,
    }, parent);
    new aws.s3.BucketNotification(`${name}-notification`, {
      bucket: this.bucket.bucketName,
      lambdaFunctions: [{ lambdaFunctionArn: this.batch.arn, events: ["s3:ObjectCreated:*"], filterPrefix: inputPrefix }],
    }, { parent: this, dependsOn: [permission] });

    // Failed jobs: an EventBridge rule → a log group (the failed-job record) and an alarm on the rule.
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-failed-jobs`, {
      name: `${EVENTS_LOG_GROUP_PREFIX}mlz-${name}-failed-jobs`,
      retentionInDays: 365,
    }, parent);
    const rule = new aws.cloudwatch.EventRule(`${name}-failed-jobs`, {
      description: "Amazon Translate batch jobs that did not complete cleanly",
      eventPattern: JSON.stringify({
        source: ["aws.translate"],
        "detail-type": ["Translate TextTranslationJob State Change"],
        detail: { jobStatus: ["FAILED", "COMPLETED_WITH_ERROR", "STOPPED"] },
      }),
    }, parent);
    const logPolicy = new aws.cloudwatch.LogResourcePolicy(`${name}-failed-jobs-delivery`, {
      policyName: `mlz-${name}-failed-jobs`,
      policyDocument: policyJson(policyDocument<pulumi.Input<string>>([{
        Sid: "EventBridgeWritesFailedJobs",
        Effect: "Allow",
        Principal: { Service: ["events.amazonaws.com", "delivery.logs.amazonaws.com"] },
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: pulumi.interpolate`${logGroup.arn}:*`,
        Condition: { ArnEquals: { "aws:SourceArn": rule.arn } },
      }])),
    }, parent);
    new aws.cloudwatch.EventTarget(`${name}-failed-jobs-record`, { rule: rule.name, arn: logGroup.arn }, { parent: this, dependsOn: [logPolicy] });

    const actions = args.alarmTopicArn !== undefined ? [args.alarmTopicArn] : [];
    failureAlarm(`${name}-failed-jobs-alarm`, {
      description: pulumi.interpolate`A batch translation job failed; see the log group ${logGroup.name}`,
      namespace: "AWS/Events",
      metricName: "TriggeredRules",
      dimensions: { RuleName: rule.name },
      actions,
    }, parent);
    failureAlarm(`${name}-batch-errors-alarm`, {
      description: pulumi.interpolate`Documents under s3://${this.bucket.bucketName}/${inputPrefix} could not start a translation job; see the function's log`,
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: this.batch.functionName },
      actions,
    }, parent);

    this.invokePolicyArn = invokePolicy.arn;
    this.functionName = this.realtime.functionName;
    this.bucketName = this.bucket.bucketName;
    this.failedJobsLogGroupName = logGroup.name;
    this.failedStartsQueueUrl = failedStarts.url;
    this.registerOutputs({
      bucket: this.bucket,
      kmsKey: this.kmsKey,
      realtime: this.realtime,
      batch: this.batch,
      dataAccessRole: this.dataAccessRole,
      invokePolicyArn: this.invokePolicyArn,
      functionName: this.functionName,
      bucketName: this.bucketName,
      failedJobsLogGroupName: this.failedJobsLogGroupName,
      failedStartsQueueUrl: this.failedStartsQueueUrl,
    });
  }
}
