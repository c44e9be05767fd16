/** Test simulator for the bike-share components: ARNs the way AWS computes them. */
import { basicSimulator } from "../../../helpers/pulumi";
import type { InferenceContainer } from "../../../../components/pipelines/bikeshare/automl-job-provider";

export const ACCOUNT = "444444444444";

export const CONTAINERS: InferenceContainer[] = [
  { image: "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-sklearn-automl:2.5-1-cpu-py3", modelDataUrl: "s3://mlz-ml-bikeshare-autopilot/autopilot/output/bikeshare-20261101101500/data-processor-models/dpp0/output/model.tar.gz", environment: { AUTOML_TRANSFORM_MODE: "feature-transform" } },
  { image: "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1-cpu-py3", modelDataUrl: "s3://mlz-ml-bikeshare-autopilot/autopilot/output/bikeshare-20261101101500/tuning/xgb/model.tar.gz", environment: { SAGEMAKER_INFERENCE_OUTPUT: "predicted_label" } },
  { image: "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-sklearn-automl:2.5-1-cpu-py3", modelDataUrl: "s3://mlz-ml-bikeshare-autopilot/autopilot/output/bikeshare-20261101101500/data-processor-models/dpp0/output/model.tar.gz", environment: { AUTOML_TRANSFORM_MODE: "inverse-label-transform" } },
];

export const simulator = basicSimulator({
  outputs: (a) => {
    const i = a.inputs as Record<string, any>;
    switch (a.type) {
      case "aws:s3/bucket:Bucket": return { arn: `arn:aws:s3:::${i.bucket}`, bucket: i.bucket };
      case "aws:iam/role:Role": return { arn: `arn:aws:iam::${ACCOUNT}:role/${a.name}`, name: a.name };
      case "aws:lambda/function:Function": return { arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${a.name}`, name: a.name };
      case "aws:cloudwatch/logGroup:LogGroup": return { arn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${i.name}` };
      case "aws:kms/key:Key": return { arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, keyId: "1234abcd-12ab-34cd-56ef-1234567890ab" };
      case "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": return { arn: `arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/${i.name}` };
      case "aws:sagemaker/model:Model": return { arn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/${String(i.name).toLowerCase()}` };
      case "aws:sagemaker/endpointConfiguration:EndpointConfiguration": return { name: `${a.name}-generated` };
      case "pulumi-nodejs:dynamic:Resource":
        return {
          jobName: "bikeshare-20261101101500",
          jobArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:automl-job/bikeshare-20261101101500`,
          // As a later deploy records it: the job has completed.
          status: "Completed",
          failureReason: "",
          bestCandidateName: "bikeshare-20261101101500XGB-003-7f1c2a9e",
          objectiveMetricName: "F1",
          objectiveMetricValue: 0.8125,
          inferenceContainers: CONTAINERS,
        };
      default: return undefined;
    }
  },
});
