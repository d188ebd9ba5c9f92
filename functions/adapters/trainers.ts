// The trainer providers and the catalog they serve. Keys come from the environment locally (FAL_KEY,
// REPLICATE_API_TOKEN) or from one Secrets Manager secret in AWS (JSON {"FAL_KEY": "...", "REPLICATE_API_TOKEN": "..."}),
// fetched once per container, never logged, and scrubbed from any error a provider raises.
import { fallbackTrainers, findTrainer } from '#domain/trainer-catalog';
import type { Trainer, TrainerList, UnavailableProvider } from '#domain/schemas';
import { createFalProvider } from '#providers/fal';
import type { RemoteJob, TrainerProvider } from '#providers/provider';
import { createReplicateProvider } from '#providers/replicate';
import { config } from './config';
import { logger } from './logger';
import { readSecretText } from './secrets';

export type ProviderName = Trainer['provider'];

export interface TrainerKeys {
  FAL_KEY?: string;
  REPLICATE_API_TOKEN?: string;
}

let keys: Promise<TrainerKeys> | undefined;
const providers = new Map<ProviderName, Promise<TrainerProvider>>();

/** The secret is JSON such as {"FAL_KEY": "...", "REPLICATE_API_TOKEN": "..."}, or (older setups) a plain fal key. */
export function keysFromSecret(secret: string | undefined): TrainerKeys {
  if (!secret) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret);
  } catch {
    return { FAL_KEY: secret.trim() }; // never echo the parse error: it quotes the secret
  }
  const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const pick = (...names: string[]) => names.map((name) => record[name]).find((value): value is string => typeof value === 'string' && value !== '');
  const fal = pick('FAL_KEY', 'falKey', 'key');
  const replicate = pick('REPLICATE_API_TOKEN', 'replicateApiToken');
  return { ...(fal ? { FAL_KEY: fal } : {}), ...(replicate ? { REPLICATE_API_TOKEN: replicate } : {}) };
}

async function loadKeys(): Promise<TrainerKeys> {
  const fromEnv: TrainerKeys = {
    ...(config.falKey ? { FAL_KEY: config.falKey } : {}),
    ...(config.replicateApiToken ? { REPLICATE_API_TOKEN: config.replicateApiToken } : {}),
  };
  const arn = config.trainerSecretArn;
  if (!arn) return fromEnv;
  const secret = await readSecretText(arn, 'trainer keys');
  // The environment wins, so a developer can point one provider at another account without touching the secret.
  return { ...keysFromSecret(secret), ...fromEnv };
}

function trainerKeys(): Promise<TrainerKeys> {
  keys ??= loadKeys().catch((error: unknown) => {
    keys = undefined; // a failed fetch is retried by the next call, not cached
    throw error;
  });
  return keys;
}

/** Replaces every occurrence of a secret in a text; short values are left alone (they would mangle words). */
export function scrub(text: string, secretValues: readonly (string | undefined)[]): string {
  let out = text;
  for (const value of secretValues) if (value && value.length >= 6) out = out.split(value).join('[redacted]');
  return out;
}

/** The same provider, but no error leaves it carrying a key: messages (and stacks) are scrubbed. */
export function withScrubbedErrors(provider: TrainerProvider, secretValues: readonly (string | undefined)[]): TrainerProvider {
  const guard = <A extends unknown[], R>(method: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    try {
      return await method(...args);
    } catch (error) {
      if (error instanceof Error) {
        error.message = scrub(error.message, secretValues);
        if (error.stack) error.stack = scrub(error.stack, secretValues);
      }
      throw error;
    }
  };
  return {
    listTrainers: guard(provider.listTrainers.bind(provider)),
    submit: guard(provider.submit.bind(provider)),
    status: guard(provider.status.bind(provider)),
    cancel: guard(provider.cancel.bind(provider)),
    result: guard(provider.result.bind(provider)),
  };
}

