// The web app in a real browser for a whole test file: a local cloud on a data folder of its own and one
// Chromium page, opened before the file's tests and closed after them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startLocalCloud, type LocalCloud } from '#local/cloud';
import type { SchedulerClock } from '#local/aws/scheduler-clock';
import { ensureWebBuild, launchChromium } from './browser';

export interface BrowserSession {
  cloud: LocalCloud;
  dataDir: string;
  page: Page;
}

export interface BrowserSessionOptions {
  /** The page's default timeout for waits and actions. */
  timeoutMs: number;
  /** The trainer emulator's speed. @default - the local cloud's */
  emulatorStepsPerSecond?: number;
  acceptDownloads?: boolean;
  /** Lifetime of the OpenID provider's ID and access tokens, seconds (short ones exercise the refresh). @default - the local cloud's */
  oidcTokenSeconds?: number;
  /** The local Scheduler's clock (a test's `manualClock`, moved with `cloud.scheduler.tick`). @default - the system clock */
  schedulerClock?: SchedulerClock;
  /** Runs on the page before anything is closed (a last screenshot). */
  beforeClose?: (page: Page) => Promise<void>;
}

/** Registers the hooks; the returned session's fields are there inside the file's hooks and tests. */
export function useBrowserSession(name: string, options: BrowserSessionOptions): BrowserSession {
  const session = {} as BrowserSession;
  // What is opened is closed in reverse order, whatever step of the opening failed.
  const closers: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    await ensureWebBuild();
    session.dataDir = await mkdtemp(join(tmpdir(), `loraworks-${name}-`));
    closers.push(() => rm(session.dataDir, { recursive: true, force: true }));
    session.cloud = await startLocalCloud({
      port: 0, dataDir: session.dataDir, emulatorStepsPerSecond: options.emulatorStepsPerSecond, oidcTokenSeconds: options.oidcTokenSeconds,
      schedulerClock: options.schedulerClock,
    });
    closers.push(() => session.cloud.stop());
    const browser = await launchChromium();
    closers.push(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: options.acceptDownloads });
    session.page = await context.newPage();
    session.page.setDefaultTimeout(options.timeoutMs);
  }, 180_000);

  afterAll(async () => {
    if (session.page && options.beforeClose) await options.beforeClose(session.page);
    for (const close of closers.reverse()) await close();
  });
  return session;
}
