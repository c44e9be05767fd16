/**
 * A deterministic simulation of the AWS organization that answers the mock runtime: every resource
 * gets an id and computed outputs in the real format for the account and region of its provider.
 * It invents no results: values AWS would compute (ids, ARNs, domain names) are derived from a hash
 * of the resource's URN, and a dynamic resource whose result only AWS can know (a training job's
 * metrics) is answered with a visible `[known after apply]` marker.
 */
import { decodeJson } from "../lib/json";
import * as crypto from "node:crypto";
import type { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { partitionOf, isAwsRegion } from "../components/aws";
import { unwrapSecrets, type Simulator } from "./mock-runtime";
import { KNOWN_AFTER_APPLY } from "../lib/plan-model";

export interface Placement {
  account: string;
  region: string;
  partition: string;
}

export interface SimulationContext extends Placement {
  /** Logical name. */
  name: string;
  type: string;
  /** Deterministic physical name for autonamed resources: `<name>-<7 hex>`. */
  autoName: string;
  inputs: Record<string, any>;
  /** Stable seed for this resource. */
  seed: string;
  /** Id of the organization managed by this stack (one per stack), for Organizations ARNs. */
  organizationId: string;
  /** Import id, when the program adopts an existing resource. */
  importId?: string;
}

export interface Simulated {
  id: string;
  outputs?: Record<string, unknown>;
}

/** Deterministic hex digest of the parts. */
export function digest(...parts: string[]): string {
  return crypto.createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

/** Deterministic string of `length` characters from `alphabet`. */
export function token(seed: string, length: number, alphabet = "0123456789abcdef"): string {
  const bytes = crypto.createHash("sha512").update(seed).digest();
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[bytes[i % bytes.length] % alphabet.length];
  return out;
}

const DIGITS = "0123456789";
const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Epoch-millisecond timestamp (13 digits) derived from the seed, within 2024–2026. */
function timestamp13(seed: string): string {
  const base = 1704067200000; // 2024-01-01T00:00:00Z
  return String(base + (parseInt(digest(seed).slice(0, 10), 16) % 94608000000));
}

function nameOr(ctx: SimulationContext, key = "name"): string {
  const v = ctx.inputs[key];
  return typeof v === "string" && v.length > 0 ? v : ctx.autoName;
}

function arn(ctx: Placement, service: string, resource: string, opts: { region?: boolean; account?: boolean } = {}): string {
  return `arn:${ctx.partition}:${service}:${opts.region === false ? "" : ctx.region}:${opts.account === false ? "" : ctx.account}:${resource}`;
}

function awsId(prefix: string, seed: string): string {
  return `${prefix}-${token(seed, 17)}`;
}

/** Simulations by resource type token. */
export const RESOURCE_SIMULATIONS: Record<string, (ctx: SimulationContext) => Simulated> = {
  // Organizations
  "aws:organizations/organization:Organization": (c) => {
    const id = c.organizationId;
    const root = `r-${token(c.seed + "root", 4, LOWER_ALNUM)}`;
    return {
      id,
      outputs: {
        arn: arn(c, "organizations", `organization/${id}`, { region: false }),
        masterAccountId: c.account,
        roots: [{ id: root, arn: arn(c, "organizations", `root/${id}/${root}`, { region: false }), name: "Root", policyTypes: [] }],
      },
    };
  },
  "aws:organizations/organizationalUnit:OrganizationalUnit": (c) => {
    const id = `ou-${token(c.seed + "r", 4, LOWER_ALNUM)}-${token(c.seed, 8, LOWER_ALNUM)}`;
    return { id, outputs: { arn: arn(c, "organizations", `ou/${c.organizationId}/${id}`, { region: false }) } };
  },
  "aws:organizations/account:Account": (c) => {
    const id = c.importId ?? token(c.seed, 12, DIGITS).replace(/^0/, "1");
    return { id, outputs: { arn: arn(c, "organizations", `account/${c.organizationId}/${id}`, { region: false }), status: "ACTIVE" } };
  },
  "aws:organizations/policy:Policy": (c) => {
    const id = `p-${token(c.seed, 8, LOWER_ALNUM)}`;
    return { id, outputs: { arn: arn(c, "organizations", `policy/${c.organizationId}/${String(c.inputs.type ?? "SERVICE_CONTROL_POLICY").toLowerCase()}/${id}`, { region: false }), name: nameOr(c) } };
  },
  "aws:organizations/policyAttachment:PolicyAttachment": (c) => ({ id: `${c.inputs.targetId}:${c.inputs.policyId}` }),

  // IAM
  "aws:iam/role:Role": (c) => {
    const name = nameOr(c);
    const path = typeof c.inputs.path === "string" ? c.inputs.path : "/";
    return { id: name, outputs: { name, arn: arn(c, "iam", `role${path}${name}`, { region: false }), uniqueId: `AROA${token(c.seed, 17, UPPER_ALNUM)}` } };
  },
  "aws:iam/policy:Policy": (c) => {
    const name = nameOr(c);
    const a = arn(c, "iam", `policy/${name}`, { region: false });
    return { id: a, outputs: { name, arn: a, policyId: `ANPA${token(c.seed, 17, UPPER_ALNUM)}` } };
  },
  "aws:iam/rolePolicy:RolePolicy": (c) => ({ id: `${c.inputs.role}:${nameOr(c)}`, outputs: { name: nameOr(c) } }),
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (c) => ({ id: `${c.inputs.role}-${token(c.seed, 20)}` }),
  "aws:iam/serviceLinkedRole:ServiceLinkedRole": (c) => {
    const service = String(c.inputs.awsServiceName ?? "");
    const name = service === "config.amazonaws.com" ? "AWSServiceRoleForConfig" : `AWSServiceRoleFor${service.split(".")[0]}`;
    const a = arn(c, "iam", `role/aws-service-role/${service}/${name}`, { region: false });
    return { id: a, outputs: { name, arn: a, path: `/aws-service-role/${service}/`, uniqueId: `AROA${token(c.seed, 17, UPPER_ALNUM)}` } };
  },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (c) => {
    const host = String(c.inputs.url ?? "").replace(/^https:\/\//, "");
    const a = arn(c, "iam", `oidc-provider/${host}`, { region: false });
    return { id: a, outputs: { arn: a } };
  },

  // S3
  "aws:s3/bucket:Bucket": (c) => {
    const bucket = nameOr(c, "bucket");
    return {
      id: bucket,
      outputs: {
        bucket,
        arn: arn(c, "s3", bucket, { region: false, account: false }),
        bucketDomainName: `${bucket}.s3.amazonaws.com`,
        bucketRegionalDomainName: `${bucket}.s3.${c.region}.amazonaws.com`,
        region: c.region,
        hostedZoneId: "Z3AQBSTGFYJSTF",
      },
    };
  },
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (c) => ({ id: String(c.inputs.bucket) }),
  "aws:s3/bucketVersioning:BucketVersioning": (c) => ({ id: String(c.inputs.bucket) }),
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (c) => ({ id: String(c.inputs.bucket) }),
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (c) => ({ id: String(c.inputs.bucket) }),
  "aws:s3/bucketPolicy:BucketPolicy": (c) => ({ id: String(c.inputs.bucket) }),
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": (c) => ({ id: String(c.inputs.bucket) }),
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (c) => ({ id: String(c.inputs.bucket) }),
  "aws:s3/bucketNotification:BucketNotification": (c) => ({ id: String(c.inputs.bucket) }),
  "aws:s3/bucketObjectv2:BucketObjectv2": (c) => ({ id: String(c.inputs.key), outputs: { etag: token(c.seed, 32), versionId: token(c.seed, 32, UPPER_ALNUM) } }),
  "aws:s3/accessPoint:AccessPoint": (c) => {
    const name = nameOr(c);
    return {
      id: `${c.account}:${name}`,
      outputs: {
        arn: arn(c, "s3", `accesspoint/${name}`),
        alias: `${name}-${token(c.seed, 34, LOWER_ALNUM)}-s3alias`,
        domainName: `${name}-${c.account}.s3-accesspoint.${c.region}.amazonaws.com`,
        networkOrigin: c.inputs.vpcConfiguration ? "VPC" : "Internet",
      },
    };
  },
  "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy": (c) => ({ id: `${c.account}:${nameOr(c)}` }),
  "aws:s3control/objectLambdaAccessPoint:ObjectLambdaAccessPoint": (c) => {
    const name = nameOr(c);
    return { id: `${c.account}:${name}`, outputs: { arn: arn(c, "s3-object-lambda", `accesspoint/${name}`), alias: `${name}-${token(c.seed, 34, LOWER_ALNUM)}--ol-s3` } };
  },

  // KMS
  "aws:kms/key:Key": (c) => {
    const id = `${token(c.seed, 8)}-${token(c.seed + 1, 4)}-${token(c.seed + 2, 4)}-${token(c.seed + 3, 4)}-${token(c.seed + 4, 12)}`;
    return { id, outputs: { keyId: id, arn: arn(c, "kms", `key/${id}`) } };
  },
  "aws:kms/alias:Alias": (c) => ({ id: nameOr(c), outputs: { arn: arn(c, "kms", nameOr(c)) } }),

  // SSM
  "aws:ssm/parameter:Parameter": (c) => {
    const name = nameOr(c);
    return { id: name, outputs: { name, arn: arn(c, "ssm", `parameter/${name.replace(/^\//, "")}`), version: 1, tier: c.inputs.tier ?? "Standard" } };
  },

  // Lambda and logs
  "aws:lambda/function:Function": (c) => {
    const name = nameOr(c);
    const a = arn(c, "lambda", `function:${name}`);
    // `publish: true` creates numbered version 1 (Lambda@Edge needs one); otherwise $LATEST.
    const version = c.inputs.publish === true ? "1" : "$LATEST";
    return {
      id: name,
      outputs: {
        name,
        arn: a,
        qualifiedArn: `${a}:${version}`,
        invokeArn: `arn:${c.partition}:apigateway:${c.region}:lambda:path/2015-03-31/functions/${a}/invocations`,
        version,
      },
    };
  },
  "aws:lambda/permission:Permission": (c) => ({ id: nameOr(c, "statementId") }),
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": (c) => ({ id: String(c.inputs.functionName) }),
  "aws:lambda/layerVersion:LayerVersion": (c) => {
    const name = nameOr(c, "layerName");
    return { id: arn(c, "lambda", `layer:${name}:1`), outputs: { arn: arn(c, "lambda", `layer:${name}:1`), layerArn: arn(c, "lambda", `layer:${name}`), version: "1" } };
  },
  "aws:lambda/functionUrl:FunctionUrl": (c) => ({ id: String(c.inputs.functionName), outputs: { functionUrl: `https://${token(c.seed, 32, LOWER_ALNUM)}.lambda-url.${c.region}.on.aws/` } }),
  "aws:cloudwatch/logStream:LogStream": (c) => {
    const name = nameOr(c);
    return { id: name, outputs: { name, arn: arn(c, "logs", `log-group:${String(c.inputs.logGroupName)}:log-stream:${name}`) } };
  },
  "aws:cloudwatch/logGroup:LogGroup": (c) => {
    const name = nameOr(c);
    return { id: name, outputs: { name, arn: arn(c, "logs", `log-group:${name}`) } };
  },

  // Networking
  "aws:ec2/vpc:Vpc": (c) => {
    const id = awsId("vpc", c.seed);
    return { id, outputs: { arn: arn(c, "ec2", `vpc/${id}`), defaultSecurityGroupId: awsId("sg", c.seed + "default"), mainRouteTableId: awsId("rtb", c.seed + "main") } };
  },
  "aws:ec2/subnet:Subnet": (c) => {
    const id = awsId("subnet", c.seed);
    return { id, outputs: { arn: arn(c, "ec2", `subnet/${id}`) } };
  },
  "aws:ec2/routeTable:RouteTable": (c) => ({ id: awsId("rtb", c.seed), outputs: { arn: arn(c, "ec2", `route-table/${awsId("rtb", c.seed)}`) } }),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": (c) => ({ id: awsId("rtbassoc", c.seed) }),
  "aws:ec2/securityGroup:SecurityGroup": (c) => {
    const id = awsId("sg", c.seed);
    return { id, outputs: { arn: arn(c, "ec2", `security-group/${id}`), name: nameOr(c) } };
  },
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (c) => {
    const id = awsId("sg", c.seed);
    return { id, outputs: { arn: arn(c, "ec2", `security-group/${id}`), name: "default" } };
  },
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (c) => ({ id: awsId("sgr", c.seed) }),
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (c) => ({ id: awsId("sgr", c.seed) }),
  "aws:ec2/vpcEndpoint:VpcEndpoint": (c) => {
    const id = awsId("vpce", c.seed);
    const service = String(c.inputs.serviceName ?? "");
    const short = service.split(".").slice(3).join(".") || "endpoint";
    const type = c.inputs.vpcEndpointType ?? "Gateway";
    return {
      id,
      outputs: {
        arn: arn(c, "ec2", `vpc-endpoint/${id}`),
        state: "available",
        dnsEntries: type === "Interface" ? [{ dnsName: `${id}-${token(c.seed, 8, LOWER_ALNUM)}.${short}.${c.region}.vpce.amazonaws.com`, hostedZoneId: "Z7HUB22UULQXV" }] : [],
        prefixListId: type === "Gateway" ? `pl-${token(c.seed, 8)}` : undefined,
      },
    };
  },
  "aws:ec2/flowLog:FlowLog": (c) => ({ id: awsId("fl", c.seed), outputs: { arn: arn(c, "ec2", `vpc-flow-log/${awsId("fl", c.seed)}`) } }),

  // Detection and governance
  "aws:cloudtrail/trail:Trail": (c) => {
    const name = nameOr(c);
    return { id: arn(c, "cloudtrail", `trail/${name}`), outputs: { name, arn: arn(c, "cloudtrail", `trail/${name}`), homeRegion: c.region } };
  },
  "aws:accessanalyzer/analyzer:Analyzer": (c) => {
    const name = nameOr(c, "analyzerName");
    return { id: name, outputs: { arn: arn(c, "access-analyzer", `analyzer/${name}`) } };
  },
  "aws:cfg/recorder:Recorder": (c) => ({ id: nameOr(c) }),
  "aws:cfg/deliveryChannel:DeliveryChannel": (c) => ({ id: nameOr(c) }),
  "aws:cfg/recorderStatus:RecorderStatus": (c) => ({ id: nameOr(c) }),
  "aws:cfg/organizationManagedRule:OrganizationManagedRule": (c) => {
    const name = nameOr(c);
    return { id: name, outputs: { arn: arn(c, "config", `organization-config-rule/${name}-${token(c.seed, 8, LOWER_ALNUM)}`) } };
  },

  // ML services
  "aws:rekognition/project:Project": (c) => {
    const name = nameOr(c);
    return { id: name, outputs: { arn: arn(c, "rekognition", `project/${name}/${timestamp13(c.seed)}`) } };
  },
  "aws:sagemaker/model:Model": (c) => {
    const name = nameOr(c);
    return { id: name, outputs: { name, arn: arn(c, "sagemaker", `model/${name.toLowerCase()}`) } };
  },
  "aws:sagemaker/endpointConfiguration:EndpointConfiguration": (c) => {
    const name = nameOr(c);
    return { id: name, outputs: { name, arn: arn(c, "sagemaker", `endpoint-config/${name.toLowerCase()}`) } };
  },
  "aws:sagemaker/endpoint:Endpoint": (c) => {
    const name = nameOr(c);
    return { id: name, outputs: { name, arn: arn(c, "sagemaker", `endpoint/${name.toLowerCase()}`) } };
  },
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": (c) => {
    const name = nameOr(c);
    return { id: arn(c, "firehose", `deliverystream/${name}`), outputs: { name, arn: arn(c, "firehose", `deliverystream/${name}`) } };
  },
  "aws:comprehend/entityRecognizer:EntityRecognizer": (c) => {
    // Every CreateEntityRecognizer call is a version: `entity-recognizer/<name>/version/<version>`.
    const name = nameOr(c);
    const version = typeof c.inputs.versionName === "string" && c.inputs.versionName !== "" ? c.inputs.versionName : `${c.inputs.versionNamePrefix ?? "v"}${token(c.seed, 8, DIGITS)}`;
    const versionArn = arn(c, "comprehend", `entity-recognizer/${name}/version/${version}`);
    return { id: versionArn, outputs: { arn: versionArn, versionName: version } };
  },
  "aws:cloudwatch/eventRule:EventRule": (c) => {
    const name = nameOr(c);
    return { id: name, outputs: { name, arn: arn(c, "events", `rule/${name}`) } };
  },
  "aws:cloudwatch/eventTarget:EventTarget": (c) => ({ id: `${c.inputs.rule}-${token(c.seed, 20, LOWER_ALNUM)}`, outputs: { targetId: token(c.seed, 20, LOWER_ALNUM) } }),
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": (c) => ({ id: String(c.inputs.policyName) }),
  "aws:cloudwatch/metricAlarm:MetricAlarm": (c) => {
    const name = nameOr(c);
    return { id: name, outputs: { name, arn: arn(c, "cloudwatch", `alarm:${name}`) } };
  },

  // Messaging and delivery
  "aws:sns/topic:Topic": (c) => {
    const name = nameOr(c);
    return { id: arn(c, "sns", name), outputs: { name, arn: arn(c, "sns", name) } };
  },
  "aws:sns/topicPolicy:TopicPolicy": (c) => ({ id: String(c.inputs.arn), outputs: { owner: c.account } }),
  "aws:sqs/queuePolicy:QueuePolicy": (c) => ({ id: String(c.inputs.queueUrl) }),
  "aws:sns/topicSubscription:TopicSubscription": (c) => ({ id: `${c.inputs.topic}:${token(c.seed, 36)}`, outputs: { arn: `${c.inputs.topic}:${token(c.seed, 36)}` } }),
  "aws:sqs/queue:Queue": (c) => {
    const name = nameOr(c);
    const url = `https://sqs.${c.region}.amazonaws.com/${c.account}/${name}`;
    return { id: url, outputs: { name, arn: arn(c, "sqs", name), url } };
  },
  "aws:cloudfront/distribution:Distribution": (c) => {
    const id = `E${token(c.seed, 13, UPPER_ALNUM)}`;
    return { id, outputs: { arn: arn(c, "cloudfront", `distribution/${id}`, { region: false }), domainName: `d${token(c.seed, 13, LOWER_ALNUM)}.cloudfront.net`, hostedZoneId: "Z2FDTNDATAQYW2", status: "Deployed" } };
  },
  "aws:cloudfront/originAccessControl:OriginAccessControl": (c) => ({ id: `E${token(c.seed, 13, UPPER_ALNUM)}` }),
  "aws:cloudfront/cachePolicy:CachePolicy": (c) => ({ id: `${token(c.seed, 8)}-${token(c.seed, 4)}-${token(c.seed, 4)}-${token(c.seed, 4)}-${token(c.seed, 12)}` }),
};

/**
 * Dynamic resources (`pulumi-nodejs:dynamic:Resource`) carry an input `kind` saying what they are;
 * these simulations answer them. Results only AWS can know are `KNOWN_AFTER_APPLY`.
 */
export const DYNAMIC_SIMULATIONS: Record<string, (ctx: SimulationContext) => Simulated> = {
  "mlz:comprehend:EntityRecognizerTraining": (c) => {
    const versionArn = arn(c, "comprehend", `entity-recognizer/${c.inputs.recognizerName}/version/${c.inputs.versionName}`);
    // Training runs for hours after the deploy: its status is whatever Comprehend reports later.
    return { id: versionArn, outputs: { versionArn, status: KNOWN_AFTER_APPLY } };
  },
  "mlz:comprehend:ModelPolicy": (c) => ({ id: String(c.inputs.resourceArn), outputs: { policyRevisionId: token(c.seed, 32) } }),
  "mlz:comprehend:ImportedModel": (c) => {
    // The copy keeps the source's recognizer and version names, in this account.
    const modelArn = arn(c, "comprehend", `entity-recognizer/${c.inputs.modelName}/version/${c.inputs.versionName}`);
    return { id: modelArn, outputs: { modelArn } };
  },
  "mlz:rekognition:ProjectVersionRunner": (c) => ({
    id: String(c.inputs.projectVersionArn ?? c.autoName),
    // RUNNING: the provider returns only once the version runs. A stopped version's status
    // (STOPPED, TRAINING_COMPLETED, …) is whatever AWS reports.
    outputs: { status: c.inputs.desiredState === "STOPPED" ? KNOWN_AFTER_APPLY : "RUNNING" },
  }),
  "mlz:sagemaker:AutoMLJobV2": (c) => {
    const jobName = nameOr(c, "jobName");
    return {
      id: jobName,
      // What the provider's create returns: the job started, no candidate. A deploy never waits for
      // training; a later deploy records the finished job (and the model and endpoint follow).
      outputs: {
        jobName,
        jobArn: arn(c, "sagemaker", `automl-job/${jobName.toLowerCase()}`),
        status: "InProgress",
        failureReason: "",
        bestCandidateName: "",
        objectiveMetricName: "F1",
        objectiveMetricValue: null,
        inferenceContainers: [],
      },
    };
  },
};

/** Invokes the programs use, by token. Any other token fails the plan. */
export const INVOKE_SIMULATIONS: Record<string, (placement: Placement, inputs: Record<string, any>) => Record<string, unknown>> = {
  "aws:index/getCallerIdentity:getCallerIdentity": (p) => ({
    accountId: p.account,
    arn: arn(p, "sts", "assumed-role/mlz-deploy/mlz-plan", { region: false }),
    userId: `AROA${token(p.account, 17, UPPER_ALNUM)}:mlz-plan`,
    id: p.account,
  }),
  "aws:index/getRegion:getRegion": (p) => ({ name: p.region, region: p.region, id: p.region, endpoint: `ec2.${p.region}.amazonaws.com`, description: p.region }),
  "aws:index/getPartition:getPartition": (p) => ({
    partition: p.partition,
    id: p.partition,
    dnsSuffix: p.partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com",
    reverseDnsPrefix: p.partition === "aws-cn" ? "cn.com.amazonaws" : "com.amazonaws",
  }),
  "aws:ec2/getAvailabilityZones:getAvailabilityZones": (p) => ({
    id: p.region,
    names: ["a", "b", "c"].map((z) => `${p.region}${z}`),
    zoneIds: [1, 2, 3].map((n) => `${p.region.split("-").map((s) => s[0]).join("")}${p.region.slice(-1)}-az${n}`),
    groupNames: [p.region],
  }),
};

/** Placement of a provider: its account (from the role it assumes, or its allowed account) and region. */
export function providerPlacement(inputs: Record<string, unknown>, fallbackAccount: string): Placement {
  const decode = decodeJson;
  const region = String(inputs.region ?? "");
  if (!isAwsRegion(region)) {
    throw new Error(`simulated AWS: provider has no valid region (got '${region}'); every provider must set one`);
  }
  const roles = decode(inputs.assumeRoles) as { roleArn?: string }[] | undefined;
  const allowed = decode(inputs.allowedAccountIds) as string[] | undefined;
  const fromRole = roles?.[0]?.roleArn ? /^arn:[^:]+:iam::(\d{12}):/.exec(roles[0].roleArn)?.[1] : undefined;
  const account = fromRole ?? allowed?.[0] ?? fallbackAccount;
  return { account, region, partition: partitionOf(region) };
}

export interface SimulatorOptions {
  /** Outputs of stacks already planned, by stack name, for StackReferences. */
  stackOutputs: (stack: string) => Record<string, unknown> | undefined;
  /** Account used by a provider that names none (the credentials' account). */
  defaultAccount: string;
  /** The Pulumi organization of this plan's stacks; a reference into another one is unresolved. */
  organization?: string;
}

/** Facts the simulation learned while answering, for the plan. */
export interface SimulationLog {
  /** Provider id (the last part of a `urn::id` reference) → placement. */
  providers: Map<string, Placement>;
  /** Resource types answered generically (no table entry). */
  genericTypes: Set<string>;
  /** Stack references read, with whether outputs were available. */
  stackReferences: { name: string; stack: string; resolved: boolean }[];
}

export function createSimulator(opts: SimulatorOptions, project: string, stack: string): { simulator: Simulator; log: SimulationLog } {
  const log: SimulationLog = { providers: new Map(), genericTypes: new Set(), stackReferences: [] };
  // An organization adopted by id (`import`) keeps its id: its OUs, accounts and policies carry it.
  let importedOrganizationId: string | undefined;
  const placementOf = (providerRef: string | undefined): Placement | undefined => {
    if (!providerRef) return undefined;
    return log.providers.get(providerRef.split("::").pop() as string);
  };

  const simulator: Simulator = {
    newResource(args: MockResourceArgs) {
      const inputs = unwrapSecrets(args.inputs) as Record<string, any>;
      if (args.type === "pulumi:pulumi:StackReference") {
        const name = String(inputs.name ?? args.name);
        const parts = name.split("/");
        const target = parts[parts.length - 1];
        if (parts.length === 3 && parts[1] !== project) {
          throw new Error(`simulated AWS: stack reference '${name}' names project '${parts[1]}', not '${project}'`);
        }
        // A stack of another organization is not part of this simulation: no outputs.
        const foreign = parts.length === 3 && opts.organization !== undefined && parts[0] !== opts.organization;
        const outputs = foreign ? undefined : opts.stackOutputs(target);
        log.stackReferences.push({ name, stack: target, resolved: outputs !== undefined });
        return { id: name, state: { name, outputs: outputs ?? {}, secretOutputNames: [] } };
      }
      if (!args.custom) {
        return { id: undefined, state: {} };
      }
      const seed = digest(project, stack, args.type, args.name, JSON.stringify(providerKey(args.provider)));
      if (args.type === "pulumi:providers:pulumi-nodejs") {
        // The explicit provider of dynamic resources: it runs in-process; each dynamic resource
        // names its own region and role (inputs `region`, `assumeRoleArn`).
        return { id: `${token(seed, 8)}-${token(seed + "p", 4)}-${token(seed + "q", 4)}-${token(seed + "r", 4)}-${token(seed + "s", 12)}`, state: {} };
      }
      if (args.type.startsWith("pulumi:providers:")) {
        const placement = providerPlacement(inputs, opts.defaultAccount);
        const id = `${token(seed, 8)}-${token(seed + "p", 4)}-${token(seed + "q", 4)}-${token(seed + "r", 4)}-${token(seed + "s", 12)}`;
        log.providers.set(id, placement);
        return { id, state: { ...inputs } };
      }
      if (!args.provider) {
        throw new Error(`simulated AWS: ${args.type} '${args.name}' has no explicit provider; every resource must name one (default providers are disabled)`);
      }
      const placement = args.type === "pulumi-nodejs:dynamic:Resource" ? dynamicPlacement(args.name, inputs, opts.defaultAccount) : placementOf(args.provider);
      if (!placement) {
        throw new Error(`simulated AWS: ${args.type} '${args.name}' names a provider the simulation has not seen (${args.provider})`);
      }
      if (args.type === "aws:organizations/organization:Organization" && args.id) importedOrganizationId = args.id;
      const ctx: SimulationContext = {
        ...placement,
        name: args.name,
        type: args.type,
        autoName: `${args.name}-${token(seed, 7)}`,
        inputs,
        seed,
        organizationId: importedOrganizationId ?? `o-${token(digest(project, stack, "organization"), 10, LOWER_ALNUM)}`,
        importId: args.id || undefined,
      };
      let simulated: Simulated;
      if (args.type === "pulumi-nodejs:dynamic:Resource") {
        const kind = String(inputs.kind ?? "");
        const sim = DYNAMIC_SIMULATIONS[kind];
        if (!sim) {
          throw new Error(`simulated AWS: dynamic resource '${args.name}' has kind '${kind || "(none)"}', which the simulation does not know; give it an input 'kind' with one of: ${Object.keys(DYNAMIC_SIMULATIONS).join(", ")}`);
        }
        simulated = sim(ctx);
      } else {
        const sim = RESOURCE_SIMULATIONS[args.type];
        if (sim) {
          simulated = sim(ctx);
        } else {
          log.genericTypes.add(args.type);
          simulated = { id: ctx.autoName };
        }
      }
      return { id: simulated.id, state: { ...inputs, id: simulated.id, ...(simulated.outputs ?? {}) } };
    },
    call(args: MockCallArgs) {
      const sim = INVOKE_SIMULATIONS[args.token];
      if (!sim) {
        throw new Error(`simulated AWS: no simulation for invoke '${args.token}'; add one to INVOKE_SIMULATIONS in plan/simulated-aws.ts`);
      }
      const placement = placementOf(args.provider);
      if (!placement) {
        throw new Error(`simulated AWS: invoke '${args.token}' has no explicit provider; pass { provider } to the invoke`);
      }
      return sim(placement, unwrapSecrets(args.inputs) as Record<string, any>);
    },
  };
  return { simulator, log };
}

/** Where a dynamic resource acts: its own `region` input and the account of its `assumeRoleArn`. */
function dynamicPlacement(name: string, inputs: Record<string, any>, fallbackAccount: string): Placement {
  const region = String(inputs.region ?? "");
  if (!isAwsRegion(region)) {
    throw new Error(`simulated AWS: dynamic resource '${name}' has no valid 'region' input (got '${region}')`);
  }
  const account = /^arn:[^:]+:iam::(\d{12}):/.exec(String(inputs.assumeRoleArn ?? ""))?.[1] ?? fallbackAccount;
  return { account, region, partition: partitionOf(region) };
}

/** Identifies a provider reference without its random-looking id part for seeding. */
function providerKey(ref: string | undefined): string {
  return ref ? ref.split("::").slice(0, -1).join("::") : "";
}
