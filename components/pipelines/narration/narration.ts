import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { SecureBucket } from "../../storage/secure-bucket";
import { NodeFunction } from "../../lambda/node-function";
import { EdgeFunction } from "../../lambda/edge-function";
import { FfmpegLayer } from "../../lambda/ffmpeg-layer";
import { policyDocument, policyJson } from "../../iam/policy-document";
import { CLOUDFRONT_CERTIFICATE_ARN, IAM_PRINCIPAL_ARN, s3Arn } from "../../aws";
import {
  audioBucketStatements,
  audioKeyStatements,
  deadLetterQueueStatements,
  mergeRoleStatements,
  narrateRoleStatements,
  topicStatements,
} from "./policies";

/** Key of the notice sound in the fragments bucket. */
export const NOTICE_SOUND_KEY = "assets/notice-sound.mp3";
/** The notice sound shipped with the platform (MP3, 24 kHz, mono, like Polly's fragments). */
export const DEFAULT_NOTICE_SOUND_FILE = path.resolve(__dirname, "..", "..", "..", "assets", "narration", "notice.mp3");
/** CloudFront's managed cache policy "CachingOptimized". */
export const CACHING_OPTIMIZED_POLICY_ID = "658327ea-f89d-4fab-a63d-7e88639e58f6";
export const ENGINES = ["neural", "standard", "long-form", "generative"] as const;

export interface NarrationVoice {
  /** Polly voice id. */
  readonly voiceId: string;
  /** Polly engine. Defaults to `neural`. */
  readonly engine?: (typeof ENGINES)[number];
  /** Polly LanguageCode, for bilingual voices. Defaults to none. */
  readonly languageCode?: string;
  /** Text of the spoken "subscribe to listen on" notice. */
  readonly noticeText: string;
}

export interface SubscriberTokenSettings {
  /** The subscription service's public key (SPKI PEM). Not a secret. */
  readonly publicKeyPem: string;
  /** Signature algorithm of the tokens. */
  readonly algorithm: "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" | "ES256" | "ES384" | "ES512" | "EdDSA";
  /** Required `aud`. */
  readonly audience: string;
  /** Required `iss`. Defaults to not checked. */
  readonly issuer?: string;
  /** Cookie that may carry the token. Defaults to `mlz_subscriber`. */
  readonly cookieName?: string;
}

export interface ArticleNarrationArgs {
  /** Physical name of the fragments bucket (fragments, claims, waiting lists, manifests). Required. */
  readonly fragmentsBucketName: string;
  /** Physical name of the audio bucket CloudFront serves. Required. */
  readonly audioBucketName: string;
  /** Account of the stack. Required. */
  readonly accountId: pulumi.Input<string>;
  /** Region of the stack (buckets, topic, functions). Required. */
  readonly region: string;
  /** Partition. Defaults to `aws`. */
  readonly partition?: string;
  /** IAM role or user ARNs that may publish article versions to the topic (the CMS). Required, at least one. */
  readonly publisherArns: string[];
  /** Voice per language (`en`, `de`, …). Required, at least one. */
  readonly voices: Record<string, NarrationVoice>;
  /** Local MP3 file (24 kHz, mono) played before the notice. Defaults to `assets/narration/notice.mp3`. */
  readonly noticeSoundFile?: string;
  /** Domain names the distribution answers (its certificate covers them). Required, at least one. */
  readonly domainNames: string[];
  /** ACM certificate in us-east-1 covering `domainNames`. Required. */
  readonly certificateArn: string;
  /** How subscriber tokens are verified at the edge. Required. */
  readonly subscriberTokens: SubscriberTokenSettings;
  /**
   * Provider for us-east-1 in the stack's account: Lambda@Edge functions must be created there.
   * Required.
   */
  readonly edgeProvider: aws.Provider;
  /** Architecture of the merge function and its FFmpeg layer. Defaults to `x86_64`. */
  readonly mergeArchitecture?: "arm64" | "x86_64";
  /** Merge memory in MB. Defaults to 1024. */
  readonly mergeMemoryMb?: number;
  /** Merge timeout in seconds. Defaults to 300. */
  readonly mergeTimeoutSeconds?: number;
  /** CloudFront price class. Defaults to `PriceClass_100`. */
  readonly priceClass?: "PriceClass_All" | "PriceClass_200" | "PriceClass_100";
  /** Allow `pulumi destroy` to empty the buckets. Defaults to `false`. */
  readonly forceDestroy?: boolean;
  /** Log retention in days. Defaults to 90. */
  readonly logRetentionDays?: number;
  /** Tags. Defaults to none. */
  readonly tags?: Record<string, string>;
}

