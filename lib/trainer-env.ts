import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/** `owner/name` of a Replicate model, as replicate.com spells one. */
const REPLICATE_MODEL = /^[a-z0-9][a-z0-9_.-]*\/[a-z0-9][a-z0-9_.-]*$/i;

/** Checks the stack's `replicateDestination`; a bad value stops synthesis with what to set instead. */
export function checkReplicateDestination(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !REPLICATE_MODEL.test(value)) {
    throw new Error(`replicateDestination must be the owner/name of a Replicate model you created (for example "me/my-loras"), not ${JSON.stringify(value)}.`);
  }
  return value;
}

/**
 * What every function that reads the trainer catalog or talks to a provider needs: where the keys are, and the
 * Replicate model trainings write to (without it the catalog leaves Replicate's trainers out and says why).
 */
export const trainerEnv = (trainerSecret: secretsmanager.ISecret, replicateDestination: string | undefined): Record<string, string> => ({
  TRAINER_SECRET_ARN: trainerSecret.secretArn,
  ...(replicateDestination ? { REPLICATE_DESTINATION: replicateDestination } : {}),
});
