// The trainer providers and the catalog they serve. Keys come from FAL_KEY locally or from Secrets
// Manager in AWS, fetched once per container and never logged.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { fallbackTrainers, findTrainer } from '../domain/trainer-catalog';
import type { Trainer, TrainerList } from '../domain/schemas';
import { createFalProvider } from '../providers/fal';
import type { RemoteJob, TrainerProvider } from '../providers/provider';
import { config } from './config';

let secrets: SecretsManagerClient | undefined;
let falKey: Promise<string | undefined> | undefined;
let fal: Promise<TrainerProvider> | undefined;

/** The secret is either a plain key or JSON such as {"FAL_KEY": "..."}. */
function keyFromSecret(secret: string | undefined, name: string): string | undefined {
  if (!secret) return undefined;
  try {
    const parsed = JSON.parse(secret) as Record<string, unknown>;
    const value = parsed[name] ?? parsed.falKey ?? parsed.key;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return secret;
  }
}

async function loadFalKey(): Promise<string | undefined> {
  if (config.falKey) return config.falKey;
  const arn = config.trainerSecretArn;
  if (!arn) return undefined;
  secrets ??= new SecretsManagerClient({});
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: arn }));
  return keyFromSecret(SecretString, 'FAL_KEY');
}

export function falProvider(): Promise<TrainerProvider> {
  falKey ??= loadFalKey().catch((error: unknown) => {
    falKey = undefined; // a failed fetch is retried by the next call, not cached
    throw error;
  });
  fal ??= falKey.then((apiKey) => createFalProvider({ queueUrl: config.falQueueUrl, apiUrl: config.falApiUrl, apiKey })).catch((error: unknown) => {
    fal = undefined;
    throw error;
  });
  return fal;
}

/** The provider that runs (or will run) a job. */
export function providerFor(target: Pick<Trainer, 'provider'> | RemoteJob): Promise<TrainerProvider> {
  if (target.provider === 'fal') return falProvider();
  return Promise.reject(new Error(`No adapter for provider ${target.provider}.`));
}

const CATALOG_TTL_MS = 5 * 60 * 1000;
let catalog: { list: TrainerList; at: number } | undefined;

/** The catalog from the provider, or the built-in entries (source 'fallback') when it cannot answer. */
export async function listTrainers(now = Date.now()): Promise<TrainerList> {
  if (catalog && now - catalog.at < CATALOG_TTL_MS) return catalog.list;
  let list: TrainerList;
  try {
    const trainers = await (await falProvider()).listTrainers();
    list = trainers.length > 0 ? { source: 'provider', trainers } : { source: 'fallback', trainers: fallbackTrainers };
  } catch {
    list = { source: 'fallback', trainers: fallbackTrainers };
  }
  // A fallback answer is cached briefly only, so the provider's catalog returns as soon as it is reachable.
  catalog = { list, at: list.source === 'provider' ? now : now - CATALOG_TTL_MS + 30_000 };
  return list;
}

export async function getTrainer(trainerId: string): Promise<Trainer | undefined> {
  const { trainers } = await listTrainers();
  return findTrainer(trainers, trainerId) ?? findTrainer(fallbackTrainers, trainerId);
}

/** For tests: forget cached providers, keys and catalog. */
export function resetTrainers(): void {
  falKey = undefined;
  fal = undefined;
  catalog = undefined;
}