const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const DOMAIN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Checks the args; throws naming the argument and the rule. */
export function validateArticleNarrationArgs(args: ArticleNarrationArgs): void {
  for (const key of ["fragmentsBucketName", "audioBucketName"] as const) {
    if (!BUCKET.test(args[key]) || args[key].includes("--") || args[key].includes("..")) {
      throw new Error(`[${key}] must be a bucket name (3-63 lowercase letters, digits or '-'); got '${args[key]}'`);
    }
  }
  if (args.fragmentsBucketName === args.audioBucketName) throw new Error("[audioBucketName] must differ from [fragmentsBucketName]");
  if (args.publisherArns.length === 0) throw new Error("[publisherArns] must name at least one IAM role or user ARN");
  for (const p of args.publisherArns) {
    if (!IAM_PRINCIPAL_ARN.test(p)) throw new Error(`[publisherArns] must hold IAM role or user ARNs (the topic policy compares aws:PrincipalArn); got '${p}'`);
  }
  const languages = Object.keys(args.voices);
  if (languages.length === 0) throw new Error("[voices] must configure at least one language");
  for (const [lang, v] of Object.entries(args.voices)) {
    if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(lang)) throw new Error(`[voices] keys must be language codes such as 'en' or 'de'; got '${lang}'`);
    if (!/^[A-Z][a-zA-Z]+$/.test(v.voiceId)) throw new Error(`[voices.${lang}.voiceId] must be a Polly voice id such as 'Joanna'; got '${v.voiceId}'`);
    if (v.engine !== undefined && !(ENGINES as readonly string[]).includes(v.engine)) throw new Error(`[voices.${lang}.engine] must be one of ${ENGINES.join(", ")}; got '${v.engine}'`);
    if (v.noticeText.trim() === "") throw new Error(`[voices.${lang}.noticeText] must not be empty`);
  }
  if (args.domainNames.length === 0) throw new Error("[domainNames] must name at least one domain (CloudFront's default certificate allows TLSv1)");
  for (const d of args.domainNames) if (!DOMAIN.test(d)) throw new Error(`[domainNames] must hold domain names; got '${d}'`);
  if (!CLOUDFRONT_CERTIFICATE_ARN.test(args.certificateArn)) throw new Error(`[certificateArn] must be an ACM certificate ARN in us-east-1 (CloudFront uses only those); got '${args.certificateArn}'`);
  if (!/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/.test(args.subscriberTokens.publicKeyPem)) {
    throw new Error("[subscriberTokens.publicKeyPem] must be an SPKI PEM public key (-----BEGIN PUBLIC KEY-----)");
  }
  if (/PRIVATE KEY/.test(args.subscriberTokens.publicKeyPem)) throw new Error("[subscriberTokens.publicKeyPem] must not hold a private key");
  if (args.subscriberTokens.audience.trim() === "") throw new Error("[subscriberTokens.audience] must not be empty");
  const t = args.mergeTimeoutSeconds;
  if (t !== undefined && (!Number.isInteger(t) || t < 10 || t > 900)) throw new Error(`[mergeTimeoutSeconds] must be a whole number from 10 to 900; got ${t}`);
}

