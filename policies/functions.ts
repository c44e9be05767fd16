/**
 * Functions and delivery: Lambda runtimes, failure destinations of asynchronously invoked
 * functions, Function URL auth, CloudFront transport security and origin access, Firehose encryption.
 */
import * as aws from "@pulumi/aws";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import { asArray, referenceKeys, configOf, parseDocument } from "./lib";

export const lambdaSupportedRuntime: ResourceValidationPolicy = {
  name: "lambda-supported-runtime",
  description: "Checks whether Lambda functions use a supported runtime version.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowedRuntimes: {
        type: "array",
        items: { type: "string" },
        default: ["nodejs22.x", "nodejs24.x", "python3.12", "python3.13", "python3.14", "java21", "java25", "provided.al2023"],
        description: "Runtimes functions may use (container-image functions have none).",
      },
    },
  },
  validateResource: validateResourceOfType(aws.lambda.Function, (fn, args, report) => {
    if (fn.packageType === "Image") return;
    const { allowedRuntimes } = configOf<{ allowedRuntimes: string[] }>(args, lambdaSupportedRuntime);
    if (fn.runtime === undefined || !allowedRuntimes.includes(fn.runtime)) {
      report(`Lambda function must use a supported runtime (${allowedRuntimes.join(", ")}); got '${fn.runtime ?? "none"}'.`);
    }
  }),
};

const ASYNC_SOURCES = {
  permission: "aws:lambda/permission:Permission",
  bucketNotification: "aws:s3/bucketNotification:BucketNotification",
  eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  invokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
};

/** References (function name or ARN) to functions that something invokes asynchronously. */
function asyncReferences(resources: PolicyResource[], principals: string[]): string[] {
  const refs: unknown[] = [];
  for (const r of resources) {
    switch (r.type) {
      case ASYNC_SOURCES.permission:
        if (principals.includes(r.props.principal)) refs.push(r.props.function);
        break;
      case ASYNC_SOURCES.bucketNotification:
        refs.push(...asArray<any>(r.props.lambdaFunctions).map((l) => l?.lambdaFunctionArn));
        break;
      case ASYNC_SOURCES.eventTarget:
        refs.push(r.props.arn);
        break;
      case ASYNC_SOURCES.subscription:
        if (r.props.protocol === "lambda") refs.push(r.props.endpoint);
        break;
      case ASYNC_SOURCES.invokeConfig:
        refs.push(r.props.functionName);
        break;
    }
  }
  return refs.filter((x): x is string => typeof x === "string");
}

export const lambdaAsyncFailureDestination: StackValidationPolicy = {
  name: "lambda-async-failure-destination",
  description: "Checks whether asynchronously invoked Lambda functions have an on-failure destination.",
  // Advisory by default: which functions are invoked asynchronously is inferred from permissions and triggers.
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      asyncPrincipals: {
        type: "array",
        items: { type: "string" },
        default: ["s3.amazonaws.com", "sns.amazonaws.com", "events.amazonaws.com", "ses.amazonaws.com", "iot.amazonaws.com", "logs.amazonaws.com"],
        description: "Service principals whose lambda:InvokeFunction permission means the function is invoked asynchronously.",
      },
      asyncFunctions: { type: "array", items: { type: "string" }, default: [], description: "Logical or physical function names invoked asynchronously by other means." },
      acceptDeadLetterQueue: { type: "boolean", default: true, description: "Accept a dead-letter queue (deadLetterConfig.targetArn) instead of an on-failure destination." },
    },
  },
  validateStack: (args, report) => {
    const cfg = configOf<{ asyncPrincipals: string[]; asyncFunctions: string[]; acceptDeadLetterQueue: boolean }>(args, lambdaAsyncFailureDestination);
    const refs = asyncReferences(args.resources, cfg.asyncPrincipals);
    const invokeConfigs = args.resources.filter((r) => r.type === ASYNC_SOURCES.invokeConfig);
    for (const fn of args.resources.filter((r) => r.isType(aws.lambda.Function))) {
      const keys = referenceKeys(fn, ["name"]);
      const matches = (ref: unknown) => typeof ref === "string" && (keys.has(ref) || [...keys].some((k) => k.startsWith("arn:") && ref.startsWith(`${k}:`)));
      const isAsync = refs.some(matches) || cfg.asyncFunctions.includes(fn.name) || cfg.asyncFunctions.includes(String(fn.props.name));
      if (!isAsync) continue;
      const destination = invokeConfigs.some((c) => matches(c.props.functionName) && typeof c.props.destinationConfig?.onFailure?.destination === "string");
      const dlq = cfg.acceptDeadLetterQueue && typeof fn.props.deadLetterConfig?.targetArn === "string";
      if (!destination && !dlq) {
        report(
          `Lambda function '${fn.props.name ?? fn.name}' is invoked asynchronously and must have an on-failure destination (FunctionEventInvokeConfig destinationConfig.onFailure).`,
          fn.urn,
        );
      }
    }
  },
};

