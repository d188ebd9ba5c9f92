// The estimate beside Start training, as the web app's actions keep it: asked of POST /jobs/estimate for the form
// as it is, an API refusal kept as the reason there is no estimate, and an answer to an older form dropped.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fallbackTrainers } from '#domain/trainer-catalog';
import type { JobEstimate } from '#domain/schemas';
import { JobActions } from '#web/actions/jobs';
import { ApiClient } from '#web/api';
import { defaultValues } from '#web/params';
import { initialState, Store } from '#web/state';

const trainer = fallbackTrainers.find((t) => t.id === 'fal-ai/flux-lora-fast-training')!;
const version = { version: 1, status: 'READY', sizeBytes: 1, fileName: 'set.zip', source: 'web', createdAt: '2026-01-01T00:00:00.000Z' } as const;
const answer = (costUsd: number): JobEstimate => ({ costUsd, durationSeconds: 480, basis: 'Estimate: …' });

let calls: { body: Record<string, unknown>; resolve: (response: Response) => void }[];

function workspace() {
  const store = new Store({
    ...initialState(), trainers: [trainer], trainerId: trainer.id, params: defaultValues(trainer), triggerPhrase: 'tok',
    dataset: { id: 'ds1', name: 'set', version },
  });
  return { store, actions: new JobActions({ store, api: new ApiClient('https://api.test', 'token') }) };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

beforeEach(() => {
  vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => undefined });
  calls = [];
  vi.stubGlobal('fetch', vi.fn((_url: string, init: RequestInit) => new Promise<Response>((resolve) => {
    calls.push({ body: JSON.parse(String(init.body)) as Record<string, unknown>, resolve });
  })));
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the estimate of the training form', () => {
  it('asks with the body POST /jobs would get and keeps the answer', async () => {
    const { store, actions } = workspace();
    const done = actions.estimate();
    expect(store.get().estimate.phase).toBe('loading');
    expect(calls[0]!.body).toMatchObject({ trainerId: trainer.id, datasetId: 'ds1', datasetVersion: 1, triggerPhrase: 'tok', params: { steps: 1000 }, origin: 'web' });
    calls[0]!.resolve(json(200, answer(2)));
    await done;
    expect(store.get().estimate).toEqual({ phase: 'ready', value: answer(2), error: null });
  });

  it('keeps what the API said when it refuses, as the reason there is no estimate', async () => {
    const { store, actions } = workspace();
    const done = actions.estimate();
    calls[0]!.resolve(json(409, { error: { code: 'DATASET_NOT_READY', message: 'Version 1 of dataset set is not validated yet. Pick a READY version or upload a new one.' } }));
    await done;
    expect(store.get().estimate).toMatchObject({ phase: 'error', error: 'Version 1 of dataset set is not validated yet. Pick a READY version or upload a new one.' });
  });

  it('drops an answer to a form that has changed since, and shows none without a dataset version', async () => {
    const { store, actions } = workspace();
    const first = actions.estimate();
    store.set((s) => ({ params: { ...s.params, steps: '1500' } }));
    const second = actions.estimate();
    calls[1]!.resolve(json(200, answer(3)));
    await second;
    calls[0]!.resolve(json(200, answer(2)));
    await first;
    expect(store.get().estimate.value).toEqual(answer(3));

    store.set({ dataset: null });
    await actions.estimate();
    expect(store.get().estimate).toEqual({ phase: 'idle', value: null, error: null });
  });
});
