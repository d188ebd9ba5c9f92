// The schedules panel in a real browser: a schedule made from the training form with the weekly picker and a zone
// (the preview shows its next three runs), listed with its next run; the local Scheduler's clock is moved to fire
// it, and the page shows live what each firing did: a job started by the schedule and its LoRA registered, then a
// run skipped because the dataset did not change, then, after an upload, the new version trained and registered.
// Pause, run now, the runs history and delete, as a person uses them.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '#local/aws/scheduler-clock';
import { RESULTS, signIn } from '#support/browser';
import { useBrowserSession } from '#support/browser-session';
import { makeDatasetZip } from '#support/dataset-zip';

const UI_TIMEOUT = 60_000;
const clock = manualClock(new Date());
const ui = useBrowserSession('e2e-schedules', { timeoutMs: UI_TIMEOUT, emulatorStepsPerSecond: 200, schedulerClock: clock });
const pageErrors: string[] = [];

const poll = <T>(read: () => Promise<T>, message?: string) => expect.poll(read, { timeout: UI_TIMEOUT, message });
const shot = (name: string) => ui.page.screenshot({ path: join(RESULTS, `panel11-${name}.png`), animations: 'disabled' });
const panel = () => ui.page.getByTestId('schedules-panel');
const scheduleRow = (): Locator => panel().getByTestId('schedule-row').first();
let scheduleId = '';
/** The registered LoRA of that name in the Registered LoRAs panel. */
const registered = (name: string): Locator => ui.page.getByTestId('adapters-panel').getByTestId('adapter-row').filter({ hasText: name });

/** Moves the Scheduler's clock to the schedule's next firing and fires it, as EventBridge Scheduler would. */
async function fireNextRun(): Promise<Date> {
  const at = ui.cloud.scheduler.nextRunAt(`lw-${scheduleId}`);
  expect(at, 'the local Scheduler has the schedule with a next run').toBeDefined();
  clock.advance(at!);
  await ui.cloud.scheduler.tick(at!);
  await ui.cloud.streamsIdle();
  return at!;
}

beforeAll(async () => {
  await mkdir(RESULTS, { recursive: true });
  ui.page.on('pageerror', (error) => pageErrors.push(error.message));
  await signIn(ui.page, ui.cloud.url, 'e2e-scheduler');
  // The training form as a person fills it: a trainer, a dataset uploaded and READY, a trigger phrase, few steps.
  const select = ui.page.getByTestId('trainer-select');
  await ui.page.waitForFunction(() => document.querySelectorAll('[data-testid="trainer-select"] option:not([value=""])').length > 0);
  await select.selectOption((await select.locator('option[value]:not([value=""])').first().getAttribute('value'))!);
  await ui.page.getByTestId('param-steps').waitFor();
  const zipPath = join(ui.dataDir, 'cats.zip');
  await writeFile(zipPath, await makeDatasetZip({ images: 4, size: 64 }));
  await ui.page.getByTestId('dataset-file').setInputFiles(zipPath);
  await ui.page.locator('[data-testid="dataset-status"][data-status="READY"]').waitFor({ timeout: UI_TIMEOUT });
  await ui.page.getByTestId('trigger-phrase').fill('lwx cat');
  await ui.page.getByTestId('param-steps').fill(String(Number((await ui.page.getByTestId('param-steps').getAttribute('min')) ?? 1)));
}, 180_000);

