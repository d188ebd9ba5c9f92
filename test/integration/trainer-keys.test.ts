// The trainer keys reach the functions the way AWS hands them over: from the trainer secret the template
// declares, read through Secrets Manager, never from the functions' environment. A provider whose key is
// missing from the secret has its trainers hidden, and a wrong key fails Submit with the provider's own 401,
// because the emulator accepts only the keys of the account, as fal and Replicate do.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import type { Job, TrainerList } from '#domain/schemas';
import { principalCredentials } from '#local/aws/local-credentials';
import { useCloudSession } from '#support/cloud-session';
import { makeDatasetZip } from '#support/dataset-zip';
import { EmulatorClient } from '#support/emulator-client';

/** The operator filled in a Replicate token with a typo and no fal key; the accounts have other keys. */
const session = useCloudSession('trainer-keys', {
  stepsPerSecond: 500,
  cloud: { trainerKeys: { REPLICATE_API_TOKEN: 'r8_operator_typo' }, emulatorKeys: { fal: 'fal-account-key', replicate: 'r8_account_token' } },
});

describe('trainer keys through the secret path', () => {
  it('live in the trainer secret in the shape the stack declares, not in the functions\' environment', async () => {
    expect(process.env.FAL_KEY).toBeUndefined();
    expect(process.env.REPLICATE_API_TOKEN).toBeUndefined();
    const arn = process.env.TRAINER_SECRET_ARN!;
    expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:StorageTrainerSecret\w+-\w{6}$/);
    const secrets = new SecretsManagerClient({});
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: arn }));
    expect(JSON.parse(SecretString!)).toEqual({ FAL_KEY: '', REPLICATE_API_TOKEN: 'r8_operator_typo' });
    // The dataset link signer's secret holds that principal's local key, as the stack's holds its user's access key.
    const signer = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.DATASET_LINK_SIGNER_SECRET_ARN! }));
    expect(JSON.parse(signer.SecretString!)).toEqual(principalCredentials('dataset-link-signer'));
    const missing = await secrets.send(new GetSecretValueCommand({ SecretId: `${arn}x` })).catch((error: Error) => error);
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
  });

  it('hide fal\'s trainers when the secret has no fal key, and say why', async () => {
    const list = await session.client.expect<TrainerList>(200, 'GET', '/trainers');
    expect(list.trainers.some((t) => t.provider === 'fal')).toBe(false);
    expect(list.trainers.some((t) => t.provider === 'replicate')).toBe(true);
    expect(list.unavailable).toEqual([{ provider: 'fal', reason: expect.stringContaining('FAL_KEY') }]);
  });

  it('fail Submit with the provider\'s 401 when the key in the secret is wrong', async () => {
    const { dataset, version } = await session.client.uploadDataset(await makeDatasetZip({ images: 10, size: 300 }));
    expect((await session.feed.datasetVersion(dataset.id, version, ['READY', 'INVALID'])).status).toBe('READY');
    const job = await session.client.expect<Job>(201, 'POST', '/jobs', {
      trainerId: 'replicate/ostris/flux-dev-lora-trainer', datasetId: dataset.id, triggerPhrase: 'ohwx key', params: { steps: 100 },
    });
    const failed = await session.feed.job(job.id, 'FAILED', 60_000);
    expect(failed.error).toMatchObject({ code: 'TRAINER_REJECTED', message: expect.stringContaining('(HTTP 401): You did not pass a valid authentication token') });
    expect(failed.error?.message).not.toContain('r8_operator_typo');
    expect(await new EmulatorClient(session.cloud.emulatorUrl).requests()).toEqual([]);
  });
});
