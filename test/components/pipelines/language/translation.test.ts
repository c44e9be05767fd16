import { strict as assert } from "node:assert";
import { only, ofType, parseJsonInput, recordProgram } from "../../../helpers/pulumi";
import { TranslationPipeline, validateTranslationArgs, type TranslationPipelineArgs } from "../../../../components/pipelines/language/translation";
import { dataAccessStatements } from "../../../../components/pipelines/language/policies";
import { assertGrants, statementNaming } from "../../../helpers/iam";

const ACCOUNT = "555555555555";
const ARGS: TranslationPipelineArgs = {
  accountId: ACCOUNT,
  region: "us-east-1",
  bucketName: "example-mlz-qa-translate",
  targetLanguages: ["de", "fr"],
  alarmTopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:mlz-alarms`,
};

describe("TranslationPipeline", () => {
  it("validates before declaring: masking-unsupported targets, same language, overlapping prefixes", () => {
    assert.throws(() => validateTranslationArgs({ ...ARGS, targetLanguages: ["de", "vi"] }), /\[targetLanguages\] 'vi' \(Vietnamese\) is refused: Amazon Translate cannot mask profanity/);
    assert.throws(() => validateTranslationArgs({ ...ARGS, sourceLanguage: "fr" }), /holds the source language 'fr'/);
    assert.throws(() => validateTranslationArgs({ ...ARGS, inputPrefix: "t/", outputPrefix: "t/out/" }), /must not contain each other/);
    assert.throws(() => validateTranslationArgs({ ...ARGS, targetLanguages: [] }), /\[targetLanguages\] must hold 1 to 10/);
    assert.deepEqual(validateTranslationArgs(ARGS), { inputPrefix: "translate/input/", outputPrefix: "translate/output/", source: "auto", targets: ["de", "fr"] });
  });

  it("declares the functions, the prefix-scoped data-access role, the notification and the failure surfacing", async () => {
    const { resources } = await recordProgram(() => new TranslationPipeline("translation", ARGS));
    const comp = only(resources, "mlz:pipelines:TranslationPipeline", "translation");

    const role = only(resources, "aws:iam/role:Role", "translation-data-access");
    assert.equal(role.parent, comp.urn);
    assert.deepEqual(parseJsonInput(role, "assumeRolePolicy").Statement, [{
      Effect: "Allow", Principal: { Service: "translate.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
    }]);
    const perms = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "translation-data-access-permissions"), "policy").Statement;
    const bucketArn = "arn:aws:mock:us-east-1:123456789012:bucket/translation-documents-bucket";
    const keyArn = "arn:aws:mock:us-east-1:123456789012:key/translation-key";
    assertGrants(perms, [
      { Effect: "Allow", Action: "s3:GetObject", Resource: [`${bucketArn}/translate/input/*`] },
      { Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn, Condition: { StringLike: { "s3:prefix": ["translate/input/*"] } } },
      { Effect: "Allow", Action: "s3:PutObject", Resource: `${bucketArn}/translate/output/*` },
      { Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], Resource: keyArn },
      { Effect: "Allow", Action: "kms:CreateGrant", Resource: keyArn, Condition: { Bool: { "kms:GrantIsForAWSResource": true } } },
    ]);

    const fns = ofType(resources, "aws:lambda/function:Function");
    assert.deepEqual(fns.map((f) => f.name).sort(), ["translation-batch-function", "translation-text-function"]);
    const batch = only(resources, "aws:lambda/function:Function", "translation-batch-function");
    assert.deepEqual((batch.inputs.environment as any).variables, {
      BUCKET: "example-mlz-qa-translate",
      INPUT_PREFIX: "translate/input/",
      OUTPUT_PREFIX: "translate/output/",
      DATA_ACCESS_ROLE_ARN: "arn:aws:mock:us-east-1:123456789012:role/translation-data-access",
      SOURCE_LANGUAGE: "auto",
      TARGET_LANGUAGES: "de,fr",
      OUTPUT_KMS_KEY_ARN: keyArn,
    });
    const batchPolicy = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "translation-batch-permissions"), "policy").Statement;
    assertGrants([statementNaming(batchPolicy, "iam:PassRole")], [{
      Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:mock:us-east-1:123456789012:role/translation-data-access",
      Condition: { StringEquals: { "iam:PassedToService": "translate.amazonaws.com" } },
    }]);

    const invoke = parseJsonInput(only(resources, "aws:iam/policy:Policy", "translation-invoke"), "policy").Statement;
    assertGrants(invoke, [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: "arn:aws:mock:us-east-1:123456789012:function/translation-text-function" }]);
    assert.equal(ofType(resources, "aws:lambda/functionUrl:FunctionUrl").length, 0, "no Function URL: direct invocation only");

    const notification = only(resources, "aws:s3/bucketNotification:BucketNotification", "translation-notification");
    assert.deepEqual(notification.inputs.lambdaFunctions, [{ lambdaFunctionArn: "arn:aws:mock:us-east-1:123456789012:function/translation-batch-function", events: ["s3:ObjectCreated:*"], filterPrefix: "translate/input/" }]);
    assert.ok(notification.dependencies.includes(only(resources, "aws:lambda/permission:Permission", "translation-batch-from-s3").urn));

    const rule = only(resources, "aws:cloudwatch/eventRule:EventRule", "translation-failed-jobs");
    assert.deepEqual(JSON.parse(String(rule.inputs.eventPattern)), {
      source: ["aws.translate"], "detail-type": ["Translate TextTranslationJob State Change"], detail: { jobStatus: ["FAILED", "COMPLETED_WITH_ERROR", "STOPPED"] },
    });
    assert.equal(only(resources, "aws:cloudwatch/logGroup:LogGroup", "translation-failed-jobs").inputs.name, "/aws/events/mlz-translation-failed-jobs");
    const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.deepEqual(alarms.map((a) => [a.name, a.inputs.namespace, a.inputs.metricName, a.inputs.alarmActions]).sort(), [
      ["translation-batch-errors-alarm", "AWS/Lambda", "Errors", [ARGS.alarmTopicArn]],
      ["translation-failed-jobs-alarm", "AWS/Events", "TriggeredRules", [ARGS.alarmTopicArn]],
    ]);
    for (const r of resources.filter((x) => x.type !== "mlz:pipelines:TranslationPipeline" && x.name.startsWith("translation"))) {
      assert.ok(r.parent, `${r.type}/${r.name} has a parent`);
    }
  });

  it("data-access statements refuse wildcard or unterminated prefixes", () => {
    assert.throws(() => dataAccessStatements({ bucketArn: "arn:aws:s3:::b", readPrefixes: ["in/*/"], kmsKeyArn: "k" }), /without wildcards; got 'in\/\*\/'/);
    assert.throws(() => dataAccessStatements({ bucketArn: "arn:aws:s3:::b", readPrefixes: ["in"], kmsKeyArn: "k" }), /ending in '\/'/);
  });
});
