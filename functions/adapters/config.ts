// The only place that reads the environment. Values are read when asked for, so the local cloud can set
// the environment before the first handler runs.
import { MAX_UPLOAD_BYTES } from '#domain/upload-limit';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set.`);
  return value;
}
const numberOr = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && process.env[name] !== '' && process.env[name] !== undefined ? value : fallback;
};

export const config = {
  get tableName() { return required('TABLE_NAME'); },
  get datasetsBucket() { return required('DATASETS_BUCKET'); },
  get artifactsBucket() { return required('ARTIFACTS_BUCKET'); },
  get stateMachineArn() { return required('STATE_MACHINE_ARN'); },
  get wsManagementUrl() { return required('WS_MANAGEMENT_URL'); },
  get jwtIssuer() { return required('JWT_ISSUER'); },
  get jwtAudience() { return process.env.JWT_AUDIENCE || null; },
  get jwksUri() { return process.env.JWKS_URI || `${required('JWT_ISSUER')}/.well-known/jwks.json`; },
  get falQueueUrl() { return process.env.FAL_QUEUE_URL || 'https://queue.fal.run'; },
  get falApiUrl() { return process.env.FAL_API_URL || 'https://api.fal.ai'; },
  get trainerSecretArn() { return process.env.TRAINER_SECRET_ARN || null; },
  /** The secret holding the access key that presigns the trainer's dataset links (JSON accessKeyId, secretAccessKey). */
  get datasetLinkSignerSecretArn() { return process.env.DATASET_LINK_SIGNER_SECRET_ARN || null; },
  get falKey() { return process.env.FAL_KEY || null; },
  get replicateApiToken() { return process.env.REPLICATE_API_TOKEN || null; },
  get replicateApiUrl() { return process.env.REPLICATE_API_URL || 'https://api.replicate.com/v1'; },
  get replicateDestination() { return process.env.REPLICATE_DESTINATION || null; },
  get trainerTimeoutMs() { return numberOr('TRAINER_TIMEOUT_MS', 20_000); },
  get maxUploadBytes() { return numberOr('MAX_UPLOAD_BYTES', MAX_UPLOAD_BYTES); },
  get pollMinSeconds() { return numberOr('POLL_MIN_SECONDS', 5); },
  get pollMaxSeconds() { return numberOr('POLL_MAX_SECONDS', 120); },
  get maxPolls() { return numberOr('MAX_POLLS', 2000); },
  /** The longest a training may take, counted from the job's creation; Poll fails it after that. */
  get maxDurationSeconds() { return numberOr('MAX_DURATION_SECONDS', 12 * 3600); },
  /** A job whose running workflow has not touched it for this long is resumed by the reconciler. */
  get reconcileSilentSeconds() { return numberOr('RECONCILE_SILENT_SECONDS', 3600); },
  /** Workflow restarts the reconciler allows one job before failing it. */
  get maxWorkflowRestarts() { return numberOr('MAX_WORKFLOW_RESTARTS', 5); },
  /** The role whose sessions tooling's direct uploads use (POST /upload-credentials assumes it). */
  get uploadRoleArn() { return required('UPLOAD_ROLE_ARN'); },
  /** That role's RoleId: S3 records `AWS:<RoleId>:<session>` as the writer of an object put with a session. */
  get uploadRoleId() { return process.env.UPLOAD_ROLE_ID || null; },
  /** The EventBridge Scheduler schedule group holding one schedule per Loraworks schedule. */
  get scheduleGroup() { return required('SCHEDULE_GROUP'); },
  /** The `retrain` function the Scheduler schedules invoke, the role they invoke it with, and their dead-letter queue. */
  get retrainFunctionArn() { return required('RETRAIN_FUNCTION_ARN'); },
  get schedulerRoleArn() { return required('SCHEDULER_ROLE_ARN'); },
  get scheduleDlqArn() { return required('SCHEDULE_DLQ_ARN'); },
  /** Where S3 is, when it is not AWS's (the local cloud sets it; the SDK reads it too). */
  get s3Endpoint() { return process.env.AWS_ENDPOINT_URL_S3 || null; },
  get region() { return process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1'; },
  get s3ForcePathStyle() { return process.env.S3_FORCE_PATH_STYLE === 'true'; },
};

/**
 * HTTP options for the SDK clients. A Lambda container serves one request at a time, so the SDK's default of
 * 50 sockets per client never binds there; the local cloud runs every function in one process, where all
 * concurrent invocations share each client and would otherwise queue for sockets.
 */
export const sdkHttp = { requestHandler: { httpAgent: { keepAlive: true, maxSockets: 1024 }, httpsAgent: { keepAlive: true, maxSockets: 1024 } } };
