// The API-token panel in a real browser: a token is created and shown once (with Copy and the CLI line), works
// against the API as its owner, shows its last use in the list, and is refused by the gateway once revoked.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RESULTS } from '#support/browser';
import { signIn } from '#support/browser';
import { useBrowserSession } from '#support/browser-session';
import { LoraworksClient } from '#support/local-cloud-client';
import { MAX_LIVE_TOKENS } from '#domain/api-token-limits';

// The first calls of each route start its function cold, which takes long on a busy machine.
const ui = useBrowserSession('e2e-tokens', { timeoutMs: 60_000 });
const pageErrors: string[] = [];
let origin = '';

/** Waits for what the page shows, as long as the page's own waits. */
const poll = <T>(read: () => Promise<T>, message?: string) => expect.poll(read, { timeout: 60_000, message });
const panel = () => ui.page.getByTestId('tokens-panel');
const row = (name: string) => panel().getByTestId('token-row').filter({ has: ui.page.getByTestId('token-row-name').getByText(name, { exact: true }) });

async function openPanel(): Promise<void> {
  await ui.page.getByTestId('open-tokens').click();
  await panel().waitFor();
  // The list is loaded afresh each time the panel opens.
  await panel().getByText('Loading your tokens…').waitFor({ state: 'detached' });
}

