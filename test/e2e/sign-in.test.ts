// Sign-in in a real browser against the local cloud's OpenID provider, with the web app's one OpenID client
// (oidc-client-ts): the redirect flow, a reload, a refresh of short-lived tokens (API and WebSocket go on with
// the new ID token), sign-out at the provider, and a tampered state or code_verifier that is refused.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import type { Page, Request, WebSocket } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { RESULTS } from '#support/browser';
import { useBrowserSession } from '#support/browser-session';
import { makeDatasetZip } from '#support/dataset-zip';

/** Short enough that the test sees a refresh and the first token's expiry; the app renews 10 s before. */
const TOKEN_SECONDS = 20;
const UI_TIMEOUT = 30_000;

const ui = useBrowserSession('e2e-sign-in', { timeoutMs: UI_TIMEOUT, oidcTokenSeconds: TOKEN_SECONDS });
const sockets: WebSocket[] = [];
/** Every message the app's WebSockets received, with the token the socket connected with. */
const frames: { token: string; payload: string; at: number }[] = [];
const apiCalls: { request: Request; status: number; at: number }[] = [];

beforeAll(() => {
  ui.page.on('websocket', (socket) => {
    sockets.push(socket);
    const token = new URL(socket.url()).searchParams.get('token') ?? '';
    socket.on('framereceived', (frame) => frames.push({ token, payload: String(frame.payload), at: Date.now() }));
  });
  ui.page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/api/')) apiCalls.push({ request: response.request(), status: response.status(), at: Date.now() });
  });
});

const issuer = () => `${ui.cloud.url}/dev`;
/** The user oidc-client-ts keeps in localStorage (what survives a reload). */
const storedUser = (page: Page) => page.evaluate((key) => {
  const raw = localStorage.getItem(key);
  return raw ? JSON.parse(raw) as { id_token: string; refresh_token?: string } : null;
}, `oidc.user:${issuer()}:loraworks-local`);
const shot = async (name: string) => {
  await ui.page.screenshot({ path: join(RESULTS, `sign-in-${name}.png`) });
  await ui.page.screenshot({ path: join(RESULTS, `oidc-${name}.png`) }).catch(() => undefined);
};
const userName = () => ui.page.getByTestId('user-name').textContent();

