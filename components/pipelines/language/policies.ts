/**
 * IAM statements of the language pipelines (Translate, Comprehend), as typed data: pure, so each
 * role's permissions are tested statement by statement and the policy pack can check the same shape.
 *
 * A data-access role is the role a service (translate.amazonaws.com, comprehend.amazonaws.com)
 * assumes to read a job's input and write its output: it may read exactly the input prefixes
 * (GetObject on `<prefix>*`, ListBucket only with `s3:prefix` under them), write exactly the output
 * prefix, and use exactly the pipeline's KMS key, nothing else.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../../iam/policy-document";

type S = pulumi.Input<string>;

/** Trust for a service principal acting for `accountId` only (confused-deputy guard). */
export function serviceTrust(service: string, accountId: S, sourceArnLike?: S): PolicyStatement<S> {
  return {
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
    Condition: {
      StringEquals: { "aws:SourceAccount": accountId },
      ...(sourceArnLike !== undefined ? { ArnLike: { "aws:SourceArn": sourceArnLike } } : {}),
    },
  };
}

export interface DataAccessInput {
  bucketArn: S;
  /** Prefixes the service reads (each ends in `/`). */
  readPrefixes: string[];
  /** Prefix the service writes (ends in `/`). Defaults to none (read-only role, e.g. training). */
  writePrefix?: string;
  /** The pipeline's KMS key. */
  kmsKeyArn: S;
}

/** The data-access role's statements (see the module comment). */
export function dataAccessStatements(i: DataAccessInput): PolicyStatement<S>[] {
  if (i.readPrefixes.length === 0) throw new Error("[readPrefixes] must name at least one prefix");
  for (const p of [...i.readPrefixes, ...(i.writePrefix ? [i.writePrefix] : [])]) {
    if (!/^([^/*?]+\/)+$/.test(p)) throw new Error(`a data-access prefix must be path segments ending in '/', without wildcards; got '${p}'`);
  }
  const statements: PolicyStatement<S>[] = [
    {
      Sid: "ReadInput",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: i.readPrefixes.map((p) => pulumi.interpolate`${i.bucketArn}/${p}*`),
    },
    {
      Sid: "ListInput",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: i.bucketArn,
      Condition: { StringLike: { "s3:prefix": i.readPrefixes.map((p) => `${p}*`) } },
    },
  ];
  if (i.writePrefix) {
    statements.push({
      Sid: "WriteOutput",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: pulumi.interpolate`${i.bucketArn}/${i.writePrefix}*`,
    });
  }
  statements.push({
    Sid: "UsePipelineKey",
    Effect: "Allow",
    Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
    Resource: i.kmsKeyArn,
  }, {
    Sid: "GrantPipelineKeyToService",
    Effect: "Allow",
    Action: "kms:CreateGrant",
    Resource: i.kmsKeyArn,
    Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
  });
  return statements;
}

/** `iam:PassRole` of exactly `roleArn`, to exactly `service`. */
export function passRole(roleArn: S, service: string): PolicyStatement<S> {
  return {
    Sid: "PassDataAccessRole",
    Effect: "Allow",
    Action: "iam:PassRole",
    Resource: roleArn,
    Condition: { StringEquals: { "iam:PassedToService": service } },
  };
}
