import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { recordProgram, only } from "../helpers/pulumi";
import { ProgramError } from "../../plan/mock-runtime";

class Box extends pulumi.ComponentResource {
  public readonly bucketArn: pulumi.Output<string>;
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:test:Box", name, {}, opts);
    this.bucketArn = new aws.s3.Bucket(`${name}-bucket`, { bucket: "b" }, { parent: this }).arn;
    this.registerOutputs({ bucketArn: this.bucketArn });
  }
}

describe("mock runtime recording", () => {
  it("records the parent of a component's child and the provider reference", async () => {
    const { resources } = await recordProgram(() => {
      const provider = new aws.Provider("p", { region: "eu-west-1" });
      new Box("box", { providers: [provider] });
    });
    const comp = only(resources, "mlz:test:Box");
    const bucket = only(resources, "aws:s3/bucket:Bucket");
    assert.equal(bucket.parent, comp.urn);
    assert.match(bucket.provider ?? "", /^urn:pulumi:test::ml-landing-zone::pulumi:providers:aws::p::/);
    assert.equal(bucket.urn, "urn:pulumi:test::ml-landing-zone::mlz:test:Box$aws:s3/bucket:Bucket::box-bucket");
  });

  it("replaces config between sessions instead of merging it", async () => {
    await recordProgram(() => undefined, { config: { "ml-landing-zone:a": "1" } });
    const { result } = await recordProgram(() => new pulumi.Config("ml-landing-zone").get("a"), { config: { "ml-landing-zone:b": "2" } });
    assert.equal(result, undefined);
  });
});

describe("mock runtime guard (runGuarded through recordProgram)", () => {
  async function rejection(p: Promise<unknown>): Promise<Error> {
    try {
      await p;
    } catch (e) {
      return e as Error;
    }
    assert.fail("expected the program to fail");
  }

  it("fails a program that logs pulumi.log.error, with a ProgramError whose message is the logged text", async () => {
    const e = await rejection(recordProgram(() => {
      new aws.s3.Bucket("ok", { bucket: "ok" });
      pulumi.log.error("boom");
    }));
    assert.ok(e instanceof ProgramError, `${e.name}: ${e.message}`);
    assert.equal(e.message, "boom");
    assert.deepEqual((e as ProgramError).messages, ["boom"]);
  });

  it("fails a program that throws inside an apply, naming the error, instead of hanging", async () => {
    const e = await rejection(recordProgram(() => {
      const bucket = new aws.s3.Bucket("b", { bucket: "b" });
      new aws.s3.BucketVersioning("v", {
        bucket: bucket.id,
        versioningConfiguration: { status: bucket.arn.apply((arn): string => { throw new Error(`no versioning for ${arn}`); }) },
      });
    }));
    assert.ok(e instanceof ProgramError, `${e.name}: ${e.message}`);
    assert.deepEqual((e as ProgramError).messages, ['error serializing property "versioningConfiguration": no versioning for arn:aws:mock:us-east-1:123456789012:bucket/b']);
  });

  it("fails a program whose apply throws even when no resource consumes the apply's result", async () => {
    const e = await rejection(recordProgram(() => {
      const bucket = new aws.s3.Bucket("lonely", { bucket: "lonely" });
      bucket.arn.apply(() => { throw new pulumi.ResourceError("[bucket] must not be lonely", bucket); });
    }));
    assert.ok(e instanceof ProgramError, `${e.name}: ${e.message}`);
    assert.equal(e.message, "[bucket] must not be lonely");
  });

  it("passes through a console.error line that is not a runtime error (e.g. a Node warning) without failing the program", async () => {
    const seen: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => { seen.push(args); };
    let recorded;
    const stub = console.error;
    try {
      recorded = await recordProgram(() => {
        console.error("(node:1234) [DEP0005] DeprecationWarning: Buffer() is deprecated");
        console.error("warning: error: [runtime] not at the start");
        new aws.s3.Bucket("after", { bucket: "after" });
        return "done";
      });
      assert.equal(console.error, stub, "the guard restores console.error");
    } finally {
      console.error = original;
    }
    assert.equal(recorded.result, "done");
    assert.equal(only(recorded.resources, "aws:s3/bucket:Bucket").name, "after");
    assert.deepEqual(seen, [
      ["(node:1234) [DEP0005] DeprecationWarning: Buffer() is deprecated"],
      ["warning: error: [runtime] not at the start"],
    ]);
  });
});