export const lambdaFunctionUrlAuth: ResourceValidationPolicy = {
  name: "lambda-function-url-auth",
  description: "Checks whether Lambda Function URLs require IAM authentication.",
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.lambda.FunctionUrl, (url, _args, report) => {
      if (url.authorizationType !== "AWS_IAM") report(`Lambda Function URL must use authorizationType 'AWS_IAM'; got '${url.authorizationType}'.`);
    }),
    validateResourceOfType(aws.lambda.Permission, (p, _args, report) => {
      if (p.functionUrlAuthType === "NONE") report("Lambda permission must not grant Function URL access with functionUrlAuthType 'NONE'.");
    }),
  ],
};

const VIEWER_HTTPS = ["https-only", "redirect-to-https"];

export const cloudfrontHttpsOnly: ResourceValidationPolicy = {
  name: "cloudfront-https-only",
  description: "Checks whether CloudFront distributions use HTTPS towards viewers and custom origins.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.cloudfront.Distribution, (d, _args, report) => {
    const behaviors = [
      { path: "default", policy: d.defaultCacheBehavior?.viewerProtocolPolicy },
      ...(d.orderedCacheBehaviors ?? []).map((b) => ({ path: b.pathPattern, policy: b.viewerProtocolPolicy })),
    ];
    for (const b of behaviors) {
      if (!VIEWER_HTTPS.includes(b.policy)) report(`CloudFront cache behavior '${b.path}' must use viewerProtocolPolicy 'https-only' or 'redirect-to-https'; got '${b.policy}'.`);
    }
    for (const o of d.origins ?? []) {
      const p = o.customOriginConfig?.originProtocolPolicy;
      if (p !== undefined && p !== "https-only") report(`CloudFront origin '${o.originId}' must use originProtocolPolicy 'https-only'; got '${p}'.`);
    }
  }),
};

/** Viewer security policies in increasing strength. */
export const CLOUDFRONT_PROTOCOL_VERSIONS = ["SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016", "TLSv1.2_2018", "TLSv1.2_2019", "TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"];

export const cloudfrontTlsMinimum: ResourceValidationPolicy = {
  name: "cloudfront-tls-minimum",
  description: "Checks whether CloudFront distributions require TLS 1.2 or later from viewers and to origins.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minimumProtocolVersion: { type: "string", enum: CLOUDFRONT_PROTOCOL_VERSIONS, default: "TLSv1.2_2018", description: "Weakest viewer security policy accepted." },
    },
  },
  validateResource: validateResourceOfType(aws.cloudfront.Distribution, (d, args, report) => {
    const { minimumProtocolVersion } = configOf<{ minimumProtocolVersion: string }>(args, cloudfrontTlsMinimum);
    const cert = d.viewerCertificate;
    const min = CLOUDFRONT_PROTOCOL_VERSIONS.indexOf(minimumProtocolVersion);
    if (!cert || cert.cloudfrontDefaultCertificate === true) {
      report(`CloudFront distribution must use its own certificate with minimumProtocolVersion ${minimumProtocolVersion} or later; the default certificate accepts TLSv1.`);
    } else if (CLOUDFRONT_PROTOCOL_VERSIONS.indexOf(cert.minimumProtocolVersion ?? "TLSv1") < min) {
      report(`CloudFront distribution must set minimumProtocolVersion ${minimumProtocolVersion} or later; got '${cert.minimumProtocolVersion ?? "TLSv1"}'.`);
    }
    for (const o of d.origins ?? []) {
      const weak = (o.customOriginConfig?.originSslProtocols ?? []).filter((p) => p !== "TLSv1.2" && p !== "TLSv1.3");
      if (weak.length > 0) report(`CloudFront origin '${o.originId}' must only allow TLSv1.2 or later; got '${weak.join(", ")}'.`);
    }
  }),
};

const S3_REST_DOMAIN = /\.s3([.-][a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/;
const S3_WEBSITE_DOMAIN = /\.s3-website[.-][a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

export const cloudfrontS3OriginAccessControl: ResourceValidationPolicy = {
  name: "cloudfront-s3-origin-access-control",
  description: "Checks whether CloudFront reaches S3 origins through origin access control.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.cloudfront.Distribution, (d, _args, report) => {
    for (const o of d.origins ?? []) {
      if (S3_WEBSITE_DOMAIN.test(o.domainName)) {
        report(`CloudFront origin '${o.originId}' must reach S3 through the REST endpoint with origin access control, not a public website endpoint.`);
      } else if (S3_REST_DOMAIN.test(o.domainName)) {
        if (!o.originAccessControlId) report(`CloudFront S3 origin '${o.originId}' must set originAccessControlId.`);
        if (o.s3OriginConfig?.originAccessIdentity) report(`CloudFront S3 origin '${o.originId}' must not use a legacy origin access identity.`);
      }
    }
  }),
};

export const firehoseEncrypted: ResourceValidationPolicy = {
  name: "firehose-encrypted",
  description: "Checks whether Firehose delivery streams encrypt data at rest.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      requireCustomerManagedKey: { type: "boolean", default: false, description: "Require keyType CUSTOMER_MANAGED_CMK instead of an AWS-owned key." },
    },
  },
  validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (fh, args, report) => {
    const { requireCustomerManagedKey } = configOf<{ requireCustomerManagedKey: boolean }>(args, firehoseEncrypted);
    // With a Kinesis or MSK source, the source stream encrypts; Firehose refuses its own SSE then.
    if (fh.kinesisSourceConfiguration || fh.mskSourceConfiguration) return;
    const sse = fh.serverSideEncryption;
    if (sse?.enabled !== true) report("Firehose delivery stream must enable serverSideEncryption.");
    else if (requireCustomerManagedKey && (sse.keyType !== "CUSTOMER_MANAGED_CMK" || !sse.keyArn)) {
      report("Firehose delivery stream must encrypt with a customer managed KMS key (keyType CUSTOMER_MANAGED_CMK and keyArn).");
    }
  }),
};


