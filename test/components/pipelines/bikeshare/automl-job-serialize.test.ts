import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { AutoMLJobProvider } from "../../../../components/pipelines/bikeshare/automl-job-provider";

describe("AutoMLJobProvider closure serialization", () => {
  it("serializes for a dynamic resource without capturing an AWS SDK client", async () => {
    const p = new AutoMLJobProvider();
    const sf = await pulumi.runtime.serializeFunction(() => p, { allowSecrets: true });
    assert.match(sf.text, /CreateAutoMLJobV2Command/);
    assert.match(sf.text, /import\("@aws-sdk\/client-sagemaker"\)|require\("@aws-sdk\/client-sagemaker"\)/);
    assert.doesNotMatch(sf.text, /native code/);
  });
});
