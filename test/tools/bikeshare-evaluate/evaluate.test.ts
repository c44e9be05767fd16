import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { AddTagsCommand, SageMakerClient } from "@aws-sdk/client-sagemaker";
import { batchBodies, binaryMetrics, parsePredictions, splitHoldout } from "../../../tools/bikeshare-evaluate/core";
import { evaluateEndpoint, F1_TAG, f1TagValue, tagModelWithF1 } from "../../../tools/bikeshare-evaluate/evaluate";
import { SAGEMAKER_F1_TAG } from "../../../promotion/checks";
import { main, parseArgs } from "../../../tools/bikeshare-evaluate/cli";

const enc = (s: string) => new TextEncoder().encode(s) as any;

// Real processed rows (February 2019) with the target in the MIDDLE, to prove removal by name.
const HOLDOUT = [
  "duration_sec,bike_share_for_all_trip,start_station_name,user_type,day_of_week,part_of_day",
  '52185,No,"Montgomery St BART Station (Market St at 2nd St)",Customer,3,afternoon',
  '1585,Yes,"Townsend St at 7th St, Lot B",Subscriber,3,night',
  "458,Yes,Webster St at O'Farrell St,Subscriber,3,night",
  "36490,No,Grove St at Masonic Ave,Subscriber,3,afternoon",
  "75284,No,Mission Dolores Park,Subscriber,2,night",
  "",
].join("\n");