/**
 * Lambda@Edge rules ("Restrictions on Lambda@Edge" and "Quotas on Lambda@Edge", CloudFront
 * Developer Guide): a numbered version, x86_64, no environment variables, layers, VPC, dead-letter
 * queue or active tracing, a role edgelambda.amazonaws.com may assume, and at most 128 MB / 5 s for
 * viewer triggers (30 s for origin triggers).
 */
export const lambdaEdgeRestrictions: StackValidationPolicy = {
  name: "lambda-edge-restrictions",
  description: "Checks whether Lambda functions associated with CloudFront distributions follow Lambda@Edge's restrictions.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const functions = args.resources.filter((r) => r.isType(aws.lambda.Function));
    const roles = args.resources.filter((r) => r.isType(aws.iam.Role));
    for (const d of args.resources.filter((r) => r.isType(aws.cloudfront.Distribution))) {
      const behaviors = [d.props.defaultCacheBehavior, ...asArray<any>(d.props.orderedCacheBehaviors)].filter((b) => b);
      for (const a of behaviors.flatMap((b: any) => asArray<any>(b.lambdaFunctionAssociations))) {
        const lambdaArn = a?.lambdaArn;
        if (typeof lambdaArn !== "string") continue;
        const version = /:([^:]+)$/.exec(lambdaArn)?.[1] ?? "";
        if (!/^\d+$/.test(version) || !/:function:[^:]+:[^:]+$/.test(lambdaArn)) {
          report(`CloudFront ${a.eventType} association must reference a numbered function version, not '${lambdaArn}'.`, d.urn);
          continue;
        }
        const fn = functions.find((f) => [...referenceKeys(f, [])].some((k) => k.startsWith("arn:") && lambdaArn.startsWith(`${k}:`)));
        if (!fn) continue;
        const p = fn.props;
        const label = `Lambda@Edge function '${p.name ?? fn.name}'`;
        const problems: string[] = [];
        if (p.publish !== true) problems.push("publish a numbered version (publish: true)");
        if (asArray<string>(p.architectures).some((x) => x !== "x86_64")) problems.push("use the x86_64 architecture");
        if (p.environment?.variables && Object.keys(p.environment.variables).length > 0) problems.push("have no environment variables");
        if (asArray(p.layers).length > 0) problems.push("use no layers");
        if (p.vpcConfig && asArray(p.vpcConfig.subnetIds).length > 0) problems.push("run outside a VPC");
        if (p.deadLetterConfig?.targetArn) problems.push("have no dead-letter queue");
        if (p.tracingConfig?.mode === "Active") problems.push("not use active X-Ray tracing");
        const viewer = String(a.eventType).startsWith("viewer-");
        if (viewer && (p.memorySize ?? 128) > 128) problems.push("have at most 128 MB for a viewer trigger");
        if ((p.timeout ?? 3) > (viewer ? 5 : 30)) problems.push(`time out within ${viewer ? 5 : 30} s for a ${a.eventType} trigger`);
        const role = roles.find((r) => typeof p.role === "string" && referenceKeys(r, []).has(p.role));
        if (role) {
          const trust = parseDocument(role.props.assumeRolePolicy);
          const services = (trust?.Statement ?? []).filter((s) => s.Effect === "Allow").flatMap((s) => asArray<string>((s.Principal as any)?.Service));
          if (!services.includes("edgelambda.amazonaws.com")) problems.push("have a role edgelambda.amazonaws.com may assume");
        }
        for (const problem of problems) report(`${label} must ${problem}.`, fn.urn);
      }
    }
  },
};

export const functionPolicies = [
  lambdaSupportedRuntime,
  lambdaAsyncFailureDestination,
  lambdaFunctionUrlAuth,
  cloudfrontHttpsOnly,
  cloudfrontTlsMinimum,
  cloudfrontS3OriginAccessControl,
  lambdaEdgeRestrictions,
  firehoseEncrypted,
];
