import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { imageNormalizationConfigSchema } from "../../../stacks/parts/image-normalization";
import { lakehouseSchema, STACKS_DIR } from "../../../stacks/config";
import { planOrganization } from "../../../plan/organization";
import { evaluateStack } from "../../../policies/evaluate";
import type { StackPlan } from "../../../lib/plan-model";

const ROLE = "arn:aws:iam::444444444444:role/mlz-rekognition-trainer";

/** Plans the example organization with the lakehouse stack file changed by `edit`. */
async function planLakehouse(edit?: (config: Record<string, any>) => void): Promise<StackPlan> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-stacks-"));
  try {
    for (const f of fs.readdirSync(STACKS_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) fs.copyFileSync(path.join(STACKS_DIR, f), path.join(dir, f));
    if (edit) {
      const file = path.join(dir, "Pulumi.lakehouse.yaml");
      const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
      const config = doc.toJS().config;
      edit(config);
      fs.writeFileSync(file, YAML.stringify({ config }));
    }
    const org = await planOrganization({ stacksDir: dir, stacks: ["lakehouse"] });
    const run = org.runs.find((r) => r.plan.stack === "lakehouse");
    assert.ok(run, "no lakehouse plan");
    return run.plan;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const types = (plan: StackPlan) => plan.resources.filter((r) => r.name.startsWith("image-normalization")).map((r) => r.type).sort();

describe("image normalization part (lakehouse stack)", () => {
  it("is off by default, and checks its keys naming them", () => {
    assert.deepEqual(imageNormalizationConfigSchema.parse({}), {});
    const parsed = imageNormalizationConfigSchema.parse({ imageNormalization: { mode: "on-upload", trainingRoleArns: [ROLE] } });
    assert.deepEqual(parsed.imageNormalization, {
      mode: "on-upload", trainingRoleArns: [ROLE], rawPrefix: "raw/", derivedPrefix: "normalized/",
      accessPointName: "mlz-raw-images", objectLambdaAccessPointName: "mlz-normalized-images",
      memoryMb: 1024, timeoutSeconds: 30, architecture: "arm64", maxInputBytes: 52428800, maxInputPixels: 40000000, forceDestroy: false,
    });
    const issues = (v: unknown) => {
      const r = imageNormalizationConfigSchema.safeParse({ imageNormalization: v });
      assert.equal(r.success, false);
      return r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    assert.deepEqual(issues({ mode: "batch", trainingRoleArns: [ROLE] }), ["imageNormalization.mode: expected one of object-lambda, on-upload; got 'batch'"]);
    assert.deepEqual(issues({ mode: "on-upload", trainingRoleArns: ["arn:aws:iam::444444444444:user/x"] }),
      ["imageNormalization.trainingRoleArns.0: expected an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>); got 'arn:aws:iam::444444444444:user/x'"]);
    assert.deepEqual(issues({ mode: "object-lambda", trainingRoleArns: [ROLE], timeoutSeconds: 120 }),
      ["imageNormalization.timeoutSeconds: must be a whole number from 1 to 60 in mode object-lambda; got 120"]);
    assert.deepEqual(issues({ mode: "on-upload", trainingRoleArns: [ROLE], derivedPrefix: "raw/out/" }),
      ["imageNormalization.derivedPrefix: must not overlap [rawPrefix] (a derived write would trigger the function again); got 'raw/out/' and 'raw/'"]);
    assert.equal(lakehouseSchema.safeParse({}).success, false);
  });

  let onUpload: StackPlan;
  before(async function () {
    this.timeout(120_000);
    onUpload = await planLakehouse();
  });

  it("the example lakehouse stack plans on-upload: notification → function → derived prefix, no access points", async () => {
    assert.deepEqual(types(onUpload), [
      "aws:kms/key:Key",
      "aws:lambda/permission:Permission",
      "aws:s3/bucketNotification:BucketNotification",
      "mlz:lambda:NodeFunction",
      "mlz:pipelines:ImageNormalization",
      "mlz:storage:SecureBucket",
    ].concat(
      ["aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "aws:sqs/queue:Queue", "aws:cloudwatch/logGroup:LogGroup", "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:lambda/function:Function",
        "aws:s3/bucket:Bucket", "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning"],
    ).sort());
    const notification = onUpload.resources.find((r) => r.type === "aws:s3/bucketNotification:BucketNotification")!;
    assert.equal(notification.inputs.bucket, "mlz-raw-images-333333333333");
    assert.equal(notification.account, "333333333333");
    const fn = onUpload.resources.find((r) => r.type === "aws:lambda/function:Function" && r.name.startsWith("image-normalization"))!;
    assert.deepEqual(fn.inputs.architectures, ["arm64"]);
    assert.equal(fn.inputs.memorySize, 1024);
    assert.equal(onUpload.outputs.imageNormalizationReadLocation, "s3://mlz-raw-images-333333333333/normalized/");
    const results = await evaluateStack(onUpload);
    assert.deepEqual(results.filter((r) => r.enforcementLevel === "mandatory"), [], "no mandatory violation");
    assert.deepEqual(results.filter((r) => r.urn?.includes("image-normalization")), [], "no advisory either");
  });

  it("a lakehouse stack with mode object-lambda plans the access points and passes the policy pack", async function () {
    this.timeout(120_000);
    const plan = await planLakehouse((c) => { c["ml-landing-zone:imageNormalization"].mode = "object-lambda"; });
    const t = types(plan);
    for (const expected of ["aws:s3/accessPoint:AccessPoint", "aws:s3control/objectLambdaAccessPoint:ObjectLambdaAccessPoint", "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy"]) {
      assert.ok(t.includes(expected), expected);
    }
    assert.ok(!t.includes("aws:s3/bucketNotification:BucketNotification"));
    const olap = plan.resources.find((r) => r.type === "aws:s3control/objectLambdaAccessPoint:ObjectLambdaAccessPoint")!;
    assert.equal(olap.outputs.arn, "arn:aws:s3-object-lambda:us-east-1:333333333333:accesspoint/mlz-normalized-images");
    const ap = plan.resources.find((r) => r.type === "aws:s3/accessPoint:AccessPoint")!;
    assert.equal((olap.inputs.configuration as any).supportingAccessPoint, ap.outputs.arn);
    assert.equal(plan.outputs.imageNormalizationReadLocation, olap.outputs.arn);
    const results = await evaluateStack(plan);
    assert.deepEqual(results.filter((r) => r.enforcementLevel === "mandatory"), [], "no mandatory violation");
  });
});
