import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { recordProgram, only } from "../helpers/pulumi";

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
