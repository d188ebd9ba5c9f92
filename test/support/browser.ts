// The real browser of the e2e tests: Debian's Chromium driven by playwright-core, on a web app built from the
// current sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
/** Where screenshots go (looked at by people, kept out of git). */
export const RESULTS = join(ROOT, 'test-results');
const CHROMIUM = '/usr/bin/chromium';

/** Builds web/dist unless it is newer than every file under web/src and web/index.html. */
export async function ensureWebBuild(): Promise<void> {
  const index = join(ROOT, 'web/dist/index.html');
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs));
  const sources = Math.max(newest(join(ROOT, 'web/src')), statSync(join(ROOT, 'web/index.html')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  await build({ configFile: join(ROOT, 'web/vite.config.ts'), logLevel: 'warn' });
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is needed at ${CHROMIUM}: apt-get install -y chromium`);
  await mkdir(RESULTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Signs in as `user` the way a person does: the app's Sign in button, the local OpenID provider's "Sign in as"
 * page (a new name signs up), and back to the workspace, which shows the user's name.
 */
export async function signIn(page: Page, appUrl: string, user: string): Promise<void> {
  await page.goto(appUrl);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('provider-user').fill(user);
  await page.getByTestId('provider-continue').click();
  await page.waitForFunction((name) => document.querySelector('[data-testid="user-name"]')?.textContent === name, user);
}