async function createProvider(name: ProviderName): Promise<TrainerProvider> {
  const { FAL_KEY, REPLICATE_API_TOKEN } = await trainerKeys();
  const secretValues = [FAL_KEY, REPLICATE_API_TOKEN];
  if (name === 'fal') {
    return withScrubbedErrors(createFalProvider({
      queueUrl: config.falQueueUrl, apiUrl: config.falApiUrl, timeoutMs: config.trainerTimeoutMs, ...(FAL_KEY ? { apiKey: FAL_KEY } : {}),
    }), secretValues);
  }
  return withScrubbedErrors(createReplicateProvider({
    apiUrl: config.replicateApiUrl,
    timeoutMs: config.trainerTimeoutMs,
    ...(REPLICATE_API_TOKEN ? { apiToken: REPLICATE_API_TOKEN } : {}),
    ...(config.replicateDestination ? { destination: config.replicateDestination } : {}),
  }), secretValues);
}

function provider(name: ProviderName): Promise<TrainerProvider> {
  let found = providers.get(name);
  if (!found) {
    found = createProvider(name);
    providers.set(name, found);
    found.catch(() => providers.delete(name));
  }
  return found;
}

export const falProvider = () => provider('fal');
export const replicateProvider = () => provider('replicate');

/** The provider that runs (or will run) a job: a trainer entry before submission, the job's `remote` after. */
export function providerFor(target: Pick<Trainer, 'provider'> | Pick<RemoteJob, 'provider'>): Promise<TrainerProvider> {
  if (target.provider === 'fal' || target.provider === 'replicate') return provider(target.provider);
  return Promise.reject(new Error(`No adapter for provider ${String((target as { provider: unknown }).provider)}.`));
}

const CATALOG_TTL_MS = 5 * 60 * 1000;
let catalog: { list: TrainerList; at: number } | undefined;

const replicateEntries = () => fallbackTrainers.filter((trainer) => trainer.provider === 'replicate');

const SECRET_HINT = 'in the trainer secret (the stack output TrainerSecretArn; locally the environment)';

/**
 * The providers a job could not be submitted to, each with what is missing: its key (from the trainer secret or
 * the environment) or, for Replicate, the destination model (stack configuration `replicateDestination`).
 */
export async function unavailableProviders(): Promise<UnavailableProvider[]> {
  const { FAL_KEY, REPLICATE_API_TOKEN } = await trainerKeys();
  const out: UnavailableProvider[] = [];
  if (!FAL_KEY) out.push({ provider: 'fal', reason: `fal has no API key: set FAL_KEY ${SECRET_HINT}.` });
  const replicateMissing = [
    ...(REPLICATE_API_TOKEN ? [] : [`no API token: set REPLICATE_API_TOKEN ${SECRET_HINT}`]),
    ...(config.replicateDestination ? [] : [
      'no destination model: create a model at replicate.com and deploy with `-c replicateDestination=owner/name` (locally REPLICATE_DESTINATION)',
    ]),
  ];
  if (replicateMissing.length > 0) out.push({ provider: 'replicate', reason: `Replicate has ${replicateMissing.join('; and ')}.` });
  return out;
}

/** fal's listing (source 'provider') or the built-in fal entries when it cannot answer (source 'fallback'),
 * followed by the Replicate trainers, which always come from the built-in entries. A provider whose key or
 * configuration is missing has its trainers left out and is named in `unavailable` with the reason. */
export async function listTrainers(now = Date.now()): Promise<TrainerList> {
  if (catalog && now - catalog.at < CATALOG_TTL_MS) return catalog.list;
  let unavailable: UnavailableProvider[];
  try {
    unavailable = await unavailableProviders();
  } catch (error) {
    // The keys could not be read (a passing Secrets Manager fault): list everything rather than hide it all.
    logger.warn('Trainer keys unreadable; the catalog cannot tell which providers are configured', { reason: (error as Error).message });
    unavailable = [];
  }
  let source: TrainerList['source'];
  let trainers: Trainer[];
  try {
    const listed = unavailable.some((u) => u.provider === 'fal') ? [] : await (await falProvider()).listTrainers();
    source = listed.length > 0 ? 'provider' : 'fallback';
    trainers = listed.length > 0 ? [...listed, ...replicateEntries()] : fallbackTrainers;
  } catch (error) {
    logger.warn('Trainer catalog served from the built-in entries', { reason: (error as Error).message });
    source = 'fallback';
    trainers = fallbackTrainers;
  }
  const hidden = new Set(unavailable.map((u) => u.provider));
  const list: TrainerList = { source, trainers: trainers.filter((t) => !hidden.has(t.provider)), unavailable };
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
  keys = undefined;
  providers.clear();
  catalog = undefined;
}
