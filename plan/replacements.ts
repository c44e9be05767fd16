/**
 * Which input changes make the engine replace a resource instead of updating it. The provider
 * plugin decides this at run time from its schema (the npm package carries none), so the plan
 * keeps this table for every resource type the stacks declare, taken from the provider's
 * documentation (the Terraform AWS provider's "forces new resource" arguments, which the Pulumi
 * AWS provider bridges). Keys are Pulumi input names (top level); a change below one (`tags.x`,
 * `productionVariants[0].instanceType`) counts as a change of it. A type missing from the table is
 * shown as "update (replacement not known)", never guessed.
 */
import type { ChangeKind } from "../lib/plan-model";
export type { ChangeKind } from "../lib/plan-model";

export interface ReplacementRule {
  /** Inputs whose change replaces the resource. */
  readonly replaceOn: readonly string[];
  /** What a replacement destroys, when more than configuration (said next to every replacement). */
  readonly loss?: string;
}

export const REPLACE_ON_CHANGE: Readonly<Record<string, ReplacementRule>> = {
  "aws:cloudfront/distribution:Distribution": { replaceOn: [] },
  "aws:cloudfront/originAccessControl:OriginAccessControl": { replaceOn: [] },
  "aws:cloudwatch/eventRule:EventRule": { replaceOn: ["name", "namePrefix", "eventBusName"] },
  "aws:cloudwatch/eventTarget:EventTarget": { replaceOn: ["rule", "targetId", "eventBusName"] },
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": { replaceOn: ["policyName"] },
  "aws:cloudwatch/metricAlarm:MetricAlarm": { replaceOn: ["name"] },
  "aws:kms/keyPolicy:KeyPolicy": { replaceOn: ["keyId"] },
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": { replaceOn: ["functionName", "qualifier"] },
  // Layer versions are immutable: every setting makes a new version.
  "aws:lambda/layerVersion:LayerVersion": { replaceOn: ["layerName", "code", "s3Bucket", "s3Key", "s3ObjectVersion", "compatibleRuntimes", "compatibleArchitectures", "description", "licenseInfo", "sourceCodeHash"] },
  "aws:lambda/permission:Permission": { replaceOn: ["action", "function", "principal", "sourceArn", "sourceAccount", "statementId", "statementIdPrefix", "qualifier", "eventSourceToken", "principalOrgId", "functionUrlAuthType"] },
  "aws:s3/accessPoint:AccessPoint": { replaceOn: ["bucket", "name", "accountId", "bucketAccountId", "vpcConfiguration"] },
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": { replaceOn: ["bucket", "expectedBucketOwner"] },
  "aws:s3/bucketNotification:BucketNotification": { replaceOn: ["bucket"] },
  "aws:s3/bucketObjectv2:BucketObjectv2": { replaceOn: ["bucket", "key"] },
  "aws:s3control/objectLambdaAccessPoint:ObjectLambdaAccessPoint": { replaceOn: ["accountId", "name"] },
  "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy": { replaceOn: ["accountId", "name"] },
  "aws:sns/topic:Topic": { replaceOn: ["name", "namePrefix", "fifoTopic"], loss: "the topic's subscriptions go with it (Pulumi recreates the declared ones)" },
  "aws:sns/topicPolicy:TopicPolicy": { replaceOn: ["arn"] },
  "aws:sns/topicSubscription:TopicSubscription": { replaceOn: ["topic", "protocol", "endpoint"] },
  "aws:sqs/queue:Queue": { replaceOn: ["name", "namePrefix", "fifoQueue"], loss: "data loss: messages waiting in the queue are deleted" },
  "aws:sqs/queuePolicy:QueuePolicy": { replaceOn: ["queueUrl"] },
  "aws:accessanalyzer/analyzer:Analyzer": { replaceOn: ["analyzerName", "type", "configuration"] },
  "aws:cfg/deliveryChannel:DeliveryChannel": { replaceOn: ["name"] },
  "aws:cfg/organizationManagedRule:OrganizationManagedRule": { replaceOn: ["name", "ruleIdentifier"] },
  "aws:cfg/recorder:Recorder": { replaceOn: ["name"] },
  "aws:cfg/recorderStatus:RecorderStatus": { replaceOn: ["name"] },
  "aws:cloudtrail/trail:Trail": { replaceOn: ["name"] },
  "aws:cloudwatch/logGroup:LogGroup": { replaceOn: ["name", "namePrefix", "logGroupClass"], loss: "data loss: the log group's events are deleted" },
  "aws:cloudwatch/logStream:LogStream": { replaceOn: ["name", "logGroupName"], loss: "data loss: the stream's events are deleted" },
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": { replaceOn: ["vpcId"] },
  "aws:ec2/routeTable:RouteTable": { replaceOn: ["vpcId"] },
  "aws:ec2/routeTableAssociation:RouteTableAssociation": { replaceOn: ["subnetId", "gatewayId"] },
  "aws:ec2/securityGroup:SecurityGroup": { replaceOn: ["name", "namePrefix", "vpcId", "description"] },
  "aws:ec2/subnet:Subnet": { replaceOn: ["vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId", "ipv6Native", "outpostArn"] },
  "aws:ec2/vpc:Vpc": { replaceOn: ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"], loss: "every subnet, endpoint and network interface in the VPC is replaced with it" },
  "aws:ec2/vpcEndpoint:VpcEndpoint": { replaceOn: ["vpcId", "serviceName", "vpcEndpointType", "serviceRegion", "resourceConfigurationArn", "serviceNetworkArn"] },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": { replaceOn: ["url"] },
  "aws:iam/policy:Policy": { replaceOn: ["name", "namePrefix", "path", "description"] },
  "aws:iam/role:Role": { replaceOn: ["name", "namePrefix", "path"] },
  "aws:iam/rolePolicy:RolePolicy": { replaceOn: ["name", "namePrefix", "role"] },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { replaceOn: ["role", "policyArn"] },
  "aws:iam/serviceLinkedRole:ServiceLinkedRole": { replaceOn: ["awsServiceName", "customSuffix"] },
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": { replaceOn: ["name", "destination", "kinesisSourceConfiguration", "mskSourceConfiguration"], loss: "records buffered in the stream are lost" },
  "aws:kms/alias:Alias": { replaceOn: ["name", "namePrefix"] },
  "aws:kms/key:Key": { replaceOn: ["customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"], loss: "data loss: the old key is scheduled for deletion and data encrypted under it becomes unreadable" },
  "aws:lambda/function:Function": { replaceOn: ["name", "packageType"] },
  "aws:organizations/account:Account": { replaceOn: ["email", "name", "iamUserAccessToBilling", "roleName"], loss: "the AWS account is closed (or removed from the organization) and a new one created" },
  "aws:organizations/organization:Organization": { replaceOn: [] },
  "aws:organizations/organizationalUnit:OrganizationalUnit": { replaceOn: ["parentId"] },
  "aws:organizations/policy:Policy": { replaceOn: ["type"] },
  "aws:organizations/policyAttachment:PolicyAttachment": { replaceOn: ["policyId", "targetId"] },
  "aws:rekognition/project:Project": { replaceOn: ["name", "feature"], loss: "data loss: the project and its trained model versions are deleted" },
  "aws:s3/bucket:Bucket": { replaceOn: ["bucket", "bucketPrefix", "objectLockEnabled"], loss: "data loss: the bucket and every object in it are deleted" },
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": { replaceOn: ["bucket", "expectedBucketOwner"] },
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": { replaceOn: ["bucket"] },
  "aws:s3/bucketPolicy:BucketPolicy": { replaceOn: ["bucket"] },
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": { replaceOn: ["bucket"] },
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": { replaceOn: ["bucket", "expectedBucketOwner"] },
  "aws:s3/bucketVersioning:BucketVersioning": { replaceOn: ["bucket", "expectedBucketOwner"] },
  "aws:sagemaker/endpoint:Endpoint": { replaceOn: ["name"] },
  // Endpoint configurations are immutable in SageMaker: every setting but the tags replaces one.
  "aws:sagemaker/endpointConfiguration:EndpointConfiguration": { replaceOn: ["name", "namePrefix", "productionVariants", "shadowProductionVariants", "kmsKeyArn", "dataCaptureConfig", "asyncInferenceConfig"] },
  "aws:sagemaker/model:Model": { replaceOn: ["name", "primaryContainer", "containers", "executionRoleArn", "vpcConfig", "enableNetworkIsolation", "inferenceExecutionConfig"] },
  "aws:ssm/parameter:Parameter": { replaceOn: ["name"] },
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": { replaceOn: ["securityGroupId"] },
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": { replaceOn: ["securityGroupId"] },
  // An explicit provider in another region manages other resources: Pulumi replaces every resource of it.
  "pulumi:providers:aws": { replaceOn: ["region"], loss: "every resource of this provider is replaced with it" },
};


/** The top-level input a changed path belongs to (`tags.owner` → `tags`, `a[0].b` → `a`). */
export function topLevelInput(path: string): string {
  return path.split(/[.[]/)[0];
}

/** How the engine would apply changes at `paths` of a resource of `type`, and which inputs force a replacement. */
export function classifyChange(type: string, paths: readonly string[]): { kind: ChangeKind; replacedBy: string[]; loss?: string } {
  const rule = REPLACE_ON_CHANGE[type];
  if (!rule) return { kind: "update-unknown", replacedBy: [] };
  const replacedBy = [...new Set(paths.map(topLevelInput).filter((k) => rule.replaceOn.includes(k)))].sort();
  return replacedBy.length > 0 ? { kind: "replace", replacedBy, ...(rule.loss ? { loss: rule.loss } : {}) } : { kind: "update", replacedBy: [] };
}