/**
 * Article narration: an SNS topic the CMS publishes saved versions to (publishers from config
 * only, dead-letter queue), `narrate-article` sending only new fragments to Polly, `merge-narration`
 * concatenating them with FFmpeg (a layer) into full and teaser audio, and a CloudFront
 * distribution (OAC, HTTPS, TLS 1.2+) with a Lambda@Edge paywall in us-east-1.
 */
export class ArticleNarration extends pulumi.ComponentResource {
  public readonly topic: aws.sns.Topic;
  public readonly deadLetterQueue: aws.sqs.Queue;
  public readonly fragmentsBucket: SecureBucket;
  public readonly audioBucket: SecureBucket;
  public readonly audioKey: aws.kms.Key;
  public readonly narrate: NodeFunction;
  public readonly merge: NodeFunction;
  public readonly ffmpegLayer: FfmpegLayer;
  public readonly paywall: EdgeFunction;
  public readonly distribution: aws.cloudfront.Distribution;
  public readonly topicArn: pulumi.Output<string>;
  public readonly distributionDomainName: pulumi.Output<string>;

  constructor(name: string, args: ArticleNarrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:pipelines:ArticleNarration", name, {}, opts);
    validateArticleNarrationArgs(args);
    const partition = args.partition ?? "aws";
    const retention = args.logRetentionDays ?? 90;
    const tags = args.tags;
    const fragmentsArn = s3Arn(partition, args.fragmentsBucketName);
    const audioArn = s3Arn(partition, args.audioBucketName);

    // Ingest: topic, publishers-only policy, dead-letter queue.
    this.topic = new aws.sns.Topic(`${name}-articles`, { name: `${name}-articles`, tags }, { parent: this });
    new aws.sns.TopicPolicy(`${name}-articles-policy`, {
      arn: this.topic.arn,
      policy: policyJson(policyDocument(topicStatements({ topicArn: this.topic.arn, publisherArns: args.publisherArns }))),
    }, { parent: this });
    this.deadLetterQueue = new aws.sqs.Queue(`${name}-dead-letters`, {
      name: `${name}-dead-letters`,
      messageRetentionSeconds: 1209600,
      sqsManagedSseEnabled: true,
      tags,
    }, { parent: this });
    new aws.sqs.QueuePolicy(`${name}-dead-letters-policy`, {
      queueUrl: this.deadLetterQueue.url,
      policy: policyJson(policyDocument(deadLetterQueueStatements({ queueArn: this.deadLetterQueue.arn, topicArn: this.topic.arn }))),
    }, { parent: this });

    // Fragments: Polly's output, claims, waiting lists, manifests, the notice sound.
    this.fragmentsBucket = new SecureBucket(`${name}-fragments`, {
      bucketName: args.fragmentsBucketName,
      forceDestroy: args.forceDestroy ?? false,
      tags,
    }, { parent: this });
    new aws.s3.BucketLifecycleConfiguration(`${name}-fragments-lifecycle`, {
      bucket: this.fragmentsBucket.bucket.id,
      rules: [
        // A claim whose task failed expires, so a later save of the text synthesizes it again.
        { id: "expire-claims", status: "Enabled", filter: { prefix: "claims/" }, expiration: { days: 1 } },
        { id: "expire-waiting-lists", status: "Enabled", filter: { prefix: "waiting/" }, expiration: { days: 7 } },
        { id: "expire-replaced-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 7 } },
      ],
    }, { parent: this });
    const noticeSound = new aws.s3.BucketObjectv2(`${name}-notice-sound`, {
      bucket: this.fragmentsBucket.bucket.id,
      key: NOTICE_SOUND_KEY,
      // Relative to the working directory (the project root under Pulumi): no machine's own path in the state.
      source: new pulumi.asset.FileAsset(path.relative(process.cwd(), args.noticeSoundFile ?? DEFAULT_NOTICE_SOUND_FILE)),
      contentType: "audio/mpeg",
      tags,
    }, { parent: this });

    const voices = Object.fromEntries(Object.entries(args.voices).map(([lang, v]) => [lang, {
      voiceId: v.voiceId, engine: v.engine ?? "neural", ...(v.languageCode ? { languageCode: v.languageCode } : {}), noticeText: v.noticeText,
    }]));
    this.narrate = new NodeFunction(`${name}-narrate`, {
      source: "narrate-article",
      description: "Narrates saved article versions: Polly for new fragments only, ordered manifest",
      environment: { FRAGMENTS_BUCKET: args.fragmentsBucketName, VOICES: JSON.stringify(voices) },
      policyStatements: narrateRoleStatements({ fragmentsBucketArn: fragmentsArn, deadLetterQueueArn: this.deadLetterQueue.arn }),
      timeoutSeconds: 60,
      memoryMb: 256,
      logRetentionDays: retention,
      tags,
    }, { parent: this });
    new aws.lambda.FunctionEventInvokeConfig(`${name}-narrate-failures`, {
      functionName: this.narrate.functionName,
      maximumRetryAttempts: 2,
      destinationConfig: { onFailure: { destination: this.deadLetterQueue.arn } },
    }, { parent: this });
    new aws.lambda.Permission(`${name}-narrate-from-topic`, {
      function: this.narrate.functionName,
      action: "lambda:InvokeFunction",
      principal: "sns.amazonaws.com",
      sourceArn: this.topic.arn,
    }, { parent: this });
    new aws.sns.TopicSubscription(`${name}-narrate-subscription`, {
      topic: this.topic.arn,
      protocol: "lambda",
      endpoint: this.narrate.arn,
      redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: this.deadLetterQueue.arn }),
    }, { parent: this });

