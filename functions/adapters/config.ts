// The only place that reads the environment. Values are read when asked for, so the local cloud can set
// the environment before the first handler runs.
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
  get falKey() { return process.env.FAL_KEY || null; },
  get replicateApiToken() { return process.env.REPLICATE_API_TOKEN || null; },
  get maxUploadBytes() { return numberOr('MAX_UPLOAD_BYTES', 2 * 1024 ** 3); },
  get pollMinSeconds() { return numberOr('POLL_MIN_SECONDS', 5); },
  get pollMaxSeconds() { return numberOr('POLL_MAX_SECONDS', 60); },
  get maxPolls() { return numberOr('MAX_POLLS', 2000); },
  get s3ForcePathStyle() { return process.env.S3_FORCE_PATH_STYLE === 'true'; },
};
