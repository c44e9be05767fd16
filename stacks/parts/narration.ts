/**
 * Workload stacks (qa, prod): article narration (issue 13). The CMS publishes every saved article
 * version to an SNS topic; `narrate-article` sends Polly only the fragments never synthesized
 * before; `merge-narration` concatenates them with FFmpeg; CloudFront serves the audio with a
 * Lambda@Edge paywall. See components/pipelines/narration/narration.ts.
 *
 * Lambda@Edge functions must be created in us-east-1: this part declares its own explicit provider
 * for us-east-1 in the stack's account (assuming the same deploy role as the stack's provider),
 * whatever the stack's region. The organization's region guardrail must allow us-east-1.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { z } from "zod";
import type { StackContext } from "../context";
import { DEFAULT_DEPLOY_ROLE_NAME } from "../../components/naming";
import { CLOUDFRONT_CERTIFICATE_ARN, IAM_PRINCIPAL_ARN, roleArn } from "../../components/aws";
import { ArticleNarration, ENGINES } from "../../components/pipelines/narration/narration";
import { EDGE_REGION } from "../../components/lambda/edge-function";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

const bucketName = z.string({ error: "expected a bucket name" })
  .regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, { error: (i) => `expected 3-63 lowercase letters, digits or '-'; got '${String(i.input)}'` });

const voice = z.strictObject({
  /** Polly voice id, e.g. `Joanna` (en-US), `Vicki` (de-DE). */
  voiceId: z.string().regex(/^[A-Z][a-zA-Z]+$/, { error: (i) => `expected a Polly voice id such as 'Joanna'; got '${String(i.input)}'` }),
  /** Polly engine. Defaults to `neural`. */
  engine: z.enum(ENGINES, { error: (i) => `expected one of ${ENGINES.join(", ")}; got '${String(i.input)}'` }).default("neural"),
  /** Polly LanguageCode, only for bilingual voices. Defaults to the voice's language. */
  languageCode: z.string().regex(/^[a-z]{2,3}-[A-Z]{2}$/).optional(),
  /** The spoken notice ending a premium teaser ("subscribe to listen on"). */
  noticeText: z.string().min(1, { error: "expected the notice text" }).max(500),
});

/** Config keys of this part (`ml-landing-zone:narration` in `stacks/Pulumi.<qa|prod>.yaml`). */
export const narrationConfigSchema = z.object({
  /** Article narration. Defaults to none (nothing declared). */
  narration: z.strictObject({
    /** Bucket of Polly's fragments, claims, waiting lists and manifests; globally unique. Required. */
    fragmentsBucketName: bucketName,
    /** Bucket of the merged audio CloudFront serves; globally unique. Required. */
    audioBucketName: bucketName,
    /** IAM role or user ARNs of the CMS that may publish article versions. Required. */
    publisherArns: z.array(z.string().regex(IAM_PRINCIPAL_ARN, { error: (i) => `expected an IAM role or user ARN; got '${String(i.input)}'` })).min(1),
    /** Voice per article language (`en`, `de`, …). Required. */
    voices: z.record(z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { error: (i) => `expected a language code such as 'en'; got '${String(i.input)}'` }), voice)
      .refine((v) => Object.keys(v).length > 0, { error: "expected at least one language" }),
    /** Domain names of the distribution (covered by the certificate). Required. */
    domainNames: z.array(z.string()).min(1, { error: "expected at least one domain name" }),
    /** ACM certificate in us-east-1 for the domain names. Required. */
    certificateArn: z.string().regex(CLOUDFRONT_CERTIFICATE_ARN, { error: (i) => `expected an ACM certificate ARN in us-east-1; got '${String(i.input)}'` }),
    /** How the paywall verifies subscriber tokens. Required. */
    subscriberTokens: z.strictObject({
      /** The subscription service's public key (SPKI PEM; not a secret). */
      publicKeyPem: z.string().regex(/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/, { error: "expected an SPKI PEM public key (-----BEGIN PUBLIC KEY-----)" }),
      /** Signature algorithm of the tokens. */
      algorithm: z.enum(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]),
      /** Required `aud` claim. */
      audience: z.string().min(1),
      /** Required `iss` claim. Defaults to not checked. */
      issuer: z.string().min(1).optional(),
      /** Cookie that may carry the token (besides `Authorization: Bearer`). Defaults to `mlz_subscriber`. */
      cookieName: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default("mlz_subscriber"),
    }),
    /**
     * Architecture of the merge function and its FFmpeg layer. The layer's FFmpeg comes from the
     * registry package for that architecture (`@ffmpeg-installer/linux-x64` or `-arm64`), which
     * must be installed on the deploying machine; `npm ci` installs the one of the machine's own
     * architecture. Defaults to `x86_64`.
     */
    mergeArchitecture: z.enum(["x86_64", "arm64"]).default("x86_64"),
    /**
     * MP3 file (24 kHz, mono, like Polly's fragments, so it concatenates without re-encoding) played
     * between a premium teaser's first paragraph and the spoken notice; a path relative to the
     * project root. Defaults to `assets/narration/notice.mp3`.
     */
    noticeSoundFile: z.string().regex(/\.mp3$/, { error: (i) => `expected the path of an .mp3 file; got '${String(i.input)}'` }).optional(),
    /** Merge memory in MB (128–10240). Defaults to 1024. */
    mergeMemoryMb: z.number().int().min(128).max(10240).default(1024),
    /** CloudFront price class. Defaults to `PriceClass_100`. */
    priceClass: z.enum(["PriceClass_All", "PriceClass_200", "PriceClass_100"]).default("PriceClass_100"),
    /** Let `pulumi destroy` empty the buckets. Defaults to false. */
    forceDestroy: z.boolean().default(false),
  }).optional(),
});

