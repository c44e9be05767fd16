import { strict as assert } from "node:assert";
import { only, ofType, promiseOf, recordProgram } from "../../helpers/pulumi";
import { declareNarration, narrationConfigSchema } from "../../../stacks/parts/narration";
import { readStackConfigFile, type WorkloadConfig } from "../../../stacks/config";
import { exampleContext } from "./organization-fixtures";

const PEM = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n";
const MINIMAL = {
  fragmentsBucketName: "news-qa-fragments",
  audioBucketName: "news-qa-audio",
  publisherArns: ["arn:aws:iam::555555555555:role/cms"],
  voices: { en: { voiceId: "Joanna", noticeText: "Subscribe." } },
  domainNames: ["listen.example.com"],
  certificateArn: "arn:aws:acm:us-east-1:555555555555:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
  subscriberTokens: { publicKeyPem: PEM, algorithm: "ES256", audience: "listen" },
};

describe("narration part (workload stacks)", () => {
  it("documents its defaults and names bad keys", () => {
    assert.deepEqual(narrationConfigSchema.parse({}), {});
    const parsed = narrationConfigSchema.parse({ narration: MINIMAL }).narration!;
    assert.equal(parsed.voices.en.engine, "neural");
    assert.equal(parsed.subscriberTokens.cookieName, "mlz_subscriber");
    assert.deepEqual([parsed.mergeArchitecture, parsed.mergeMemoryMb, parsed.priceClass, parsed.forceDestroy], ["x86_64", 1024, "PriceClass_100", false]);
    const bad = (change: Record<string, unknown>) => narrationConfigSchema.safeParse({ narration: { ...MINIMAL, ...change } });
    assert.match(JSON.stringify(bad({ certificateArn: "arn:aws:acm:eu-west-1:555555555555:certificate/ab" }).error?.issues), /expected an ACM certificate ARN in us-east-1/);
    assert.match(JSON.stringify(bad({ publisherArns: ["arn:aws:iam::555555555555:root"] }).error?.issues), /expected an IAM role or user ARN/);
    assert.match(JSON.stringify(bad({ voices: { en: { voiceId: "Joanna", engine: "fast", noticeText: "x" } } }).error?.issues), /expected one of neural, standard, long-form, generative/);
    assert.match(JSON.stringify(bad({ subscriberTokens: { ...MINIMAL.subscriberTokens, algorithm: "HS256" } }).error?.issues), /algorithm/);
    assert.match(JSON.stringify(bad({ extra: 1 }).error?.issues), /extra/);
  });

  it("declares nothing without the key", async () => {
    const { result, resources } = await recordProgram(() => declareNarration(exampleContext("qa", "qa"), {}));
    assert.equal(result, undefined);
    assert.equal(ofType(resources, "mlz:pipelines:ArticleNarration").length, 0);
  });

  it("declares the pipeline with its own us-east-1 provider for the edge function, assuming the stack's deploy role", async () => {
    const { result, resources } = await recordProgram(() => declareNarration(exampleContext("qa", "qa"), narrationConfigSchema.parse({ narration: MINIMAL }), "mlz-deploy"));
    const edge = only(resources, "pulumi:providers:aws", "account-us-east-1");
    assert.equal(edge.inputs.region, "us-east-1");
    assert.deepEqual(JSON.parse(String(edge.inputs.assumeRoles)), [{ roleArn: "arn:aws:iam::555555555555:role/mlz-deploy", sessionName: "mlz-qa-edge" }]);
    assert.deepEqual(JSON.parse(String(edge.inputs.allowedAccountIds)), ["555555555555"]);
    assert.ok(only(resources, "aws:lambda/function:Function", "narration-paywall-function").provider!.startsWith(edge.urn));
    assert.ok(only(resources, "aws:sns/topic:Topic").provider!.startsWith(only(resources, "pulumi:providers:aws", "account").urn));
    assert.equal(await promiseOf(result!.narrationAudioBucket), "news-qa-audio");
  });

  it("takes the notice sound from config, relative to the project root, and refuses a missing file", async () => {
    const cfg = (file: string) => narrationConfigSchema.parse({ narration: { ...MINIMAL, noticeSoundFile: file } });
    await assert.rejects(recordProgram(() => declareNarration(exampleContext("qa", "qa"), cfg("assets/narration/missing.mp3"))),
      /qa: ml-landing-zone:narration\.noticeSoundFile: 'assets\/narration\/missing\.mp3' does not exist/);
    assert.match(JSON.stringify(narrationConfigSchema.safeParse({ narration: { ...MINIMAL, noticeSoundFile: "x.wav" } }).error?.issues), /expected the path of an \.mp3 file/);
  });

  it("is on in the example qa and prod stacks", () => {
    for (const stack of ["qa", "prod"]) {
      const cfg = readStackConfigFile(stack) as WorkloadConfig;
      assert.ok(cfg.narration, stack);
      assert.deepEqual(Object.keys(cfg.narration.voices).sort(), ["de", "en"]);
    }
  });
});
