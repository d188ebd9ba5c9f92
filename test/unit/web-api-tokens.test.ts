// The web app's API-token panel without a browser: what it offers (the expiry choices the API takes), which tokens
// it marks expired, the CLI line, and what its actions make of the API's answers (the token shown once, rows that
// go, refusals with the API's own message).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CreateTokenRequest } from '#domain/schemas';
import { ApiTokenActions } from '#web/actions/api-tokens';
import { ApiClient } from '#web/api';
import { Store, initialState } from '#web/state';
import { DEFAULT_EXPIRY_DAYS, EXPIRY_CHOICES, cliLoginLine, isExpired, newestFirst } from '#web/token-rules';

const token = (id: string, createdAt: string, extra: { lastUsedAt?: string; expiresAt?: string } = {}) =>
  ({ id, name: `token ${id}`, createdAt, expiresAt: extra.expiresAt ?? '2027-01-01T00:00:00.000Z', ...extra });

describe('what the token panel offers', () => {
  it('offers only lifetimes the API takes, 90 days (its default) preselected', () => {
    for (const days of EXPIRY_CHOICES) expect(CreateTokenRequest.safeParse({ name: 'ci', expiresInDays: days }).success).toBe(true);
    expect(CreateTokenRequest.parse({ name: 'ci' }).expiresInDays).toBe(DEFAULT_EXPIRY_DAYS);
  });

  it('marks a token expired from the moment its expiry passes', () => {
    const at = Date.parse('2026-12-02T10:00:00.000Z');
    expect(isExpired({ expiresAt: '2026-12-02T09:59:59.000Z' }, at)).toBe(true);
    expect(isExpired({ expiresAt: '2026-12-02T10:00:00.000Z' }, at)).toBe(true);
    expect(isExpired({ expiresAt: '2026-12-02T10:00:01.000Z' }, at)).toBe(false);
  });

  it('lists the newest first', () => {
    const list = newestFirst([token('a', '2026-11-01T00:00:00.000Z'), token('c', '2026-12-01T00:00:00.000Z'), token('b', '2026-11-15T00:00:00.000Z')]);
    expect(list.map((t) => t.id)).toEqual(['c', 'b', 'a']);
  });

  it('writes the CLI line against this workspace', () => {
    expect(cliLoginLine('https://app.example.com/', 'lwk_abc')).toBe('npx loraworks login --url https://app.example.com --token lwk_abc');
    expect(cliLoginLine('http://localhost:3000', 'lwk_abc')).toBe('npx loraworks login --url http://localhost:3000 --token lwk_abc');
  });
});

describe('the token actions', () => {
  let answers: { status: number; body?: unknown }[];
  let requests: { method: string; url: string; body?: unknown }[];
  let store: Store;
  let actions: ApiTokenActions;

  beforeEach(() => {
    vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => {}, removeItem: () => {} });
    answers = [];
    requests = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit) => {
      requests.push({ method: init.method ?? 'GET', url, body: init.body ? JSON.parse(String(init.body)) : undefined });
      const answer = answers.shift() ?? { status: 500 };
      return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
    }));
    store = new Store(initialState());
    actions = new ApiTokenActions({ store, api: new ApiClient('https://api.test', 'jwt') });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('shows a created token once, at the top of the list, and forgets it when the panel closes', async () => {
    answers.push({ status: 200, body: { tokens: [token('old', '2026-11-01T00:00:00.000Z', { lastUsedAt: '2026-11-02T00:00:00.000Z' })] } });
    actions.open();
    await vi.waitFor(() => expect(store.get().tokenPanel.phase).toBe('ready'));
    answers.push({ status: 201, body: { id: 'new', name: 'ci', token: 'lwk_secret', createdAt: '2026-12-02T00:00:00.000Z', expiresAt: '2027-01-01T00:00:00.000Z' } });
    expect(await actions.create('  ci ', 30)).toBe(true);
    expect(requests.at(-1)).toEqual({ method: 'POST', url: 'https://api.test/tokens', body: { name: 'ci', expiresInDays: 30 } });
    const panel = store.get().tokenPanel;
    expect(panel.created?.token).toBe('lwk_secret');
    expect(panel.tokens.map((t) => t.id)).toEqual(['new', 'old']);
    expect(JSON.stringify(panel.tokens)).not.toContain('lwk_secret');

    actions.close();
    expect(store.get().tokenPanel.created).toBeNull();
    expect(JSON.stringify(store.get())).not.toContain('lwk_secret');
  });

  it('asks for a name without calling the API', async () => {
    expect(await actions.create('   ', 90)).toBe(false);
    expect(store.get().tokenPanel.fieldErrors.name).toMatch(/Give the token a name/);
    expect(requests).toEqual([]);
  });

  it('shows a refusal with the API’s own message, and field messages by field', async () => {
    answers.push({ status: 409, body: { error: { code: 'TOO_MANY_TOKENS', message: 'You hold 20 live tokens, the most allowed; revoke one first.' } } });
    expect(await actions.create('ci', 90)).toBe(false);
    expect(store.get().tokenPanel.error).toBe('The token was not created: You hold 20 live tokens, the most allowed; revoke one first.');
    answers.push({ status: 422, body: { error: { code: 'INVALID_REQUEST', message: 'Some values in the request are not valid; see details.', details: [{ field: 'name', message: 'The token name may not hold control characters.' }] } } });
    expect(await actions.create('c\u0007i', 90)).toBe(false);
    expect(store.get().tokenPanel.fieldErrors).toEqual({ name: 'The token name may not hold control characters.' });
  });

  it('removes a revoked row, and a row already revoked elsewhere, but keeps one the API did not revoke', async () => {
    answers.push({ status: 200, body: { tokens: [token('a', '2026-11-01T00:00:00.000Z'), token('b', '2026-11-02T00:00:00.000Z'), token('c', '2026-11-03T00:00:00.000Z')] } });
    await actions.load();
    const [c, b, a] = store.get().tokenPanel.tokens;
    answers.push({ status: 204 });
    await actions.revoke(c!);
    expect(requests.at(-1)).toMatchObject({ method: 'DELETE', url: 'https://api.test/tokens/c' });
    answers.push({ status: 404, body: { error: { code: 'NOT_FOUND', message: 'No such token.' } } });
    await actions.revoke(b!);
    answers.push({ status: 500, body: { error: { code: 'INTERNAL', message: 'Something went wrong on our side; try again in a moment.' } } });
    await actions.revoke(a!);
    expect(store.get().tokenPanel.tokens.map((t) => t.id)).toEqual(['a']);
    expect(store.get().tokenPanel.error).toBe('“token a” was not revoked: Something went wrong on our side; try again in a moment.');
    expect(store.get().tokenPanel.revoking).toEqual([]);
  });
});