const callApi = (token: string, path: string) =>
  fetch(`${ui.cloud.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  origin = new URL(ui.cloud.url).origin;
  ui.page.on('pageerror', (error) => pageErrors.push(error.message));
  // Copy writes the clipboard; the test reads it back.
  await ui.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  await signIn(ui.page, ui.cloud.url, 'e2e-tokens');
});

describe('the API-token panel', { timeout: 120_000 }, () => {
  let secret = '';

  it('opens from the header and says what tokens are for while there are none', async () => {
    await openPanel();
    const empty = panel().getByTestId('tokens-empty');
    await empty.waitFor();
    expect(await empty.innerText()).toMatch(/CLI and your scripts/);
    expect(await panel().getByTestId('token-row').count()).toBe(0);
    // Keyboard: the name field has the focus and a label; the expiry offers the API's choices, 90 days first.
    expect(await ui.page.evaluate(() => document.activeElement?.id)).toBe('token-name');
    expect(await panel().getByLabel('Name').count()).toBe(1);
    expect(await panel().getByLabel('Expires after').locator('option').allInnerTexts()).toEqual(['7 days', '30 days', '90 days', '365 days']);
    expect(await panel().getByLabel('Expires after').inputValue()).toBe('90');
    await ui.page.screenshot({ path: join(RESULTS, 'tokens-empty.png') });
  });

  it('asks for a name before creating anything', async () => {
    await panel().getByTestId('token-create').click();
    expect(await panel().getByTestId('token-name-error').innerText()).toMatch(/Give the token a name/);
    expect(await panel().getByTestId('token-row').count()).toBe(0);
  });

  it('creates a token shown once in a box with Copy and the CLI line', async () => {
    await panel().getByLabel('Name').fill('ci-laptop');
    await panel().getByLabel('Expires after').selectOption('30');
    await panel().getByTestId('token-create').click();
    const created = panel().getByTestId('token-created');
    await created.waitFor();
    secret = await created.getByTestId('token-secret').innerText();
    expect(secret).toMatch(/^lwk_\S{20,}$/);
    expect(await created.innerText()).toContain('it will not be shown again');
    expect(await created.getByTestId('token-cli-line').innerText()).toBe(`npx loraworks login --url ${origin} --token ${secret}`);
    expect(await panel().getByTestId('token-name-error').innerText()).toBe('');

    // Copy puts the token itself on the clipboard and says so.
    await created.getByTestId('token-copy').click();
    await poll(() => created.getByTestId('token-copy').innerText()).toBe('Copied');
    expect(await ui.page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await created.getByTestId('token-cli-copy').click();
    await poll(() => ui.page.evaluate(() => navigator.clipboard.readText())).toBe(`npx loraworks login --url ${origin} --token ${secret}`);

    // The list has it, never used yet, expiring in 30 days.
    await row('ci-laptop').waitFor();
    expect(await row('ci-laptop').getByTestId('token-row-last-used').innerText()).toBe('never');
    const expires = new Date(Date.now() + 30 * 24 * 3600 * 1000);
    const shown = await row('ci-laptop').getByTestId('token-row-expires').innerText();
    const around = [-1, 0, 1].map((d) => new Intl.DateTimeFormat('en', { dateStyle: 'medium' }).format(new Date(expires.getTime() + d * 24 * 3600 * 1000)));
    expect(around).toContain(shown.trim());
    await ui.page.screenshot({ path: join(RESULTS, 'tokens-created.png') });
  });

  it('never shows the token again: not after closing the panel, not after a reload', async () => {
    // Escape closes the dialog, as the close button does.
    await ui.page.keyboard.press('Escape');
    await poll(() => panel().isVisible()).toBe(false);
    expect(await ui.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'focus returns to the header button').toBe('open-tokens');
    await openPanel();
    expect(await panel().getByTestId('token-created').isVisible()).toBe(false);
    expect(await ui.page.content()).not.toContain(secret);

    await ui.page.reload();
    await poll(() => ui.page.getByTestId('user-name').textContent()).toBe('e2e-tokens');
    await openPanel();
    await row('ci-laptop').waitFor();
    expect(await ui.page.content()).not.toContain(secret);
    expect(await ui.page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))).not.toContain(secret);
  });

  it('works against the API as its owner, and the list shows its last use', async () => {
    const datasets = await callApi(secret, '/datasets');
    expect(datasets.status).toBe(200);
    expect(await datasets.json()).toEqual({ datasets: [] });

    await panel().getByTestId('tokens-refresh').click();
    await poll(() => row('ci-laptop').getByTestId('token-row-last-used').innerText()).toBe('just now');
    await ui.page.screenshot({ path: join(RESULTS, 'tokens-list.png') });
  });

  it('revokes after a confirmation: the row goes and the API refuses the token', async () => {
    await row('ci-laptop').getByTestId('token-revoke').click();
    const confirm = panel().getByTestId('token-confirm');
    expect(await confirm.innerText()).toMatch(/Revoke “ci-laptop”\?/);
    await confirm.getByTestId('token-revoke-cancel').click();
    expect(await confirm.count()).toBe(0);
    expect(await row('ci-laptop').count(), 'Cancel keeps the token').toBe(1);
    expect((await callApi(secret, '/datasets')).status).toBe(200);

    await row('ci-laptop').getByTestId('token-revoke').click();
    await panel().getByTestId('token-revoke-confirm').click();
    await poll(() => row('ci-laptop').count()).toBe(0);
    await panel().getByTestId('tokens-empty').waitFor();

    const refused = await callApi(secret, '/datasets');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ message: 'Forbidden' });

    // Still gone when the list is loaded afresh.
    await panel().getByTestId('tokens-close').click();
    await openPanel();
    expect(await panel().getByTestId('token-row').count()).toBe(0);
  });

  it('shows a refusal of the API in the panel, with the API’s message', async () => {
    // The same user fills their allowance of live tokens from a script; the panel's next one is refused.
    const script = await LoraworksClient.signIn(ui.cloud.apiUrl, 'e2e-tokens');
    for (let i = 0; i < MAX_LIVE_TOKENS; i++) await script.expect(201, 'POST', '/tokens', { name: `batch-${i}`, expiresInDays: 7 });
    const refused = await script.request<{ error: { message: string } }>('POST', '/tokens', { name: 'one-too-many' });
    expect(refused.status).toBe(409);

    await panel().getByTestId('tokens-refresh').click();
    await poll(() => panel().getByTestId('token-row').count()).toBe(MAX_LIVE_TOKENS);
    await panel().getByLabel('Name').fill('one-too-many');
    await panel().getByTestId('token-create').click();
    const error = panel().getByTestId('tokens-error');
    await error.waitFor();
    expect(await error.innerText()).toContain(refused.body.error.message);
    expect(await panel().getByTestId('token-created').isVisible()).toBe(false);
    expect(await panel().getByLabel('Name').inputValue(), 'the name is kept for another try').toBe('one-too-many');
    await error.screenshot({ path: join(RESULTS, 'tokens-refused.png') });
    expect(pageErrors, 'the page threw no errors').toEqual([]);
  });
});
