import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface FailureAlarmArgs {
  /** What failed and where to look. */
  readonly description: pulumi.Input<string>;
  /** Metric namespace and name, e.g. `AWS/Lambda` `Errors`, `AWS/Events` `TriggeredRules`. */
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, pulumi.Input<string>>;
  /** SNS topics to notify (empty: the alarm only records the state). */
  readonly actions: pulumi.Input<string>[];
}

/**
 * An alarm that fires on the first failure in five minutes (sum ≥ 1) and stays quiet without data:
 * the language pipelines raise one per failure signal (a failed job, a function error).
 */
export function failureAlarm(name: string, args: FailureAlarmArgs, opts: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(name, {
    alarmDescription: args.description,
    namespace: args.namespace,
    metricName: args.metricName,
    dimensions: args.dimensions,
    statistic: "Sum",
    period: 300,
    evaluationPeriods: 1,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
    alarmActions: args.actions,
  }, opts);
}
