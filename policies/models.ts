/**
 * Model rules: Rekognition access only on project-version ARNs, SageMaker endpoint configurations
 * encrypted with KMS and limited to allowed instance types, SageMaker models in protected
 * environments inside a VPC with network isolation.
 */
import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import { REKOGNITION_PROJECT_VERSION_ARN } from "../components/models/arns";
import { asArray, environmentOf, identityDocuments, statementLabel, wildcardMatch, configOf } from "./lib";

export const rekognitionProjectVersionArnsOnly: ResourceValidationPolicy = {
  name: "rekognition-project-version-arns-only",
  description: "Checks whether IAM grants of Rekognition inference name project-version ARNs only.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      actions: {
        type: "array",
        items: { type: "string" },
        default: ["rekognition:DetectCustomLabels"],
        description: "Actions whose grants must be on project-version ARNs (a statement granting one, also through a rekognition:* wildcard, is checked).",
      },
    },
  },
  validateResource: (args, report) => {
    const { actions } = configOf<{ actions: string[] }>(args, rekognitionProjectVersionArnsOnly);
    for (const d of identityDocuments(args.type, args.props)) {
      (d.doc?.Statement ?? []).forEach((s, i) => {
        if (s.Effect !== "Allow") return;
        // Only grants naming Rekognition actions: `Action: "*"` is iam-no-wildcard-actions' finding.
        if (!asArray(s.Action).some((a) => a.toLowerCase().startsWith("rekognition:") && actions.some((x) => wildcardMatch(a, x)))) return;
        const bad = s.NotResource !== undefined ? ["NotResource"] : asArray(s.Resource).filter((r) => !REKOGNITION_PROJECT_VERSION_ARN.test(r));
        if (bad.length > 0) {
          report(
            `IAM ${d.label} statement ${statementLabel(s, i)} must grant Rekognition access on project-version ARNs ` +
              `(arn:aws:rekognition:<region>:<account>:project/<project>/version/<version>/<timestamp>) only; got '${bad.join("', '")}'.`,
          );
        }
      });
    }
  },
};

export const sagemakerEndpointConfigKms: ResourceValidationPolicy = {
  name: "sagemaker-endpoint-config-kms",
  description: "Checks whether SageMaker endpoint configurations encrypt storage and captured data with KMS.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.sagemaker.EndpointConfiguration, (ec, _args, report) => {
    // Serverless variants have no ML storage volume and SageMaker refuses a KmsKeyId for them.
    const instanceBacked = [...(ec.productionVariants ?? []), ...(ec.shadowProductionVariants ?? [])].some((v) => v.serverlessConfig === undefined);
    if (instanceBacked && !ec.kmsKeyArn) report("SageMaker endpoint configuration must set kmsKeyArn to encrypt the ML storage volumes.");
    const dc = ec.dataCaptureConfig;
    if (dc && dc.enableCapture !== false && !dc.kmsKeyId) report("SageMaker endpoint data capture must set kmsKeyId.");
    const out = ec.asyncInferenceConfig?.outputConfig;
    if (out && !out.kmsKeyId) report("SageMaker asynchronous inference output must set kmsKeyId.");
  }),
};

export const sagemakerModelNetworkIsolation: ResourceValidationPolicy = {
  name: "sagemaker-model-network-isolation",
  description: "Checks whether SageMaker models in protected environments run in a VPC with network isolation.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      environments: { type: "array", items: { type: "string" }, default: ["prod"], description: "Values of the `environment` tag the rule applies to." },
      isolationExemptModels: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Model names (physical or logical) whose containers do not support network isolation; they still need a VPC.",
      },
    },
  },
  validateResource: validateResourceOfType(aws.sagemaker.Model, (model, args, report) => {
    const { environments, isolationExemptModels } = configOf<{ environments: string[]; isolationExemptModels: string[] }>(args, sagemakerModelNetworkIsolation);
    const env = environmentOf(args.props, args.provider);
    if (env === undefined || !environments.includes(env)) return;
    const vpc = model.vpcConfig;
    if (!vpc || (vpc.subnets ?? []).length === 0 || (vpc.securityGroupIds ?? []).length === 0) {
      report(`SageMaker model in '${env}' must run in a VPC (vpcConfig with subnets and securityGroupIds).`);
    }
    const exempt = [args.name, model.name].some((n) => n !== undefined && isolationExemptModels.includes(n));
    if (!exempt && model.enableNetworkIsolation !== true) {
      report(`SageMaker model in '${env}' must set enableNetworkIsolation to true.`);
    }
  }),
};

export const sagemakerEndpointInstanceTypes: ResourceValidationPolicy = {
  name: "sagemaker-endpoint-instance-types",
  description: "Checks whether SageMaker endpoint configurations use instance types from the allow-list.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowedInstanceTypes: {
        type: "array",
        items: { type: "string" },
        default: ["ml.t2.medium", "ml.m5.large", "ml.m5.xlarge", "ml.c5.large", "ml.c5.xlarge", "ml.g4dn.xlarge"],
        description: "Instance types endpoints may use (serverless variants have none).",
      },
    },
  },
  validateResource: validateResourceOfType(aws.sagemaker.EndpointConfiguration, (ec, args, report) => {
    const { allowedInstanceTypes } = configOf<{ allowedInstanceTypes: string[] }>(args, sagemakerEndpointInstanceTypes);
    for (const v of [...(ec.productionVariants ?? []), ...(ec.shadowProductionVariants ?? [])]) {
      if (v.instanceType !== undefined && !allowedInstanceTypes.includes(v.instanceType)) {
        report(`SageMaker variant '${v.variantName ?? "?"}' must use an allowed instance type (${allowedInstanceTypes.join(", ")}); got '${v.instanceType}'.`);
      }
    }
  }),
};

export const modelPolicies = [rekognitionProjectVersionArnsOnly, sagemakerEndpointConfigKms, sagemakerModelNetworkIsolation, sagemakerEndpointInstanceTypes];
