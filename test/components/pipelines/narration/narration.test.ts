import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import { ofType, only, parseJsonInput, recordProgram } from "../../../helpers/pulumi";
import { createSimulator } from "../../../../plan/simulated-aws";
import { ArticleNarration, CACHING_OPTIMIZED_POLICY_ID, validateArticleNarrationArgs, type ArticleNarrationArgs } from "../../../../components/pipelines/narration/narration";
import { assertGrants } from "../../../helpers/iam";

const ACCOUNT = "555555555555";
const PEM = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END PUBLIC KEY-----";

function program(overrides: Partial<ArticleNarrationArgs> = {}) {
  return () => {
    const provider = new aws.Provider("account", { region: "eu-central-1", allowedAccountIds: [ACCOUNT] });
    const edgeProvider = new aws.Provider("account-us-east-1", { region: "us-east-1", allowedAccountIds: [ACCOUNT] });
    return new ArticleNarration("narration", {
      fragmentsBucketName: "example-news-qa-narration-fragments",
      audioBucketName: "example-news-qa-narration-audio",
      accountId: ACCOUNT,
      region: "eu-central-1",
      publisherArns: [`arn:aws:iam::${ACCOUNT}:role/cms-publisher`],
      voices: { en: { voiceId: "Joanna", noticeText: "Subscribe to listen on." }, de: { voiceId: "Vicki", engine: "neural", noticeText: "Abonnieren Sie, um weiterzuhören." } },
      domainNames: ["listen.qa.example-news.com"],
      certificateArn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`,
      subscriberTokens: { publicKeyPem: PEM, algorithm: "RS256", audience: "listen.example-news.com" },
      edgeProvider,
      ...overrides,
    }, { provider });
  };
}

const record = (overrides: Partial<ArticleNarrationArgs> = {}) =>
  recordProgram(program(overrides), { simulator: createSimulator({ stackOutputs: () => undefined, defaultAccount: ACCOUNT }, "ml-landing-zone", "qa").simulator });

describe("ArticleNarration", () => {
  it("ingests through a topic only the publishers may publish to, with a dead-letter queue", async () => {
    const { resources } = await record();
    const topic = only(resources, "aws:sns/topic:Topic");
    const topicArn = topic.outputs.arn;
    assert.equal(topicArn, `arn:aws:sns:eu-central-1:${ACCOUNT}:narration-articles`);
    const policy = parseJsonInput(only(resources, "aws:sns/topicPolicy:TopicPolicy"), "policy");
    assertGrants(policy.Statement, [
      { Effect: "Allow", Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:role/cms-publisher`] }, Action: "sns:Publish", Resource: topicArn },
      { Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: topicArn, Condition: { ArnNotEquals: { "aws:PrincipalArn": [`arn:aws:iam::${ACCOUNT}:role/cms-publisher`] } } },
      { Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: topicArn, Condition: { Bool: { "aws:SecureTransport": "false" } } },
    ]);
    const queue = only(resources, "aws:sqs/queue:Queue");
    const sub = only(resources, "aws:sns/topicSubscription:TopicSubscription");
    assert.equal(sub.inputs.protocol, "lambda");
    assert.equal(sub.inputs.endpoint, `arn:aws:lambda:eu-central-1:${ACCOUNT}:function:${only(resources, "aws:lambda/function:Function", "narration-narrate-function").outputs.name}`);
    assert.deepEqual(JSON.parse(String(sub.inputs.redrivePolicy)), { deadLetterTargetArn: queue.outputs.arn });
    const qp = parseJsonInput(only(resources, "aws:sqs/queuePolicy:QueuePolicy"), "policy");
    assert.deepEqual(qp.Statement[0].Condition, { ArnEquals: { "aws:SourceArn": topicArn } });
    for (const cfg of ofType(resources, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")) {
      assert.deepEqual((cfg.inputs.destinationConfig as any).onFailure, { destination: queue.outputs.arn });
    }
  });

  it("gives narrate exactly its permissions and its voices", async () => {
    const { resources } = await record();
    const fn = only(resources, "aws:lambda/function:Function", "narration-narrate-function");
    const env = (fn.inputs.environment as any).variables;
    assert.equal(env.FRAGMENTS_BUCKET, "example-news-qa-narration-fragments");
    assert.deepEqual(JSON.parse(env.VOICES), {
      en: { voiceId: "Joanna", engine: "neural", noticeText: "Subscribe to listen on." },
      de: { voiceId: "Vicki", engine: "neural", noticeText: "Abonnieren Sie, um weiterzuhören." },
    });
    const doc = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "narration-narrate-permissions"), "policy");
    const b = "arn:aws:s3:::example-news-qa-narration-fragments";
    assert.deepEqual(doc.Statement.slice(1).map((s: any) => [s.Action, s.Resource]), [
      ["s3:ListBucket", b],
      ["s3:GetObject", `${b}/latest/*`],
      ["s3:PutObject", [`${b}/claims/*`, `${b}/waiting/*`, `${b}/latest/*`]],
      ["s3:DeleteObject", `${b}/claims/*`],
      ["polly:StartSpeechSynthesisTask", "*"],
      ["s3:PutObject", `${b}/fragments/*`],
      ["sqs:SendMessage", only(resources, "aws:sqs/queue:Queue").outputs.arn],
    ]);
  });

  it("merges with FFmpeg from a layer of the function's architecture, on manifest and fragment events", async () => {
    const { resources } = await record();
    const layer = only(resources, "aws:lambda/layerVersion:LayerVersion");
    assert.deepEqual(layer.inputs.compatibleArchitectures, ["x86_64"]);
    const fn = only(resources, "aws:lambda/function:Function", "narration-merge-function");
    assert.deepEqual(fn.inputs.architectures, ["x86_64"]);
    assert.deepEqual(fn.inputs.layers, [layer.outputs.arn]);
    assert.equal((fn.inputs.environment as any).variables.FFMPEG_PATH, "/opt/bin/ffmpeg");
    const n = only(resources, "aws:s3/bucketNotification:BucketNotification");
    assert.deepEqual((n.inputs.lambdaFunctions as any[]).map((l) => [l.filterPrefix, l.filterSuffix, l.events, l.lambdaFunctionArn]), [
      ["latest/", ".json", ["s3:ObjectCreated:*"], fn.outputs.arn],
      ["fragments/", ".mp3", ["s3:ObjectCreated:*"], fn.outputs.arn],
    ]);
    const perm = only(resources, "aws:lambda/permission:Permission", "narration-merge-from-bucket");
    assert.deepEqual([perm.inputs.principal, perm.inputs.sourceArn, perm.inputs.sourceAccount], ["s3.amazonaws.com", "arn:aws:s3:::example-news-qa-narration-fragments", ACCOUNT]);
    const sound = only(resources, "aws:s3/bucketObjectv2:BucketObjectv2");
    assert.equal(sound.inputs.key, "assets/notice-sound.mp3");
  });

  it("delivers through CloudFront with OAC, HTTPS only, TLS 1.2 and the paywall's numbered version", async () => {
    const { resources } = await record();
    const d = only(resources, "aws:cloudfront/distribution:Distribution");
    const oac = only(resources, "aws:cloudfront/originAccessControl:OriginAccessControl");
    assert.deepEqual(d.inputs.origins, [{ originId: "audio", domainName: "example-news-qa-narration-audio.s3.eu-central-1.amazonaws.com", originAccessControlId: oac.id, s3OriginConfig: { originAccessIdentity: "" } }]);
    const behavior = d.inputs.defaultCacheBehavior as any;
    assert.equal(behavior.viewerProtocolPolicy, "https-only");
    assert.equal(behavior.cachePolicyId, CACHING_OPTIMIZED_POLICY_ID);
    const edge = only(resources, "aws:lambda/function:Function", "narration-paywall-function");
    assert.deepEqual(behavior.lambdaFunctionAssociations, [{ eventType: "viewer-request", lambdaArn: `${edge.outputs.arn}:1`, includeBody: false }]);
    assert.deepEqual(d.inputs.viewerCertificate, { acmCertificateArn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" });
    assert.deepEqual([oac.inputs.originAccessControlOriginType, oac.inputs.signingBehavior, oac.inputs.signingProtocol], ["s3", "always", "sigv4"]);
  });

  it("deploys the paywall in us-east-1 by Lambda@Edge's rules, its key built in", async () => {
    const { resources } = await record();
    const edge = only(resources, "aws:lambda/function:Function", "narration-paywall-function");
    assert.match(edge.provider!, /account-us-east-1::/);
    assert.equal(edge.outputs.arn, `arn:aws:lambda:us-east-1:${ACCOUNT}:function:mlz-narration-paywall`);
    assert.deepEqual([edge.inputs.publish, edge.inputs.architectures, edge.inputs.memorySize, edge.inputs.timeout], [true, ["x86_64"], 128, 5]);
    assert.equal(edge.inputs.environment, undefined);
    assert.equal(edge.inputs.layers, undefined);
    const role = only(resources, "aws:iam/role:Role", "narration-paywall-role");
    assert.match(role.provider!, /account-us-east-1::/);
    assert.deepEqual(parseJsonInput(role, "assumeRolePolicy").Statement[0].Principal, { Service: ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] });
    const logs = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "narration-paywall-permissions"), "policy");
    assert.deepEqual(logs.Statement[0].Resource, [`arn:aws:logs:*:${ACCOUNT}:log-group:/aws/lambda/us-east-1.mlz-narration-paywall:*`]);
    // Everything else stays in the stack's region.
    assert.match(only(resources, "aws:lambda/function:Function", "narration-merge-function").provider!, /::account::/);
  });

  it("lets only this distribution read the audio, decrypting with its own key", async () => {
    const { resources } = await record();
    const d = only(resources, "aws:cloudfront/distribution:Distribution");
    const mergeRole = only(resources, "aws:iam/role:Role", "narration-merge-role");
    const bp = ofType(resources, "aws:s3/bucketPolicy:BucketPolicy").map((p) => parseJsonInput(p, "policy")).find((p) => p.Statement.length === 3)!;
    const a = "arn:aws:s3:::example-news-qa-narration-audio";
    assertGrants(bp.Statement.slice(1), [
      { Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: [`${a}/free/*`, `${a}/premium/*`], Condition: { StringEquals: { "AWS:SourceArn": d.outputs.arn } } },
      { Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: `${a}/*`, Condition: { StringNotEquals: { "AWS:SourceArn": d.outputs.arn }, ArnNotEquals: { "aws:PrincipalArn": mergeRole.outputs.arn } } },
    ]);
    const key = only(resources, "aws:kms/key:Key");
    assertGrants([parseJsonInput(key, "policy").Statement[1]], [{ Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "AWS:SourceArn": d.outputs.arn } } }]);
    const sse = ofType(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").find((s) => s.inputs.bucket === "example-news-qa-narration-audio")!;
    assert.equal((sse.inputs.rules as any[])[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, key.outputs.arn);
  });

  it("validates its args before declaring anything", () => {
    const ok: ArticleNarrationArgs = {
      fragmentsBucketName: "a-fragments", audioBucketName: "a-audio", accountId: ACCOUNT, region: "eu-central-1",
      publisherArns: [`arn:aws:iam::${ACCOUNT}:role/cms`], voices: { en: { voiceId: "Joanna", noticeText: "x" } },
      domainNames: ["listen.example.com"], certificateArn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/8a2d3c4f-1e5b-4d6a-8b7c-9d0e1f2a3b4c`,
      subscriberTokens: { publicKeyPem: PEM, algorithm: "RS256", audience: "a" }, edgeProvider: undefined as any,
    };
    assert.doesNotThrow(() => validateArticleNarrationArgs(ok));
    const cases: [Partial<ArticleNarrationArgs>, RegExp][] = [
      [{ audioBucketName: "Bad_Name" }, /\[audioBucketName\] must be a bucket name/],
      [{ audioBucketName: "a-fragments" }, /\[audioBucketName\] must differ/],
      [{ publisherArns: [] }, /\[publisherArns\] must name at least one/],
      [{ publisherArns: [`arn:aws:iam::${ACCOUNT}:root`] }, /\[publisherArns\] must hold IAM role or user ARNs/],
      [{ voices: {} }, /\[voices\] must configure at least one language/],
      [{ voices: { en: { voiceId: "Joanna", engine: "turbo" as any, noticeText: "x" } } }, /\[voices\.en\.engine\] must be one of neural/],
      [{ domainNames: [] }, /\[domainNames\] must name at least one domain/],
      [{ certificateArn: `arn:aws:acm:eu-central-1:${ACCOUNT}:certificate/8a2d3c4f-1e5b-4d6a-8b7c-9d0e1f2a3b4c` }, /\[certificateArn\] must be an ACM certificate ARN in us-east-1/],
      [{ certificateArn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/abc-123` }, /\[certificateArn\] must be an ACM certificate ARN in us-east-1/],
      [{ subscriberTokens: { publicKeyPem: "-----BEGIN PRIVATE KEY-----", algorithm: "RS256", audience: "a" } }, /publicKeyPem\] must be an SPKI PEM/],
    ];
    for (const [change, message] of cases) assert.throws(() => validateArticleNarrationArgs({ ...ok, ...change }), message);
  });
});
