/**
 * How long a deploy may take, and so how long every wait inside it may be. The workflows
 * (`.github/workflows/deploy.yml`, `training-pickup.yml`) give each deploy job `timeout-minutes:
 * DEPLOY_JOB_MINUTES` and request GitHub role credentials for `role-duration-seconds:
 * DEPLOY_SESSION_SECONDS`, which the GitHub roles' maximum session (`github.maxSessionDurationSeconds`,
 * at least this much) allows. The providers assume the member accounts' deploy roles from those
 * credentials (role chaining: at most 1 hour per assumption, renewed by re-assuming while the GitHub
 * session lasts). No wait inside a deploy may outlast the job: the dynamic providers wait at most
 * MAX_PROVIDER_WAIT_SECONDS (Rekognition versions starting or stopping); training is never waited for.
 */
export const DEPLOY_JOB_MINUTES = 90;
/** The GitHub role session a deploy job requests: as long as the job may run. */
export const DEPLOY_SESSION_SECONDS = DEPLOY_JOB_MINUTES * 60;
/** The longest wait a dynamic provider may spend inside one deploy, leaving the rest for everything else. */
export const MAX_PROVIDER_WAIT_SECONDS = 3600;