export type NarrationConfig = z.infer<typeof narrationConfigSchema>;

export interface NarrationOutputs {
  narrationTopicArn: pulumi.Output<string>;
  narrationDistributionDomainName: pulumi.Output<string>;
  narrationAudioBucket: pulumi.Output<string>;
  narrationDeadLetterQueueUrl: pulumi.Output<string>;
}

/** The us-east-1 provider for Lambda@Edge, in the stack's account through the same deploy role. */
export function edgeProvider(ctx: StackContext, deployRoleName: string | undefined): aws.Provider {
  const assumeRoleName = process.env.MLZ_ASSUME_ROLE_NAME || deployRoleName || DEFAULT_DEPLOY_ROLE_NAME;
  return new aws.Provider("account-us-east-1", {
    region: EDGE_REGION,
    assumeRoles: [{ roleArn: roleArn(ctx.partition, ctx.accountId, assumeRoleName), sessionName: `mlz-${ctx.stack}-edge` }],
    allowedAccountIds: [ctx.accountId],
    defaultTags: { tags: ctx.tags },
  });
}

/** Declares the narration pipeline; returns undefined without `narration`. */
export function declareNarration(ctx: StackContext, cfg: NarrationConfig, deployRoleName?: string): NarrationOutputs | undefined {
  const n = cfg.narration;
  if (!n) return undefined;
  if (ctx.partition !== "aws") {
    throw new Error(`${ctx.stack}: ml-landing-zone:narration needs Lambda@Edge in us-east-1 (partition aws); this stack's region ${ctx.region} is in ${ctx.partition}`);
  }
  const noticeSoundFile = n.noticeSoundFile === undefined ? undefined : path.resolve(PROJECT_ROOT, n.noticeSoundFile);
  if (noticeSoundFile !== undefined && !fs.existsSync(noticeSoundFile)) {
    throw new Error(`${ctx.stack}: ml-landing-zone:narration.noticeSoundFile: '${n.noticeSoundFile}' does not exist (a path relative to the project root)`);
  }
  const narration = new ArticleNarration("narration", {
    fragmentsBucketName: n.fragmentsBucketName,
    audioBucketName: n.audioBucketName,
    accountId: ctx.accountId,
    region: ctx.region,
    partition: ctx.partition,
    publisherArns: n.publisherArns,
    voices: n.voices,
    noticeSoundFile,
    domainNames: n.domainNames,
    certificateArn: n.certificateArn,
    subscriberTokens: n.subscriberTokens,
    edgeProvider: edgeProvider(ctx, deployRoleName),
    mergeArchitecture: n.mergeArchitecture,
    mergeMemoryMb: n.mergeMemoryMb,
    priceClass: n.priceClass,
    forceDestroy: n.forceDestroy,
  }, { provider: ctx.provider });
  return {
    narrationTopicArn: narration.topicArn,
    narrationDistributionDomainName: narration.distributionDomainName,
    narrationAudioBucket: narration.audioBucket.bucketName,
    narrationDeadLetterQueueUrl: narration.deadLetterQueue.url,
  };
}
