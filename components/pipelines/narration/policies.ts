/**
 * IAM, bucket, key, topic and queue documents of the narration pipeline, as typed data (pure: no
 * resources), so each is tested statement by statement.
 *
 * Actions checked against the Service Authorization Reference:
 * - polly:StartSpeechSynthesisTask (Write; resource type `lexicon`, optional; dependent action
 *   s3:PutObject): a task that uses no lexicon names no resource, and Polly's guide "Setting up the
 *   IAM policy for asynchronous synthesis" grants it on "*". Polly writes the output with the
 *   caller's permissions, so the caller needs s3:PutObject on the output prefix.
 * - S3 HeadObject is authorized by s3:GetObject; ListObjectsV2 by s3:ListBucket (condition key
 *   s3:prefix); conditional writes (If-None-Match / If-Match) need only s3:PutObject.
 * - CloudFront OAC reads: principal cloudfront.amazonaws.com, condition AWS:SourceArn = the
 *   distribution ARN; with SSE-KMS the key policy must let the same principal kms:Decrypt
 *   (CloudFront Developer Guide, "Restricting access to an Amazon S3 origin").
 */
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../../iam/policy-document";
import { accountRootArn } from "../../aws";

type S = pulumi.Input<string>;

const objects = (bucketArn: S, prefix: string): S => pulumi.interpolate`${bucketArn}/${prefix}*`;

function listWithPrefixes(sid: string, bucketArn: S, prefixes: string[]): PolicyStatement<S> {
  return { Sid: sid, Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn, Condition: { StringLike: { "s3:prefix": prefixes.map((p) => `${p}*`) } } };
}

function sendToDeadLetterQueue(queueArn: S): PolicyStatement<S> {
  return { Sid: "SendFailedEventsToDeadLetterQueue", Effect: "Allow", Action: "sqs:SendMessage", Resource: queueArn };
}

/** narrate-article: find fragments, claim and start them, record waiting lists and manifests. */
export function narrateRoleStatements(i: { fragmentsBucketArn: S; deadLetterQueueArn: S }): PolicyStatement<S>[] {
  const b = i.fragmentsBucketArn;
  return [
    listWithPrefixes("FindFragments", b, ["fragments/"]),
    { Sid: "ReadManifests", Effect: "Allow", Action: "s3:GetObject", Resource: objects(b, "latest/") },
    {
      Sid: "WriteClaimsWaitingListsManifests",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: [objects(b, "claims/"), objects(b, "waiting/"), objects(b, "latest/")],
    },
    { Sid: "ReleaseClaims", Effect: "Allow", Action: "s3:DeleteObject", Resource: objects(b, "claims/") },
    { Sid: "StartSynthesis", Effect: "Allow", Action: "polly:StartSpeechSynthesisTask", Resource: "*" },
    // Polly writes the task's output with the caller's permissions.
    { Sid: "PollyWritesFragments", Effect: "Allow", Action: "s3:PutObject", Resource: objects(b, "fragments/") },
    sendToDeadLetterQueue(i.deadLetterQueueArn),
  ];
}

/** merge-narration: read manifests, fragments and the notice sound; write audio once. */
export function mergeRoleStatements(i: { fragmentsBucketArn: S; audioBucketArn: S; audioKeyArn: S; region: string; deadLetterQueueArn: S }): PolicyStatement<S>[] {
  const f = i.fragmentsBucketArn;
  const a = i.audioBucketArn;
  return [
    listWithPrefixes("FindFragmentsAndWaitingArticles", f, ["fragments/", "waiting/"]),
    { Sid: "ReadManifestsFragmentsAssets", Effect: "Allow", Action: "s3:GetObject", Resource: [objects(f, "latest/"), objects(f, "fragments/"), objects(f, "assets/")] },
    // HeadObject (is this version merged?) is authorized by s3:GetObject.
    { Sid: "CheckAndWriteAudio", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: [objects(a, "free/"), objects(a, "premium/")] },
    {
      Sid: "EncryptAudioThroughS3",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: i.audioKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${i.region}.amazonaws.com` } },
    },
    sendToDeadLetterQueue(i.deadLetterQueueArn),
  ];
}

/**
 * Audio bucket: this distribution (OAC) reads audio; every other reader is denied, except the
 * merge role (its HeadObject before merging).
 */
export function audioBucketStatements(i: { bucketArn: S; distributionArn: S; mergeRoleArn: S }): PolicyStatement<S>[] {
  const audio = [objects(i.bucketArn, "free/"), objects(i.bucketArn, "premium/")];
  return [
    {
      Sid: "AllowDistributionRead",
      Effect: "Allow",
      Principal: { Service: "cloudfront.amazonaws.com" },
      Action: "s3:GetObject",
      Resource: audio,
      Condition: { StringEquals: { "AWS:SourceArn": i.distributionArn } },
    },
    {
      Sid: "DenyReadOutsideDistribution",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: pulumi.interpolate`${i.bucketArn}/*`,
      Condition: { StringNotEquals: { "AWS:SourceArn": i.distributionArn }, ArnNotEquals: { "aws:PrincipalArn": i.mergeRoleArn } },
    },
  ];
}

/** Key policy of the audio bucket's key: the account administers it through IAM; the distribution decrypts. */
export function audioKeyStatements(i: { accountId: S; partition: string; distributionArn: S }): PolicyStatement<S>[] {
  return [
    {
      Sid: "EnableIamPolicies",
      Effect: "Allow",
      Principal: { AWS: accountRootArn(i.partition, i.accountId) },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "AllowDistributionDecrypt",
      Effect: "Allow",
      Principal: { Service: "cloudfront.amazonaws.com" },
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: { StringEquals: { "AWS:SourceArn": i.distributionArn } },
    },
  ];
}

/** Topic policy: only the publishers publish, over TLS. */
export function topicStatements(i: { topicArn: S; publisherArns: S[] }): PolicyStatement<S>[] {
  return [
    { Sid: "AllowPublishers", Effect: "Allow", Principal: { AWS: i.publisherArns }, Action: "sns:Publish", Resource: i.topicArn },
    {
      Sid: "DenyOtherPublishers",
      Effect: "Deny",
      Principal: "*",
      Action: "sns:Publish",
      Resource: i.topicArn,
      Condition: { ArnNotEquals: { "aws:PrincipalArn": i.publisherArns } },
    },
    { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: i.topicArn, Condition: { Bool: { "aws:SecureTransport": "false" } } },
  ];
}

/** Dead-letter queue: the topic's subscription redrives undeliverable messages into it. */
export function deadLetterQueueStatements(i: { queueArn: S; topicArn: S }): PolicyStatement<S>[] {
  return [{
    Sid: "AllowTopicRedrive",
    Effect: "Allow",
    Principal: { Service: "sns.amazonaws.com" },
    Action: "sqs:SendMessage",
    Resource: i.queueArn,
    Condition: { ArnEquals: { "aws:SourceArn": i.topicArn } },
  }];
}