describe('signing in with the local OpenID provider', () => {
  it('goes from the Sign in button to the provider\'s page and back to the workspace, code and state out of the address bar', async () => {
    await ui.page.goto(ui.cloud.url);
    await ui.page.getByTestId('sign-in').waitFor();
    expect(await ui.page.locator('main.signin').innerText()).toMatch(/Loraworks is a workspace for LoRA fine-tuning/);
    await shot('screen');

    await ui.page.getByTestId('sign-in').click();
    await ui.page.getByTestId('provider-user').waitFor();
    const authorize = new URL(ui.page.url());
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${issuer()}/oauth2/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: 'loraworks-local', redirect_uri: `${ui.cloud.url}/`, response_type: 'code', scope: 'openid email profile', code_challenge_method: 'S256',
    });
    expect(await ui.page.locator('h1').innerText()).toBe('Sign in as');
    await ui.page.getByTestId('provider-user').fill('e2e-oidc');
    await shot('provider');

    await ui.page.getByTestId('provider-continue').click();
    await expect.poll(userName, { timeout: UI_TIMEOUT }).toBe('e2e-oidc');
    expect(ui.page.url()).toBe(`${ui.cloud.url}/`);
    await expect.poll(() => ui.page.getByTestId('link-state').textContent(), { timeout: UI_TIMEOUT }).toBe('Live');
    expect(decodeJwt((await storedUser(ui.page))!.id_token)).toMatchObject({ iss: issuer(), aud: 'loraworks-local', sub: 'dev-e2e-oidc', token_use: 'id' });
    // The API gets the ID token (the first one, or a refreshed one on a slow machine: tokens last 20 s here).
    const idTokenCall = (call: (typeof apiCalls)[number]) => {
      const bearer = /^Bearer (.+)$/.exec(call.request.headers().authorization ?? '')?.[1];
      return call.status === 200 && !!bearer && decodeJwt(bearer).token_use === 'id' && decodeJwt(bearer).sub === 'dev-e2e-oidc';
    };
    await expect.poll(() => apiCalls.some(idTokenCall), { timeout: UI_TIMEOUT }).toBe(true);
    await ui.page.getByTestId('trainer-select').locator('option[value]:not([value=""])').first().waitFor({ state: 'attached' });
    await shot('workspace');
  });

  it('keeps the session across a reload, without going back to the provider', async () => {
    const visited: string[] = [];
    const onRequest = (request: Request) => visited.push(request.url());
    ui.page.on('request', onRequest);
    await ui.page.reload();
    await expect.poll(userName, { timeout: UI_TIMEOUT }).toBe('e2e-oidc');
    ui.page.off('request', onRequest);
    expect(visited.filter((url) => url.includes('/oauth2/authorize'))).toEqual([]);
  });

  it('refreshes the tokens before they expire: the API and the WebSocket go on with the new ID token', async () => {
    const first = (await storedUser(ui.page))!.id_token;
    const firstExpiry = decodeJwt(first).exp! * 1000;
    await expect.poll(async () => (await storedUser(ui.page))?.id_token, { timeout: (TOKEN_SECONDS + 5) * 1000, interval: 500 }).not.toBe(first);
    const renewed = (await storedUser(ui.page))!;
    expect(decodeJwt(renewed.id_token)).toMatchObject({ sub: 'dev-e2e-oidc', token_use: 'id' });
    expect(renewed.refresh_token, 'Cognito keeps the refresh token; so does the client').toBeTruthy();

    // Past the first token's expiry: the gateway would refuse it now.
    await ui.page.waitForTimeout(Math.max(0, firstExpiry - Date.now() + 1500));
    const current = (await storedUser(ui.page))!.id_token;
    expect(decodeJwt(current).exp! * 1000).toBeGreaterThan(Date.now());
    const since = Date.now();

    // The live channel was made again with a refreshed token (it is, after every refresh).
    const socketToken = new URL(sockets.at(-1)!.url()).searchParams.get('token')!;
    expect(socketToken).not.toBe(first);
    expect(decodeJwt(socketToken).exp! * 1000).toBeGreaterThan(firstExpiry);
    await expect.poll(() => ui.page.getByTestId('link-state').textContent(), { timeout: UI_TIMEOUT }).toBe('Live');

    // An upload: API calls with a fresh token succeed, and the version's progress is pushed over a socket that
    // connected with a refreshed token.
    const zipPath = join(ui.dataDir, 'after-refresh.zip');
    await writeFile(zipPath, await makeDatasetZip({ images: 4, size: 64 }));
    await ui.page.getByTestId('dataset-file').setInputFiles(zipPath);
    await ui.page.locator('[data-testid="dataset-status"][data-status="READY"]').waitFor({ timeout: 60_000 });
    const pushes = frames.filter((f) => f.at >= since && f.payload.includes('"type":"dataset"'));
    expect(pushes.length, 'dataset versions pushed after the first token expired').toBeGreaterThan(0);
    for (const push of pushes) expect(push.token).not.toBe(first);
    const later = apiCalls.filter((c) => c.at >= since);
    expect(later.length).toBeGreaterThan(0);
    expect(later.map((c) => c.status).filter((s) => s === 401 || s === 403)).toEqual([]);
    for (const call of later) expect(call.request.headers().authorization).not.toBe(`Bearer ${first}`);
    expect(await userName()).toBe('e2e-oidc');
  });

  it('signs out at the provider: back to the sign-in screen, the refresh token revoked, and the provider asks again', async () => {
    const refreshToken = (await storedUser(ui.page))!.refresh_token!;
    const visited: string[] = [];
    const onRequest = (request: Request) => visited.push(request.url());
    ui.page.on('request', onRequest);
    await ui.page.getByTestId('sign-out').click();
    await ui.page.getByTestId('sign-in').waitFor();
    ui.page.off('request', onRequest);
    expect(visited.some((url) => url.startsWith(`${issuer()}/logout?client_id=loraworks-local&logout_uri=${encodeURIComponent(`${ui.cloud.url}/`)}`))).toBe(true);
    expect(ui.page.url()).toBe(`${ui.cloud.url}/`);
    expect(await storedUser(ui.page)).toBeNull();
    const refresh = await fetch(`${issuer()}/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'loraworks-local', refresh_token: refreshToken }),
    });
    expect(refresh.status).toBe(400);
    expect(await refresh.json()).toMatchObject({ error: 'invalid_grant' });

    await ui.page.getByTestId('sign-in').click();
    await ui.page.getByTestId('provider-user').waitFor();
    expect(await ui.page.locator('h1').innerText()).toBe('Sign in as');
  });

  it('refuses an answer whose state was tampered with: the error is shown and nobody is signed in', async () => {
    // On the provider's page from the last test: the state the app sent is changed before it comes back.
    await ui.page.locator('input[name="state"]').evaluate((input) => { (input as HTMLInputElement).value += 'tampered'; });
    await ui.page.getByTestId('provider-user').fill('e2e-mallory');
    await ui.page.getByTestId('provider-continue').click();
    await expect.poll(() => ui.page.getByTestId('sign-in-error').textContent(), { timeout: UI_TIMEOUT }).toMatch(/^Sign-in did not complete \(.*state.*\)\. Press Sign in to try again\.$/);
    expect(ui.page.url(), 'code and state are taken out of the address bar').toBe(`${ui.cloud.url}/`);
    expect(await ui.page.getByTestId('user-name').count()).toBe(0);
    expect(await storedUser(ui.page)).toBeNull();
    await shot('tampered-state');
  });

  it('refuses a tampered code_verifier: the token endpoint answers 400 invalid_grant and the error is shown', async () => {
    await ui.page.route(`${issuer()}/oauth2/token`, (route) => {
      const form = new URLSearchParams(route.request().postData() ?? '');
      if (form.get('grant_type') === 'authorization_code') form.set('code_verifier', `${form.get('code_verifier')}x`);
      return route.continue({ postData: form.toString() });
    });
    const answer = ui.page.waitForResponse((response) => response.url() === `${issuer()}/oauth2/token`);
    // The provider still has the session of the last sign-in, so it answers at once, without its page.
    await ui.page.getByTestId('sign-in').click();
    const response = await answer;
    expect(response.status()).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/code_verifier/) });
    await expect.poll(() => ui.page.getByTestId('sign-in-error').textContent(), { timeout: UI_TIMEOUT }).toMatch(/^Sign-in did not complete \(.*code_verifier.*\)\. Press Sign in to try again\.$/);
    expect(await ui.page.getByTestId('user-name').count()).toBe(0);
    expect(await storedUser(ui.page)).toBeNull();
    await ui.page.unroute(`${issuer()}/oauth2/token`);

    // Sign in again works.
    await ui.page.getByTestId('sign-in').click();
    await expect.poll(userName, { timeout: UI_TIMEOUT }).toBe('e2e-mallory');
  });
});
