import './handler-env';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listTrainers, resetTrainers } from '#adapters/trainers';
import { TrainerList } from '#domain/schemas';
import { stubTrainerEnv } from './trainer-env';

const secretsManager = mockClient(SecretsManagerClient);
const keys = (value: Record<string, string>) => secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(value) });
const providersIn = (list: TrainerList) => [...new Set(list.trainers.map((t) => t.provider))].sort();

beforeEach(() => {
  stubTrainerEnv();
  secretsManager.reset();
  // fal's model listing is unreachable: the catalog serves its built-in entries.
  vi.stubGlobal('fetch', async () => { throw new TypeError('fetch failed'); });
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  resetTrainers();
});

describe('the trainer catalog', () => {
  it('keeps Replicate\'s trainers when its token and destination are both set', async () => {
    keys({ FAL_KEY: 'fal-key-123456', REPLICATE_API_TOKEN: 'r8_token123456' });
    vi.stubEnv('REPLICATE_DESTINATION', 'me/my-loras');
    const list = TrainerList.parse(await listTrainers());
    expect(providersIn(list)).toEqual(['fal', 'replicate']);
    expect(list.unavailable).toEqual([]);
  });

  it('leaves out Replicate\'s trainers, and says why, when no destination is configured', async () => {
    keys({ FAL_KEY: 'fal-key-123456', REPLICATE_API_TOKEN: 'r8_token123456' });
    const list = TrainerList.parse(await listTrainers());
    expect(providersIn(list)).toEqual(['fal']);
    expect(list.unavailable).toEqual([{ provider: 'replicate', reason: expect.stringMatching(/destination model.*replicateDestination=owner\/name/) }]);
    expect(list.unavailable[0]!.reason).not.toMatch(/REPLICATE_API_TOKEN/);
  });

  it('leaves out Replicate\'s trainers, and says why, when its token is missing', async () => {
    keys({ FAL_KEY: 'fal-key-123456' });
    vi.stubEnv('REPLICATE_DESTINATION', 'me/my-loras');
    const list = TrainerList.parse(await listTrainers());
    expect(providersIn(list)).toEqual(['fal']);
    expect(list.unavailable).toEqual([{ provider: 'replicate', reason: expect.stringMatching(/no API token: set REPLICATE_API_TOKEN in the trainer secret/) }]);
  });

  it('names both missing pieces of Replicate, and fal without its key, and lists nothing it cannot run', async () => {
    keys({});
    const list = TrainerList.parse(await listTrainers());
    expect(list.trainers).toEqual([]);
    expect(list.unavailable.map((u) => u.provider)).toEqual(['fal', 'replicate']);
    expect(list.unavailable[0]!.reason).toMatch(/set FAL_KEY/);
    expect(list.unavailable[1]!.reason).toMatch(/REPLICATE_API_TOKEN.*and.*destination/);
  });
});
