import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { recordProgram, only, ofType, promiseOf } from "../../helpers/pulumi";
import {
  ConfigRecorder,
  configLogBucketName,
  configServiceLinkedRoleArn,
  type ConfigRecorderArgs,
} from "../../../components/organization/config-recorder";

const args = (over: Partial<ConfigRecorderArgs> = {}): ConfigRecorderArgs => ({
  accountId: pulumi.output("555555555555"),
  s3BucketName: pulumi.output("mlz-config-logs-333333333333"),
  ...over,
});

describe("ConfigRecorder", () => {
  it("declares the service-linked role, recorder, delivery channel and enabled status, in that order", async () => {
    const { result, resources } = await recordProgram(() => {
      const provider = new aws.Provider("qa", { region: "us-east-1" });
      return new ConfigRecorder("recorder-qa", args(), { provider });
    });
    const comp = only(resources, "mlz:organization:ConfigRecorder", "recorder-qa");
    const provider = only(resources, "pulumi:providers:aws", "qa");
    const children = resources.filter((r) => r.parent === comp.urn);
    assert.deepEqual(children.map((r) => `${r.type} ${r.name}`).sort(), [
      "aws:cfg/deliveryChannel:DeliveryChannel recorder-qa-delivery-channel",
      "aws:cfg/recorder:Recorder recorder-qa-recorder",
      "aws:cfg/recorderStatus:RecorderStatus recorder-qa-status",
      "aws:iam/serviceLinkedRole:ServiceLinkedRole recorder-qa-service-role",
    ]);
    for (const c of children) assert.ok(c.provider?.startsWith(provider.urn), `${c.name} inherits the account provider`);

    const role = only(resources, "aws:iam/serviceLinkedRole:ServiceLinkedRole");
    assert.deepEqual(role.inputs, {
      awsServiceName: "config.amazonaws.com",
      description: "AWS Config records this account's resource configurations",
    });

    const recorder = only(resources, "aws:cfg/recorder:Recorder");
    const roleArn = "arn:aws:iam::555555555555:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig";
    assert.deepEqual(recorder.inputs, {
      name: "default",
      roleArn,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
    });
    assert.ok(recorder.dependencies.includes(role.urn), "the recorder waits for the service-linked role");

    const channel = only(resources, "aws:cfg/deliveryChannel:DeliveryChannel");
    assert.deepEqual(channel.inputs, {
      name: "default",
      s3BucketName: "mlz-config-logs-333333333333",
      s3KeyPrefix: "config",
      snapshotDeliveryProperties: { deliveryFrequency: "TwentyFour_Hours" },
    });
    assert.ok(channel.dependencies.includes(recorder.urn), "the channel waits for the recorder");

    const status = only(resources, "aws:cfg/recorderStatus:RecorderStatus");
    assert.deepEqual(status.inputs, { name: "default", isEnabled: true });
    assert.ok(status.dependencies.includes(channel.urn), "recording starts once the channel exists");

    assert.equal(await promiseOf(result.recorderName), "default");
    assert.equal(await promiseOf(result.roleArn), roleArn);
  });

  it("uses the existing service-linked role, records global types only where asked, and takes options", async () => {
    const { result, resources } = await recordProgram(() => new ConfigRecorder("r", args({
      createServiceLinkedRole: false,
      includeGlobalResourceTypes: false,
      recorderName: "mlz",
      s3KeyPrefix: "org/config",
      snapshotDeliveryFrequency: "Six_Hours",
      partition: "aws-us-gov",
    })));
    assert.equal(ofType(resources, "aws:iam/serviceLinkedRole:ServiceLinkedRole").length, 0);
    const roleArn = "arn:aws-us-gov:iam::555555555555:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig";
    assert.equal(await promiseOf(result.roleArn), roleArn);
    assert.deepEqual(only(resources, "aws:cfg/recorder:Recorder").inputs, {
      name: "mlz",
      roleArn,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: false },
    });
    assert.deepEqual(only(resources, "aws:cfg/deliveryChannel:DeliveryChannel").inputs, {
      name: "mlz",
      s3BucketName: "mlz-config-logs-333333333333",
      s3KeyPrefix: "org/config",
      snapshotDeliveryProperties: { deliveryFrequency: "Six_Hours" },
    });
    assert.equal(result.serviceLinkedRole, undefined);
    assert.deepEqual(only(resources, "aws:cfg/recorder:Recorder").dependencies, []);
  });

  it("names the Config bucket and the service-linked role predictably", () => {
    assert.equal(configLogBucketName("333333333333"), "mlz-config-logs-333333333333");
    assert.equal(configServiceLinkedRoleArn("444444444444"), "arn:aws:iam::444444444444:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig");
  });

  it("validates its arguments before declaring anything", async () => {
    const cases: [Partial<ConfigRecorderArgs>, string][] = [
      [{ recorderName: "my recorder" }, "[recorderName] must be 1 to 256 letters, digits, '_', '.' or '-'; got 'my recorder'"],
      [{ s3KeyPrefix: "/config/" }, "[s3KeyPrefix] must be an S3 key prefix without leading or trailing '/' and without 'AWSLogs'; got '/config/'"],
      [{ s3KeyPrefix: "AWSLogs" }, "[s3KeyPrefix] must be an S3 key prefix without leading or trailing '/' and without 'AWSLogs'; got 'AWSLogs'"],
      [{ accountId: "5555" }, "[accountId] must be a 12-digit account id; got '5555'"],
      [{ snapshotDeliveryFrequency: "Daily" as never }, "[snapshotDeliveryFrequency] must be one of One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours; got 'Daily'"],
    ];
    for (const [over, message] of cases) {
      const { resources } = await recordProgram(async () => {
        assert.throws(() => new ConfigRecorder("bad", args(over)), { message });
      });
      assert.equal(ofType(resources, "aws:cfg/recorder:Recorder").length, 0);
      assert.equal(ofType(resources, "aws:iam/serviceLinkedRole:ServiceLinkedRole").length, 0);
    }
  });
});