describe('the schedules panel', { timeout: 120_000 }, () => {
  it('creates a weekly schedule from the training form, with a zone and a preview of the next three runs', async () => {
    await poll(() => panel().getByTestId('schedules-empty').innerText()).toMatch(/No schedules yet/);
    await ui.page.getByTestId('schedule-open').click();
    const form = ui.page.getByTestId('schedule-form');
    await form.waitFor();
    expect(await form.getByTestId('schedule-form-summary').innerText()).toMatch(/cats[\s\S]*lwx cat/);

    await form.getByTestId('schedule-kind-weekly').click();
    await form.getByTestId('schedule-day').selectOption('MON');
    await form.getByTestId('schedule-time').fill('03:00');
    await form.getByTestId('schedule-timezone').fill('Europe/Paris');
    expect(await form.getByTestId('schedule-expression-preview').innerText()).toContain('cron(0 3 ? * MON *)');
    const runs = form.getByTestId('schedule-preview-run');
    await poll(() => runs.count()).toBe(3);
    for (const text of await runs.allInnerTexts()) expect(text).toMatch(/^\d\s*Mon,? \d{1,2} \w{3} \d{4},? 03:00 CET$/);

    // A raw expression that does not parse shows the domain's sentence, and nothing can be created from it.
    await form.getByTestId('schedule-kind-raw').click();
    await form.getByTestId('schedule-expression').fill('rate(1 days)');
    expect(await form.getByTestId('schedule-preview-error').innerText()).toBe('A rate of 1 takes the singular unit: write rate(1 day), not rate(1 days).');
    expect(await form.getByTestId('schedule-create').isDisabled()).toBe(true);
    await form.getByTestId('schedule-kind-weekly').click();
    await form.getByTestId('schedule-name-input').fill('Weekly cats');
    await form.locator('label[for="schedule-auto-register"]').click();
    expect(await form.getByTestId('schedule-auto-register').isChecked(), 'register the LoRA of each run').toBe(true);
    expect(await form.getByTestId('schedule-create').isEnabled(), 'the weekly choice can be created again').toBe(true);
    await shot('form');

    await form.getByTestId('schedule-create').click();
    await form.waitFor({ state: 'hidden' });
    await scheduleRow().waitFor();
    scheduleId = (await scheduleRow().getAttribute('data-schedule-id'))!;
    expect(await scheduleRow().getByTestId('schedule-name').innerText()).toBe('Weekly cats');
    expect(await scheduleRow().getByTestId('schedule-when').innerText()).toBe('Every Monday at 03:00 · Europe/Paris');
    expect(await scheduleRow().getByTestId('schedule-next').innerText()).toMatch(/Mon,? \d{1,2} \w{3} \d{4},? 03:00 CET/);
    expect(await scheduleRow().getByTestId('schedule-last').innerText()).toMatch(/not run yet/);
    await shot('list');
  });

  it('shows a firing’s job in the jobs panel as scheduled, linked from the schedule’s last run', async () => {
    await fireNextRun();
    const last = scheduleRow().locator('[data-testid="schedule-last"][data-outcome="STARTED"]');
    await last.waitFor();
    const jobId = await last.getByTestId('schedule-last-job').getAttribute('data-job-id');
    const jobRow = ui.page.locator(`[data-testid="job-row"][data-job-id="${jobId}"]`);
    await jobRow.waitFor();
    expect(await jobRow.getAttribute('data-origin')).toBe('schedule');
    expect(await jobRow.getByTestId('job-origin').innerText()).toBe('scheduled · Weekly cats');

    await last.getByTestId('schedule-last-job').click();
    await poll(() => jobRow.getAttribute('data-focused'), 'the job the run started is marked in the jobs list').toBe('true');
    await jobRow.and(ui.page.locator('[data-status="COMPLETED"]')).waitFor({ timeout: UI_TIMEOUT });
    await registered('Weekly cats · cats v1').waitFor({ timeout: UI_TIMEOUT });
    await shot('started');
  });

  it('shows live that the next firing was skipped because the dataset did not change', async () => {
    await fireNextRun();
    const last = scheduleRow().locator('[data-testid="schedule-last"][data-outcome="SKIPPED"]');
    await last.waitFor();
    expect(await last.getByTestId('schedule-outcome').innerText()).toBe('skipped: dataset unchanged since v1');
    await panel().scrollIntoViewIfNeeded();
    await shot('skipped');
  });

  it('trains the new version after an upload, and registers its LoRA, live', async () => {
    const zipPath = join(ui.dataDir, 'cats-v2.zip');
    await writeFile(zipPath, await makeDatasetZip({ images: 5, size: 64 }));
    await ui.page.getByTestId('dataset-file').setInputFiles(zipPath);
    await ui.page.locator('.dataset-line', { has: ui.page.locator('[data-testid="dataset-status"][data-status="READY"]') })
      .filter({ hasText: 'cats · v2' }).waitFor({ timeout: UI_TIMEOUT });
    await fireNextRun();
    const last = scheduleRow().locator('[data-testid="schedule-last"][data-outcome="STARTED"]');
    await last.waitFor();
    expect(await last.getByTestId('schedule-outcome').innerText()).toMatch(/v2/);
    await registered('Weekly cats · cats v2').waitFor({ timeout: UI_TIMEOUT });
    expect(await ui.page.locator('[data-testid="job-row"][data-origin="schedule"]').count(), 'one job per changed version').toBe(2);
    await shot('retrained');
  });

  it('pauses, runs now, shows the runs history, and deletes after a confirmation', async () => {
    await scheduleRow().getByTestId('schedule-pause').click();
    await panel().locator('[data-testid="schedule-row"][data-enabled="false"]').waitFor();
    expect(await scheduleRow().getByTestId('schedule-paused').innerText()).toBe('Paused');
    expect(await scheduleRow().getByTestId('schedule-next').innerText()).toMatch(/paused/);
    expect(ui.cloud.scheduler.nextRunAt(`lw-${scheduleId}`), 'a paused schedule does not fire').toBeUndefined();

    await scheduleRow().getByTestId('schedule-runs-toggle').click();
    const runRows = scheduleRow().getByTestId('schedule-run-row');
    await poll(() => runRows.count()).toBe(3);
    await scheduleRow().getByTestId('schedule-run-now').click();
    await poll(() => runRows.count(), 'a run now joins the history').toBe(4);
    // Runs are listed by when they were due: the firings lie ahead on the Scheduler's moved clock, the run now does not.
    const outcomes = await runRows.evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.outcome));
    expect(outcomes.sort()).toEqual(['SKIPPED', 'SKIPPED', 'STARTED', 'STARTED']);
    await shot('paused-runs');

    await scheduleRow().getByTestId('schedule-resume').waitFor();
    await scheduleRow().getByTestId('schedule-delete').click();
    await scheduleRow().getByTestId('schedule-confirm').waitFor();
    expect(await panel().getByTestId('schedule-row').count(), 'nothing is deleted before the confirmation').toBe(1);
    await scheduleRow().getByTestId('schedule-delete-confirm').click();
    await panel().getByTestId('schedule-row').waitFor({ state: 'detached' });
    await panel().getByTestId('schedules-empty').waitFor();
    expect(ui.cloud.scheduler.nextRunAt(`lw-${scheduleId}`)).toBeUndefined();
    expect(await ui.page.locator('[data-testid="job-row"][data-origin="schedule"]').count(), 'the jobs it started stay').toBe(2);
    expect(pageErrors, 'the page threw no errors').toEqual([]);
  });
});
