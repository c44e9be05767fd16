/**
 * Names that cross stack boundaries. Roles that another account must trust are given fixed,
 * predictable names so that each stack can compute the ARN it trusts or assumes without a
 * dependency cycle between stacks. Stacks call these and pass the results to components as args.
 */

/** Role in each member account that the account's own stack provider assumes. */
export const DEFAULT_DEPLOY_ROLE_NAME = "mlz-deploy";
/** Read-only role in each member account, assumed for pull-request previews. */
export const DEFAULT_PREVIEW_ROLE_NAME = "mlz-preview";
/** Role that Organizations creates in every account it creates. */
export const ORGANIZATION_ACCESS_ROLE_NAME = "OrganizationAccountAccessRole";

/** Role in the CI/CD account that GitHub Actions assumes to deploy `stack`. */
export function githubDeployRoleName(stack: string): string {
  return `mlz-github-deploy-${stack}`;
}

/** Role in the CI/CD account that GitHub Actions assumes for read-only previews of `stack`. */
export function githubPreviewRoleName(stack: string): string {
  return `mlz-github-preview-${stack}`;
}

/**
 * Role in the CI/CD account that the promotion workflow (`.github/workflows/promote.yml`) assumes
 * to run the online promotion checks; it may only assume the ML account's promotion reader.
 */
export function githubPromoteRoleName(): string {
  return "mlz-github-promote";
}

/** Role in the ML account that consumer environment `env` assumes to call its models. */
export function modelAccessRoleName(env: string): string {
  return `mlz-model-access-${env}`;
}

/**
 * Role in the ML account that MLOps engineers and training pipelines of the ML account assume to
 * train Rekognition Custom Labels models on the lakehouse's training images; the lakehouse bucket
 * and key policies grant exactly this role.
 */
export const REKOGNITION_TRAINER_ROLE_NAME = "mlz-rekognition-trainer";

/** Application role in a consumer account that calls `model`. */
export function appRoleName(model: string): string {
  return `mlz-app-${model}`;
}

/** SSM parameter holding the model-version ARN that an environment uses for `model`. */
export function modelParameterName(model: string): string {
  return `/mlz/models/${model}/arn`;
}

/**
 * SSM parameter holding the name of the SageMaker endpoint that serves the version an environment
 * uses for `model` (beside `modelParameterName`; SageMaker models only).
 */
export function modelEndpointParameterName(model: string): string {
  return `/mlz/models/${model}/endpoint`;
}
