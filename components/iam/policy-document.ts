import * as pulumi from "@pulumi/pulumi";

/**
 * Typed IAM / SCP policy documents. Build documents as data, serialize once:
 * `policyJson(doc)` for documents holding Outputs, `JSON.stringify(doc)` for plain ones.
 *
 * `S` is the type of string leaves: `string` for plain documents,
 * `pulumi.Input<string>` for documents that hold ARNs known only at deployment.
 */
export type OneOrMany<S> = S | S[];

export type Principal<S = string> =
  | "*"
  | { AWS?: OneOrMany<S>; Service?: OneOrMany<S>; Federated?: OneOrMany<S> };

/** Condition operator (e.g. `StringEquals`) → condition key (e.g. `aws:PrincipalOrgID`) → value(s). */
export type ConditionBlock<S = string> = Record<string, Record<string, OneOrMany<S> | boolean>>;

export interface PolicyStatement<S = string> {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Principal<S>;
  NotPrincipal?: Principal<S>;
  Action?: OneOrMany<string>;
  NotAction?: OneOrMany<string>;
  Resource?: OneOrMany<S>;
  NotResource?: OneOrMany<S>;
  Condition?: ConditionBlock<S>;
}

export interface PolicyDocument<S = string> {
  Version: "2012-10-17";
  Statement: PolicyStatement<S>[];
}

/** A document whose string leaves may be Outputs. */
export type InputPolicyDocument = PolicyDocument<pulumi.Input<string>>;

/** Wraps statements in a document with the current policy language version. */
export function policyDocument<S = string>(statements: PolicyStatement<S>[]): PolicyDocument<S> {
  return { Version: "2012-10-17", Statement: statements };
}

/** Serializes a document that may hold Outputs, resolving them first. */
export function policyJson(doc: InputPolicyDocument): pulumi.Output<string> {
  return pulumi.jsonStringify(pulumi.output(doc));
}

/** Normalizes a `OneOrMany` to an array (for checks and tests). */
export function asArray<T>(value: OneOrMany<T> | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
