import { strict as assert } from "node:assert";
import { parseStackConfig, readStackFile, ConfigError } from "../../../stacks/config";

const qa = () => readStackFile("qa").values;

describe("translation config (workload stacks)", () => {
  it("the example qa stack turns translation on with defaults filled in", () => {
    const c = parseStackConfig(qa(), "stacks/Pulumi.qa.yaml");
    assert.equal(c.role, "workload");
    assert.deepEqual((c as any).translation, {
      bucketName: "example-mlz-qa-translate", inputPrefix: "translate/input/", outputPrefix: "translate/output/",
      sourceLanguage: "auto", targetLanguages: ["de", "fr", "es"], maxConcurrency: 4, forceDestroy: false,
    });
  });

  it("refuses a target Translate cannot mask profanity in, naming file and key, before any resource", () => {
    const values = { ...qa(), translation: JSON.stringify({ bucketName: "example-mlz-qa-translate", targetLanguages: ["de", "vi"] }) };
    assert.throws(() => parseStackConfig(values, "stacks/Pulumi.qa.yaml"), (e: ConfigError) =>
      e instanceof ConfigError && /^stacks\/Pulumi\.qa\.yaml: ml-landing-zone:translation\.targetLanguages\.1: target language 'vi' \(Vietnamese\) is refused: Amazon Translate cannot mask profanity/.test(e.message));
  });

  it("refuses an unknown source language and a bad prefix", () => {
    const values = { ...qa(), translation: JSON.stringify({ bucketName: "example-mlz-qa-translate", targetLanguages: ["de"], sourceLanguage: "klingon", inputPrefix: "in" }) };
    assert.throws(() => parseStackConfig(values, "stacks/Pulumi.qa.yaml"), (e: ConfigError) =>
      /ml-landing-zone:translation\.inputPrefix: expected an S3 key prefix/.test(e.message) && /ml-landing-zone:translation\.sourceLanguage: source language 'klingon' is not a language Amazon Translate supports/.test(e.message));
  });
});
