// The environment the trainer adapter reads, for tests of the catalog and the keys: no key in the
// environment (the secret is the only source) unless a test names one, and a fresh adapter cache.
import { vi } from 'vitest';
import { resetTrainers } from '#adapters/trainers';

export const TRAINER_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:loraworks/trainers';

export function stubTrainerEnv(env: { FAL_KEY?: string; REPLICATE_API_TOKEN?: string; REPLICATE_DESTINATION?: string } = {}): void {
  resetTrainers();
  vi.stubEnv('FAL_KEY', env.FAL_KEY ?? '');
  vi.stubEnv('REPLICATE_API_TOKEN', env.REPLICATE_API_TOKEN ?? '');
  vi.stubEnv('REPLICATE_DESTINATION', env.REPLICATE_DESTINATION ?? '');
  vi.stubEnv('TRAINER_SECRET_ARN', TRAINER_SECRET_ARN);
}