describe("bikeshare-evaluate", () => {
  describe("metrics", () => {
    it("computes accuracy, precision, recall, F1 and the confusion matrix on known values", () => {
      // TP=3, FN=1, FP=2, TN=4
      const actual = ["Yes", "Yes", "Yes", "Yes", "No", "No", "No", "No", "No", "No"];
      const predicted = ["Yes", "Yes", "Yes", "No", "Yes", "Yes", "No", "No", "No", "No"];
      const m = binaryMetrics(actual, predicted);
      assert.deepEqual(m.confusionMatrix, { truePositive: 3, falsePositive: 2, falseNegative: 1, trueNegative: 4 });
      assert.equal(m.rows, 10);
      assert.equal(m.accuracy, 0.7);
      assert.equal(m.precision, 0.6);
      assert.equal(m.recall, 0.75);
      assert.equal(m.f1, 6 / 9); // 2·3 / (2·3 + 2 + 1)
    });

    it("gives 0 where a denominator is 0, and refuses labels other than Yes/No", () => {
      const m = binaryMetrics(["No", "Yes"], ["No", "No"]);
      assert.deepEqual([m.precision, m.recall, m.f1, m.accuracy], [0, 0, 0, 0.5]);
      assert.throws(() => binaryMetrics(["Yes"], ["yes"]), { message: "prediction of row 1 must be 'Yes' or 'No'; got 'yes'" });
      assert.throws(() => binaryMetrics(["Yes"], []), { message: "got 0 predictions for 1 rows" });
    });
  });

  describe("holdout and batches", () => {
    it("removes the target column by name, wherever it is", () => {
      const h = splitHoldout(HOLDOUT);
      assert.deepEqual(h.featureColumns, ["duration_sec", "start_station_name", "user_type", "day_of_week", "part_of_day"]);
      assert.deepEqual(h.labels, ["No", "Yes", "Yes", "No", "No"]);
      assert.deepEqual(h.features[1], ["1585", "Townsend St at 7th St, Lot B", "Subscriber", "3", "night"]);
      assert.throws(() => splitHoldout("a,b\n1,2\n"), { message: "holdout has no 'bike_share_for_all_trip' column (columns: a, b)" });
      assert.throws(() => splitHoldout("a,bike_share_for_all_trip\n"), { message: "holdout has no data rows" });
    });

    it("batches rows as header-less CSV by row count and bytes", () => {
      const h = splitHoldout(HOLDOUT);
      const b = batchBodies(h.features, 2);
      assert.deepEqual(b.map((x) => x.rows), [2, 2, 1]);
      assert.equal(b[0].body, '52185,Montgomery St BART Station (Market St at 2nd St),Customer,3,afternoon\n1585,"Townsend St at 7th St, Lot B",Subscriber,3,night\n');
      const bytes = batchBodies(h.features, 100, 120);
      assert.ok(bytes.every((x) => Buffer.byteLength(x.body) <= 120));
      assert.equal(bytes.reduce((s, x) => s + x.rows, 0), 5);
      assert.throws(() => batchBodies(h.features, 100, 10), { message: "holdout row 1 is 76 bytes, more than a request may hold (10)" });
    });

    it("parses predictions from the first field of each line", () => {
      assert.deepEqual(parsePredictions("Yes,0.91\nNo,0.12\n", 2), ["Yes", "No"]);
      assert.throws(() => parsePredictions("Yes\n", 2), { message: "endpoint answered 1 predictions for 2 rows" });
    });
  });

  describe("evaluateEndpoint against aws-sdk-client-mock", () => {
    // Created in before() and restored in after(): other test files mock the same client.
    let sm: AwsClientStub<SageMakerRuntimeClient>;
    before(() => { sm = mockClient(SageMakerRuntimeClient); });
    after(() => sm.restore());
    afterEach(() => sm.reset());

    it("sends exact InvokeEndpoint requests in batches and reports the metrics", async () => {
      sm.on(InvokeEndpointCommand).resolvesOnce({ Body: enc("Yes\nYes\n"), ContentType: "text/csv" })
        .resolvesOnce({ Body: enc("No\nYes\n") })
        .resolvesOnce({ Body: enc("No\n") });
      const report = await evaluateEndpoint({ client: new SageMakerRuntimeClient({ region: "us-east-1" }), endpointName: "mlz-bikeshare-classifier-20261101", holdoutCsv: HOLDOUT, batchRows: 2 });
      const calls = sm.commandCalls(InvokeEndpointCommand);
      assert.deepEqual(calls.map((c) => c.args[0].input), [
        {
          EndpointName: "mlz-bikeshare-classifier-20261101",
          ContentType: "text/csv",
          Accept: "text/csv",
          Body: '52185,Montgomery St BART Station (Market St at 2nd St),Customer,3,afternoon\n1585,"Townsend St at 7th St, Lot B",Subscriber,3,night\n',
        },
        {
          EndpointName: "mlz-bikeshare-classifier-20261101",
          ContentType: "text/csv",
          Accept: "text/csv",
          Body: "458,Webster St at O'Farrell St,Subscriber,3,night\n36490,Grove St at Masonic Ave,Subscriber,3,afternoon\n",
        },
        {
          EndpointName: "mlz-bikeshare-classifier-20261101",
          ContentType: "text/csv",
          Accept: "text/csv",
          Body: "75284,Mission Dolores Park,Subscriber,2,night\n",
        },
      ]);
      // actual No,Yes,Yes,No,No vs predicted Yes,Yes,No,Yes,No → TP1 FP2 FN1 TN1
      assert.deepEqual(report, {
        endpointName: "mlz-bikeshare-classifier-20261101",
        positiveLabel: "Yes",
        batches: 3,
        featureColumns: ["duration_sec", "start_station_name", "user_type", "day_of_week", "part_of_day"],
        rows: 5,
        accuracy: 0.4,
        precision: 1 / 3,
        recall: 0.5,
        f1: 0.4,
        confusionMatrix: { truePositive: 1, falsePositive: 2, falseNegative: 1, trueNegative: 1 },
      });
    });

    it("surfaces an endpoint error and a wrong prediction count", async () => {
      sm.on(InvokeEndpointCommand).rejects(new Error("Endpoint mlz-x of account 444444444444 not found."));
      await assert.rejects(
        evaluateEndpoint({ client: new SageMakerRuntimeClient({ region: "us-east-1" }), endpointName: "mlz-x", holdoutCsv: HOLDOUT }),
        { message: "Endpoint mlz-x of account 444444444444 not found." },
      );
      sm.reset();
      sm.on(InvokeEndpointCommand).resolves({ Body: enc("Yes\n") });
      await assert.rejects(
        evaluateEndpoint({ client: new SageMakerRuntimeClient({ region: "us-east-1" }), endpointName: "mlz-x", holdoutCsv: HOLDOUT }),
        { name: "EvaluationError", message: "endpoint answered 1 predictions for 5 rows" },
      );
    });

    it("the command prints the JSON report and fails below --min-f1", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bikeshare-eval-"));
      try {
        const file = path.join(dir, "holdout.csv");
        fs.writeFileSync(file, HOLDOUT);
        sm.on(InvokeEndpointCommand).resolves({ Body: enc("No\nYes\nYes\nNo\nNo\n") });
        let out = "";
        let err = "";
        const deps = { client: new SageMakerRuntimeClient({ region: "us-east-1" }), out: (s: string) => { out += s; }, err: (s: string) => { err += s; } };
        const code = await main(["--endpoint", "mlz-e", "--holdout", file, "--out", path.join(dir, "r.json"), "--min-f1", "0.9"], deps);
        assert.equal(code, 0, err);
        assert.equal(JSON.parse(out).f1, 1);
        assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "r.json"), "utf8")), JSON.parse(out));
        sm.reset();
        sm.on(InvokeEndpointCommand).resolves({ Body: enc("No\nNo\nYes\nNo\nNo\n") });
        err = "";
        assert.equal(await main(["--endpoint", "mlz-e", "--holdout", file, "--min-f1", "0.9"], deps), 3);
        assert.equal(err, "F1 0.6667 is below the required 0.9\n");
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    describe("--tag-model", () => {
      const MODEL = "arn:aws:sagemaker:us-east-1:444444444444:model/bikeshare-classifier-20261101101500";
      let tags: AwsClientStub<SageMakerClient>;
      before(() => { tags = mockClient(SageMakerClient); });
      after(() => tags.restore());
      afterEach(() => tags.reset());

      const withHoldout = async (fn: (file: string) => Promise<void>) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bikeshare-eval-"));
        try {
          const file = path.join(dir, "holdout.csv");
          fs.writeFileSync(file, HOLDOUT);
          await fn(file);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      };

      it("writes the tag the promotion gate reads", () => {
        assert.equal(F1_TAG, SAGEMAKER_F1_TAG);
        assert.equal(F1_TAG, "mlz:f1");
        assert.equal(f1TagValue(2 / 3), "0.6667");
        assert.equal(f1TagValue(1), "1.0000");
        assert.equal(f1TagValue(0), "0.0000");
        assert.throws(() => f1TagValue(Number.NaN), { name: "EvaluationError", message: "F1 must be a number from 0 to 1; got NaN" });
      });

      it("tags the evaluated model with its F1 (4 decimals), even below --min-f1", async () => {
        await withHoldout(async (file) => {
          // actual No,Yes,Yes,No,No vs predicted No,No,Yes,No,No → TP1 FN1 → F1 2/3
          sm.on(InvokeEndpointCommand).resolves({ Body: enc("No\nNo\nYes\nNo\nNo\n") });
          tags.on(AddTagsCommand).resolves({ Tags: [{ Key: "mlz:f1", Value: "0.6667" }] });
          let err = "";
          const deps = {
            client: new SageMakerRuntimeClient({ region: "us-east-1" }),
            sagemaker: new SageMakerClient({ region: "us-east-1" }),
            out: () => undefined,
            err: (s: string) => { err += s; },
          };
          const code = await main(["--endpoint", "mlz-bikeshare-classifier-20261101101500", "--holdout", file, "--tag-model", MODEL, "--min-f1", "0.9"], deps);
          assert.equal(code, 3);
          assert.deepEqual(tags.commandCalls(AddTagsCommand).map((c) => c.args[0].input), [
            { ResourceArn: MODEL, Tags: [{ Key: "mlz:f1", Value: "0.6667" }] },
          ]);
          assert.equal(err, `tagged ${MODEL} with mlz:f1=0.6667\nF1 0.6667 is below the required 0.9\n`);
        });
      });

      it("sends nothing without --tag-model, and fails (exit 1) when AddTags fails", async () => {
        await withHoldout(async (file) => {
          sm.on(InvokeEndpointCommand).resolves({ Body: enc("No\nYes\nYes\nNo\nNo\n") });
          const deps = { client: new SageMakerRuntimeClient({ region: "us-east-1" }), sagemaker: new SageMakerClient({ region: "us-east-1" }), out: () => undefined, err: () => undefined };
          assert.equal(await main(["--endpoint", "mlz-e", "--holdout", file], deps), 0);
          assert.equal(tags.commandCalls(AddTagsCommand).length, 0);

          const denied = Object.assign(new Error("User is not authorized to perform: sagemaker:AddTags"), { name: "AccessDeniedException" });
          tags.on(AddTagsCommand).rejects(denied);
          let err = "";
          const code = await main(["--endpoint", "mlz-e", "--holdout", file, "--tag-model", MODEL], { ...deps, err: (s: string) => { err += s; } });
          assert.equal(code, 1);
          assert.equal(err, `tagging ${MODEL} with mlz:f1 failed: AccessDeniedException: User is not authorized to perform: sagemaker:AddTags\n`);
          assert.deepEqual(tags.commandCalls(AddTagsCommand).map((c) => c.args[0].input), [{ ResourceArn: MODEL, Tags: [{ Key: "mlz:f1", Value: "1.0000" }] }]);
        });
      });

      it("tagModelWithF1 refuses an ARN that is not a SageMaker model before calling AWS", async () => {
        await assert.rejects(tagModelWithF1(new SageMakerClient({ region: "us-east-1" }), "arn:aws:sagemaker:us-east-1:444444444444:endpoint/mlz-e", 0.5), {
          name: "EvaluationError",
          message: "expected a SageMaker model ARN (arn:aws:sagemaker:<region>:<12-digit account>:model/<model name>); got 'arn:aws:sagemaker:us-east-1:444444444444:endpoint/mlz-e'",
        });
        assert.equal(tags.commandCalls(AddTagsCommand).length, 0);
      });
    });

    it("the command refuses bad arguments", () => {
      assert.throws(() => parseArgs(["--endpoint", "e", "--holdout", "h", "--tag-model", "bikeshare-classifier"]), {
        message: /^--tag-model expected a SageMaker model ARN \(arn:aws:sagemaker:<region>:<12-digit account>:model\/<model name>\); got 'bikeshare-classifier'\n/,
      });
      assert.equal(parseArgs(["--endpoint", "e", "--holdout", "h", "--tag-model", "arn:aws:sagemaker:us-east-1:444444444444:model/m-1"]).tagModel, "arn:aws:sagemaker:us-east-1:444444444444:model/m-1");
      assert.throws(() => parseArgs(["--holdout", "h.csv"]), { message: /^--endpoint is required\n/ });
      assert.throws(() => parseArgs(["--endpoint", "e", "--holdout", "h", "--min-f1", "2"]), { message: /^--min-f1 must be between 0 and 1; got 2\n/ });
    });
  });
});

describe("bikeshare-evaluate cli --help", () => {
  it("prints the options it accepts and exits 0 without calling AWS", async () => {
    let stdout = "";
    const status = await main(["-h"], { out: (s: string) => { stdout += s; }, err: () => assert.fail("nothing on stderr") });
    assert.equal(status, 0);
    for (const option of ["--endpoint", "--holdout", "--region", "--batch-rows", "--out", "--min-f1", "--tag-model"]) assert.ok(stdout.includes(option), option);
    assert.match(stdout, /Exit status: 0 ok, 1 evaluation or tagging error, 2 usage error, 3 F1 below --min-f1\./);
  });
});