    // Delivery: the paywall at the edge, then the distribution, then the key and bucket that trust it.
    this.paywall = new EdgeFunction(`${name}-paywall`, {
      source: "narration-paywall",
      functionName: `mlz-${name}-paywall`,
      accountId: args.accountId,
      partition,
      buildConfig: {
        MLZ_PAYWALL_CONFIG: JSON.stringify({
          publicKeyPem: args.subscriberTokens.publicKeyPem,
          algorithm: args.subscriberTokens.algorithm,
          audience: args.subscriberTokens.audience,
          ...(args.subscriberTokens.issuer ? { issuer: args.subscriberTokens.issuer } : {}),
          cookieName: args.subscriberTokens.cookieName ?? "mlz_subscriber",
          clockToleranceSeconds: 5,
        }),
      },
      description: "Narration paywall: premium full audio only with a valid subscriber token",
      tags,
    }, { parent: this, provider: args.edgeProvider });

    const oac = new aws.cloudfront.OriginAccessControl(`${name}-oac`, {
      name: `${name}-audio-${args.region}`.slice(0, 64),
      description: `Narration audio bucket ${args.audioBucketName}`,
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    }, { parent: this });
    this.distribution = new aws.cloudfront.Distribution(`${name}-cdn`, {
      enabled: true,
      isIpv6Enabled: true,
      httpVersion: "http2and3",
      comment: `Narrated articles (${args.audioBucketName})`,
      aliases: args.domainNames,
      priceClass: args.priceClass ?? "PriceClass_100",
      origins: [{
        originId: "audio",
        domainName: `${args.audioBucketName}.s3.${args.region}.amazonaws.com`,
        originAccessControlId: oac.id,
        s3OriginConfig: { originAccessIdentity: "" },
      }],
      defaultCacheBehavior: {
        targetOriginId: "audio",
        viewerProtocolPolicy: "https-only",
        allowedMethods: ["GET", "HEAD"],
        cachedMethods: ["GET", "HEAD"],
        compress: false,
        cachePolicyId: CACHING_OPTIMIZED_POLICY_ID,
        lambdaFunctionAssociations: [{ eventType: "viewer-request", lambdaArn: this.paywall.qualifiedArn, includeBody: false }],
      },
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: { acmCertificateArn: args.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
      tags,
    }, { parent: this });

    this.audioKey = new aws.kms.Key(`${name}-audio-key`, {
      description: `Narration audio (${args.audioBucketName}), decrypted by its CloudFront distribution`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policyJson(policyDocument(audioKeyStatements({ accountId: args.accountId, partition, distributionArn: this.distribution.arn }))),
      tags,
    }, { parent: this });

    this.ffmpegLayer = new FfmpegLayer(`${name}-ffmpeg`, { architecture: args.mergeArchitecture ?? "x86_64", layerName: `mlz-${name}-ffmpeg` }, { parent: this });
    this.merge = new NodeFunction(`${name}-merge`, {
      source: "merge-narration",
      description: "Merges narration fragments with FFmpeg into full and teaser audio, once per version",
      architecture: args.mergeArchitecture ?? "x86_64",
      layers: [this.ffmpegLayer.arn],
      environment: {
        FRAGMENTS_BUCKET: args.fragmentsBucketName,
        AUDIO_BUCKET: args.audioBucketName,
        NOTICE_SOUND_KEY,
        FFMPEG_PATH: this.ffmpegLayer.ffmpegPath,
      },
      policyStatements: mergeRoleStatements({
        fragmentsBucketArn: fragmentsArn, audioBucketArn: audioArn, audioKeyArn: this.audioKey.arn, region: args.region, deadLetterQueueArn: this.deadLetterQueue.arn,
      }),
      memoryMb: args.mergeMemoryMb ?? 1024,
      timeoutSeconds: args.mergeTimeoutSeconds ?? 300,
      logRetentionDays: retention,
      tags,
    }, { parent: this });
    new aws.lambda.FunctionEventInvokeConfig(`${name}-merge-failures`, {
      functionName: this.merge.functionName,
      maximumRetryAttempts: 2,
      destinationConfig: { onFailure: { destination: this.deadLetterQueue.arn } },
    }, { parent: this });
    const mergePermission = new aws.lambda.Permission(`${name}-merge-from-bucket`, {
      function: this.merge.functionName,
      action: "lambda:InvokeFunction",
      principal: "s3.amazonaws.com",
      sourceArn: this.fragmentsBucket.arn,
      sourceAccount: args.accountId,
    }, { parent: this });
    new aws.s3.BucketNotification(`${name}-fragments-events`, {
      bucket: this.fragmentsBucket.bucket.id,
      lambdaFunctions: [
        { id: "manifest-written", lambdaFunctionArn: this.merge.arn, events: ["s3:ObjectCreated:*"], filterPrefix: "latest/", filterSuffix: ".json" },
        { id: "fragment-written", lambdaFunctionArn: this.merge.arn, events: ["s3:ObjectCreated:*"], filterPrefix: "fragments/", filterSuffix: ".mp3" },
      ],
    }, { parent: this, dependsOn: [mergePermission, noticeSound] });

    this.audioBucket = new SecureBucket(`${name}-audio`, {
      bucketName: args.audioBucketName,
      kmsKeyArn: this.audioKey.arn,
      forceDestroy: args.forceDestroy ?? false,
      policyStatements: audioBucketStatements({ bucketArn: audioArn, distributionArn: this.distribution.arn, mergeRoleArn: this.merge.roleArn }),
      tags,
    }, { parent: this });

    this.topicArn = this.topic.arn;
    this.distributionDomainName = this.distribution.domainName;
    this.registerOutputs({
      topic: this.topic,
      deadLetterQueue: this.deadLetterQueue,
      fragmentsBucket: this.fragmentsBucket,
      audioBucket: this.audioBucket,
      audioKey: this.audioKey,
      narrate: this.narrate,
      merge: this.merge,
      ffmpegLayer: this.ffmpegLayer,
      paywall: this.paywall,
      distribution: this.distribution,
      topicArn: this.topicArn,
      distributionDomainName: this.distributionDomainName,
    });
  }
}
