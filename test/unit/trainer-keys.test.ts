import './handler-env';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '#adapters/logger';
import { keysFromSecret, listTrainers, providerFor, resetTrainers, scrub } from '#adapters/trainers';
import { stubTrainerEnv } from './trainer-env';

const FAL_KEY = 'fal-key-0a1b2c:3d4e5f6a7b8c';
const REPLICATE_API_TOKEN = 'r8_Zx9Yw8Xv7Uu6Tt5Ss4';
const secretsManager = mockClient(SecretsManagerClient);

/** Everything logged, as text: logger calls and anything written to stdout or stderr. */
function captureLogs() {
  const lines: string[] = [];
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    vi.spyOn(logger, level).mockImplementation((...args: unknown[]) => {
      lines.push(JSON.stringify(args, (_, value) => (value instanceof Error ? { message: value.message, stack: value.stack } : value)));
    });
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(String(chunk));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
  return () => lines.join('\n');
}

/** A fetch whose failures quote the request's headers, as a careless library or proxy might. */
const chattyFetch: typeof fetch = async (input, init) => {
  const headers = JSON.stringify(init?.headers ?? {});
  if (String(input).includes('/v1/models?')) throw new TypeError(`fetch failed for ${String(input)} with ${headers}`);
  return new Response(JSON.stringify({ detail: `bad request, you sent ${headers}`, title: `bad request ${headers}` }), { status: 400 });
};

beforeEach(() => {
  stubTrainerEnv({ REPLICATE_DESTINATION: 'me/my-loras' });
  secretsManager.reset();
  secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ FAL_KEY, REPLICATE_API_TOKEN }) });
  vi.stubGlobal('fetch', chattyFetch);
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  resetTrainers();
});

describe('trainer keys', () => {
  it('never reach a log or an error, even when a provider\'s error quotes the request headers', async () => {
    const logged = captureLogs();
    const list = await listTrainers();
    expect(list.source).toBe('fallback');
    const errors: string[] = [];
    for (const target of [{ provider: 'fal' as const }, { provider: 'replicate' as const }]) {
      const provider = await providerFor(target);
      const error = await provider.status({ provider: target.provider, endpoint: 'replicate/ostris/flux-dev-lora-trainer', requestId: 'r1' }).catch((caught: Error) => caught);
      expect(error).toBeInstanceOf(Error);
      logger.error('Poll failed', { error });
      errors.push(`${(error as Error).message}\n${(error as Error).stack}`);
    }
    const text = `${logged()}\n${errors.join('\n')}`;
    expect(text, 'the failures were logged').toContain('[redacted]');
    expect(text).not.toContain(FAL_KEY);
    expect(text).not.toContain(REPLICATE_API_TOKEN);
  });

  it('are read from Secrets Manager once, and the environment wins over the secret', async () => {
    await providerFor({ provider: 'fal' });
    await providerFor({ provider: 'replicate' });
    await providerFor({ provider: 'fal' });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);

    resetTrainers();
    vi.stubEnv('FAL_KEY', 'local-override-key');
    const seen: string[] = [];
    vi.stubGlobal('fetch', async (_: unknown, init?: RequestInit) => {
      seen.push((init?.headers as Record<string, string>).authorization ?? '');
      return new Response(JSON.stringify({ status: 'IN_QUEUE', queue_position: 0 }), { status: 202 });
    });
    await (await providerFor({ provider: 'fal' })).status({ provider: 'fal', endpoint: 'fal-ai/wan-trainer', requestId: 'x' });
    expect(seen).toEqual(['Key local-override-key']);
  });

  it('say which secret could not be read without quoting it', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(Object.assign(new Error(`denied ${FAL_KEY}`), { name: 'AccessDeniedException' }));
    const error = await providerFor({ provider: 'fal' }).catch((caught: Error) => caught);
    expect((error as Error).message).toBe('Could not read the trainer keys from Secrets Manager: AccessDeniedException.');
  });

  it('are parsed from JSON or a plain key, without echoing a broken secret', () => {
    expect(keysFromSecret(JSON.stringify({ FAL_KEY, REPLICATE_API_TOKEN }))).toEqual({ FAL_KEY, REPLICATE_API_TOKEN });
    expect(keysFromSecret(FAL_KEY)).toEqual({ FAL_KEY });
    expect(keysFromSecret(undefined)).toEqual({});
    expect(scrub(`a ${FAL_KEY} b ${FAL_KEY}`, [FAL_KEY, undefined])).toBe('a [redacted] b [redacted]');
  });

  it('pick the adapter by provider, for a trainer entry or a submitted job', async () => {
    const fal = await providerFor({ provider: 'fal' });
    const replicate = await providerFor({ provider: 'replicate', endpoint: 'replicate/ostris/flux-dev-lora-trainer', requestId: 'r' } as never);
    expect(fal).not.toBe(replicate);
    expect(await replicate.listTrainers()).toEqual([expect.objectContaining({ provider: 'replicate' })]);
    await expect(providerFor({ provider: 'other' } as never)).rejects.toThrow('No adapter for provider other.');
  });
});

describe('the trainer catalog', () => {
  it('lists fal\'s trainers from its listing followed by the Replicate ones', async () => {
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({
      models: [{ endpoint_id: 'fal-ai/wan-trainer', metadata: { display_name: 'Wan', category: 'training', description: 'd' } }], has_more: false,
    }), { status: 200 }));
    const list = await listTrainers();
    expect(list.source).toBe('provider');
    expect(list.trainers.map((trainer) => trainer.id)).toEqual(['fal-ai/wan-trainer', 'replicate/ostris/flux-dev-lora-trainer']);
  });
});
