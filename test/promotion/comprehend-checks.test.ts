import { strict as assert } from "node:assert";
import { mockClient } from "aws-sdk-client-mock";
import { ComprehendClient, DescribeEntityRecognizerCommand, ResourceNotFoundException } from "@aws-sdk/client-comprehend";
import { RekognitionClient } from "@aws-sdk/client-rekognition";
import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { checkOnline, describeVersion, type AwsClients } from "../../promotion/checks";
import type { PlannedPromotion } from "../../promotion/rules";

const V1 = "arn:aws:comprehend:us-east-1:444444444444:entity-recognizer/legal-entities/version/v1";
const V2 = "arn:aws:comprehend:us-east-1:444444444444:entity-recognizer/legal-entities/version/v2";
const comprehend = mockClient(ComprehendClient);
const clients: AwsClients = {
  rekognition: () => new RekognitionClient({ region: "us-east-1" }),
  sagemaker: () => new SageMakerClient({ region: "us-east-1" }),
  comprehend: () => new ComprehendClient({ region: "us-east-1" }),
};

describe("promotion checks for Comprehend recognizer versions", () => {
  beforeEach(() => comprehend.reset());

  it("reads status and F1 (percent → 0–1) with DescribeEntityRecognizer on the exact ARN", async () => {
    comprehend.on(DescribeEntityRecognizerCommand).resolves({ EntityRecognizerProperties: { Status: "TRAINED", RecognizerMetadata: { EvaluationMetrics: { F1Score: 92.5 } } } });
    assert.deepEqual(await describeVersion(V2, "comprehend", clients), { arn: V2, status: "TRAINED", statusMessage: undefined, f1: 0.925 });
    assert.deepEqual(comprehend.commandCalls(DescribeEntityRecognizerCommand)[0].args[0].input, { EntityRecognizerArn: V2 });
    comprehend.on(DescribeEntityRecognizerCommand).rejects(new ResourceNotFoundException({ message: "not found", $metadata: {} }));
    assert.equal((await describeVersion(V1, "comprehend", clients)).status, "NOT_FOUND");
  });

  it("refuses a version that is not TRAINED, and one below the replaced version's F1", async () => {
    const p = { kind: "comprehend", model: "legal-entities", newArn: V2, currentArn: V1, stack: "prod", file: "stacks/Pulumi.prod.yaml" } as unknown as PlannedPromotion;
    const describe = async (arn: string) => arn === V2 ? { arn, status: "TRAINING", f1: undefined } : { arn, status: "TRAINED", f1: 0.9 };
    await assert.rejects(checkOnline(p, describe), /recognizer version .*\/v2 has status TRAINING; expected TRAINED/);
    const lower = async (arn: string) => ({ arn, status: "TRAINED", f1: arn === V2 ? 0.8 : 0.9 });
    await assert.rejects(checkOnline(p, lower), /has F1 0\.8, below the F1 0\.9 of the version it replaces/);
  });
});
