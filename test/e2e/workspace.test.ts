// The workspace in a real browser: headless Chromium drives the web app served by the local cloud,
// from sign-in through upload, live training, download and cancel.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { estimateJob, priceSummary } from '#domain/estimates';
import { buildSafetensors, parseSafetensorsHeader } from '#domain/safetensors';
import { fallbackTrainers } from '#domain/trainer-catalog';
import { RESULTS, signIn } from '#support/browser';
import { useBrowserSession } from '#support/browser-session';
import { makeDatasetZip } from '#support/dataset-zip';
import { makePng } from '#support/png';
import { estimateLine, formatUsd } from '#domain/estimate-line';

/** Slow enough that a run of a few hundred steps is seen RUNNING with a moving bar, fast enough for CI. */
const STEPS_PER_SECOND = 20;
const UI_TIMEOUT = 30_000;

const pageErrors: string[] = [];
const ui = useBrowserSession('e2e', {
  timeoutMs: UI_TIMEOUT,
  emulatorStepsPerSecond: STEPS_PER_SECOND,
  acceptDownloads: true,
  beforeClose: async () => {
    if (pageErrors.length === 0) await ui.page.screenshot({ path: join(RESULTS, 'workspace-final.png') }).catch(() => undefined);
  },
});

const row = (jobId: string): Locator => ui.page.locator(`[data-testid="job-row"][data-job-id="${jobId}"]`);
const progressOf = async (locator: Locator) => Number(await locator.getByTestId('job-progress').getAttribute('aria-valuenow'));

/** Click Start Training and return the id of the job row that appears for it. */
async function startJob(steps: number): Promise<string> {
  const before = new Set(await ui.page.getByTestId('job-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.jobId)));
  await ui.page.getByTestId('param-steps').fill(String(steps));
  await expect.poll(() => ui.page.getByTestId('start-training').isEnabled(), { message: 'Start Training should be enabled' }).toBe(true);
  await ui.page.getByTestId('start-training').click();
  let jobId: string | undefined;
  await expect.poll(async () => {
    const ids = await ui.page.getByTestId('job-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.jobId));
    jobId = ids.find((id) => id && !before.has(id));
    if (jobId) return 'row shown';
    const refused = ui.page.getByTestId('start-error');
    return (await refused.isVisible()) ? `refused: ${await refused.innerText()}` : 'waiting';
  }, { timeout: UI_TIMEOUT, message: 'a new job row should appear after Start Training' }).toBe('row shown');
  return jobId!;
}

/** Upload a zip as a new dataset through the file input and wait until it is READY (pushed over the WebSocket). */
async function uploadDataset(name: string, zip: Buffer): Promise<void> {
  await ui.page.getByTestId('dataset-select').selectOption('');
  await ui.page.getByTestId('dataset-status').waitFor({ state: 'detached' });
  const zipPath = join(ui.dataDir, name);
  await writeFile(zipPath, zip);
  await ui.page.getByTestId('dataset-file').setInputFiles(zipPath);
  await ui.page.getByTestId('upload-progress').waitFor();
  await ui.page.locator('[data-testid="dataset-status"][data-status="READY"]').waitFor({ timeout: 60_000 }).catch(async (error: Error) => {
    throw new Error(`The dataset never became READY: ${await ui.page.getByTestId('dataset-status').innerText().catch(() => 'no status shown')}\n${error.message}`);
  });
  expect(await ui.page.getByTestId('upload-progress').getAttribute('aria-valuenow')).toBe('100');
}

async function waitForStatus(jobId: string, status: string, timeout = 60_000): Promise<void> {
  await row(jobId).and(ui.page.locator(`[data-status="${status}"]`)).waitFor({ timeout }).catch(async (error: Error) => {
    const actual = await row(jobId).getAttribute('data-status').catch(() => 'missing');
    const text = await row(jobId).innerText().catch(() => '');
    throw new Error(`Job ${jobId} did not reach ${status} (it is ${actual}: ${text.replace(/\s+/g, ' ')}).\n${error.message}`);
  });
}

beforeAll(() => {
  ui.page.on('pageerror', (error) => pageErrors.push(error.message));
});

describe('the training workspace', () => {
  it('signs in, trains a LoRA on an uploaded dataset with live progress, and downloads it', async () => {
    await signIn(ui.page, ui.cloud.url, 'e2e-alice');
    await expect.poll(() => ui.page.getByTestId('user-name').textContent()).toBe('e2e-alice');
    await ui.page.screenshot({ path: join(RESULTS, 'workspace-empty.png') });

    // The first trainer of the catalog, with its parameters rendered from the catalog entry.
    const select = ui.page.getByTestId('trainer-select');
    await expect.poll(() => select.locator('option[value]:not([value=""])').count(), { timeout: UI_TIMEOUT }).toBeGreaterThan(0);
    const firstTrainer = await select.locator('option[value]:not([value=""])').first().getAttribute('value');
    await select.selectOption(firstTrainer!);
    await ui.page.getByTestId('param-steps').waitFor();
    await expect.poll(() => ui.page.getByTestId('model-name').textContent()).toBeTruthy();
    expect(await ui.page.getByTestId('start-training').isDisabled(), 'Start Training is disabled without a dataset').toBe(true);
    expect(await ui.page.getByTestId('start-blockers').innerText()).toMatch(/dataset/i);

    // Upload a zip built in code; the version goes UPLOADING → VALIDATING → READY over the WebSocket.
    await uploadDataset('portraits.zip', await makeDatasetZip({ images: 4, size: 64 }));
    expect(await ui.page.getByTestId('dataset-report').innerText()).toMatch(/Images\s*4/i);

    await ui.page.getByTestId('trigger-phrase').fill('lwx gradient');
    const min = Number((await ui.page.getByTestId('param-steps').getAttribute('min')) ?? 1);
    // 400 steps at 20 steps/s train for 20 s: the row is seen part-way even when RUNNING reaches a loaded
    // browser late (at 100 steps it was once first seen at 100%, with nothing left to move).
    const steps = Math.max(400, min);
    // Beside Start training: the estimate of the form as it is, following its steps, and saying it is one.
    const trainer = fallbackTrainers.find((t) => t.id === firstTrainer)!;
    expect(await ui.page.getByTestId('model-price').innerText()).toContain(priceSummary(trainer));
    const estimate = ui.page.getByTestId('start-estimate');
    const defaultSteps = Number(await ui.page.getByTestId('param-steps').inputValue());
    await expect.poll(() => estimate.innerText(), { timeout: UI_TIMEOUT }).toBe(estimateLine(estimateJob(trainer, { steps: defaultSteps })));
    await ui.page.getByTestId('param-steps').fill(String(steps));
    await expect.poll(() => estimate.innerText(), { timeout: UI_TIMEOUT, message: 'the estimate follows the steps' }).toBe(estimateLine(estimateJob(trainer, { steps })));
    expect(await estimate.getAttribute('title')).toMatch(new RegExp(`^An estimate, not a quote.* × ${steps} steps`));
    await ui.page.getByTestId('sidebar').screenshot({ path: join(RESULTS, 'estimate12-start.png') });
    await ui.page.screenshot({ path: join(RESULTS, 'workspace-ready.png') });

    const jobId = await startJob(steps);
    await waitForStatus(jobId, 'RUNNING');
    const first = await progressOf(row(jobId));
    await expect.poll(() => progressOf(row(jobId)), { timeout: 60_000, message: 'the progress bar should move while RUNNING' }).toBeGreaterThan(first);
    expect(await row(jobId).getByTestId('job-progress-text').innerText()).toMatch(/Step \d+ \/ \d+|\d+%/);
    await ui.page.screenshot({ path: join(RESULTS, 'workspace-running.png') });

    await waitForStatus(jobId, 'COMPLETED', 120_000);
    expect(await progressOf(row(jobId))).toBe(100);
    expect(await row(jobId).getByTestId('job-created').innerText()).toMatch(/just now|ago/);
    // The finished job shows its estimated cost for the steps it ran.
    const cost = row(jobId).getByTestId('job-estimate');
    expect(await cost.innerText()).toBe(`Cost about ${formatUsd(estimateJob(trainer, { steps }).costUsd)}`);
    expect(await cost.getAttribute('title')).toMatch(new RegExp(`^Estimated from the steps it ran, not a bill\\..* × the ${steps} steps it ran`));
    await ui.page.screenshot({ path: join(RESULTS, 'workspace.png') });
    await ui.page.getByTestId('jobs-panel').screenshot({ path: join(RESULTS, 'estimate12-jobs.png') });

    // Download: the app fetches a presigned link and navigates to it; the browser saves a real LoRA.
    const [download] = await Promise.all([ui.page.waitForEvent('download', { timeout: UI_TIMEOUT }), row(jobId).getByTestId('job-download').click()]);
    const file = await readFile((await download.path())!);
    expect(file.byteLength).toBeGreaterThan(8);
    const header = parseSafetensorsHeader(new Uint8Array(file), { fileSize: file.byteLength });
    expect(header.tensors.length, "the LoRA holds tensors").toBeGreaterThan(0);
    await expect.poll(() => ui.page.getByTestId('jobs-panel').isVisible(), { message: 'the workspace stays open after a download' }).toBe(true);

    // Register the LoRA for later use: it joins the registered list with its trigger phrase.
    await row(jobId).getByTestId('job-register').click();
    await row(jobId).getByTestId('job-registered').waitFor({ timeout: UI_TIMEOUT });
    const registered = ui.page.getByTestId('adapter-row');
    await registered.first().waitFor({ timeout: UI_TIMEOUT });
    expect(await registered.count()).toBe(1);
    expect(await registered.first().innerText()).toContain(await ui.page.getByTestId('trigger-phrase').inputValue());
    await ui.page.screenshot({ path: join(RESULTS, 'workspace-registered.png'), fullPage: true });

    // A second version of the same dataset: the versions list shows each one's origin, counts, what changed
    // against its parent (from the diff route), and on v1 the job that trained on it with its adapter, live.
    const v2Path = join(ui.dataDir, 'portraits-v2.zip');
    await writeFile(v2Path, await makeDatasetZip({ images: 5, size: 64 }));
    await ui.page.getByTestId('dataset-file').setInputFiles(v2Path);
    const version = (n: number) => ui.page.locator(`[data-testid="version-row"][data-version="${n}"]`);
    await version(2).locator('[data-status="READY"]').waitFor({ timeout: 60_000 });
    await expect.poll(() => version(2).getByTestId('version-change').innerText(), { timeout: UI_TIMEOUT }).toBe('+1 −0 from v1');
    expect(await version(2).innerText()).toMatch(/5 images · 5 captions/);
    expect(await version(1).getByTestId('version-change').innerText()).toBe('first version');
    await expect.poll(() => version(1).getByTestId('version-jobs').innerText(), { timeout: UI_TIMEOUT }).toMatch(/completed[\s\S]*adapter “/);
    expect(await version(2).innerText()).toContain('No job has trained on this version yet.');
    await ui.page.getByTestId('versions-panel').screenshot({ path: join(RESULTS, 'versions.png') });
  }, 240_000);

  it('opens a finished job into its details, links its version, and trains again with the same settings on the latest version', async () => {
    const jobId = (await ui.page.locator('[data-testid="job-row"][data-status="COMPLETED"]').first().getAttribute('data-job-id'))!;
    const steps = await ui.page.getByTestId('param-steps').inputValue();
    const details = ui.page.getByTestId('job-details');
    await row(jobId).getByTestId('job-details-open').click();
    await details.waitFor();
    expect(await details.getByTestId('job-details-status').innerText()).toBe('Completed');
    expect(await details.getByTestId('job-details-summary').innerText()).toMatch(/^Done in /);
    expect(await details.getByTestId('job-details-estimate').innerText()).toMatch(/^Cost from the steps it ran: about \$[\d.]+ · about .+ — an estimate, not a bill\./);
    expect(await details.getByTestId('job-details-dataset').innerText()).toBe('portraits · v1');
    expect(await details.getByTestId('job-details-trigger').innerText()).toBe('lwx gradient');
    expect(await details.getByTestId('job-details-origin').innerText()).toBe('Started in the web app');
    expect(await details.locator('[data-param="steps"] td').innerText()).toBe(steps);
    expect(await details.getByTestId('job-details-times').locator('li').evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.label)))
      .toEqual(['Queued', 'Started', 'Finished']);
    expect(await details.getByTestId('job-details-times').innerText()).toMatch(/waited [\s\S]*ran /);
    expect(await details.locator('polyline.chart-progress').count(), 'progress over time is drawn').toBe(1);
    await expect.poll(() => details.getByTestId('job-details-logs').locator('li').count(), { timeout: UI_TIMEOUT, message: 'the trainer’s log lines are shown' })
      .toBeGreaterThan(0);
    expect(await details.getByTestId('job-details-file').count()).toBeGreaterThan(0);
    await details.screenshot({ path: join(RESULTS, 'job-details.png') });
    await details.getByTestId('job-details-logs').scrollIntoViewIfNeeded();
    await details.screenshot({ path: join(RESULTS, 'job-details-end.png') });

    // The dataset link closes the details and marks the version the job trained on.
    await details.getByTestId('job-details-dataset').click();
    await expect.poll(() => details.isVisible()).toBe(false);
    await ui.page.locator('[data-testid="version-row"][data-version="1"][data-focused="true"]').waitFor({ timeout: UI_TIMEOUT });
    await expect.poll(() => ui.page.locator('.dataset-name').innerText()).toBe('portraits · v1');

    // Train again on the latest: the form takes the job's settings over whatever it held, on v2.
    await ui.page.getByTestId('trigger-phrase').fill('something else');
    await ui.page.getByTestId('param-steps').fill('123');
    await row(jobId).locator('button.job-model').click(); // the trainer's name opens the details too
    await details.getByTestId('job-train-again-latest').click();
    await expect.poll(() => details.isVisible()).toBe(false);
    expect(await ui.page.getByTestId('trigger-phrase').inputValue()).toBe('lwx gradient');
    expect(await ui.page.getByTestId('param-steps').inputValue()).toBe(steps);
    await expect.poll(() => ui.page.locator('.dataset-name').innerText(), { timeout: UI_TIMEOUT }).toBe('portraits · v2');
    await ui.page.getByTestId('sidebar').screenshot({ path: join(RESULTS, 'job-details-train-again.png') });
    expect(pageErrors, 'the page threw no errors').toEqual([]);
  }, 120_000);

  it('shows how to use a registered LoRA, and imports one trained elsewhere: CHECKING, then READY or the refusal, live', async () => {
    const panel = ui.page.getByTestId('adapters-panel');
    const trained = panel.getByTestId('adapter-row').first();
    await trained.getByTestId('adapter-usage').locator('summary').click();
    await expect.poll(() => trained.getByTestId('usage-fal').innerText(), { message: 'the fal snippet carries a download link' }).toMatch(/"path": "http/);
    expect(await trained.getByTestId('usage-prompt').innerText()).toMatch(/<lora:[\w.-]+:1>$/);

    await panel.getByTestId('import-open').click();
    const good = join(ui.dataDir, 'watercolor.safetensors');
    await writeFile(good, buildSafetensors([
      { name: 'lora_unet_mid.lora_down.weight', dtype: 'F16', shape: [4, 64] }, { name: 'lora_unet_mid.lora_up.weight', dtype: 'F16', shape: [64, 4] },
    ], { 'modelspec.trigger_phrase': 'wtrclr style' }));
    await panel.getByTestId('import-file').setInputFiles(good);
    expect(await panel.getByTestId('import-name').inputValue(), 'the name comes from the file').toBe('watercolor');
    await panel.getByTestId('import-submit').click();
    const imported = panel.getByTestId('adapter-row').filter({ hasText: 'watercolor' });
    await imported.and(ui.page.locator('[data-status="READY"]')).waitFor({ timeout: UI_TIMEOUT });
    expect(await imported.locator('.trigger-chip').innerText()).toBe('wtrclr style');
    expect(await imported.getByTestId('adapter-download').innerText()).toBe('watercolor.safetensors');

    const bad = join(ui.dataDir, 'full-model.safetensors');
    await writeFile(bad, buildSafetensors([{ name: 'model.diffusion_model.out.0.weight', dtype: 'F16', shape: [64, 4] }], {}));
    await panel.getByTestId('import-file').setInputFiles(bad);
    await panel.getByTestId('import-submit').click();
    const refused = panel.getByTestId('adapter-row').filter({ hasText: 'full-model' });
    await refused.and(ui.page.locator('[data-status="INVALID"]')).waitFor({ timeout: UI_TIMEOUT });
    expect(await refused.getByTestId('adapter-error').innerText()).toMatch(/full checkpoint, not a LoRA/);
    await imported.getByTestId('adapter-usage').locator('summary').click();
    await expect.poll(() => imported.getByTestId('usage-fal').innerText()).toMatch(/"path": "http/);
    await panel.screenshot({ path: join(RESULTS, 'adapters-imports.png') });
    expect(pageErrors, 'the page threw no errors').toEqual([]);
  }, 120_000);

  it('cancels a running job from its row', async () => {
    const jobId = await startJob(5000);
    await waitForStatus(jobId, 'RUNNING');
    // Its details follow it live while it runs.
    const details = ui.page.getByTestId('job-details');
    await row(jobId).getByTestId('job-details-open').click();
    const summary = await details.getByTestId('job-details-summary').innerText();
    expect(summary).toMatch(/^Step \d+ \/ 5000/);
    await expect.poll(() => details.getByTestId('job-details-summary').innerText(), { timeout: UI_TIMEOUT, message: 'the details move with the pushes' }).not.toBe(summary);
    expect(await details.getByTestId('job-details-times').innerText()).toMatch(/Running for/);
    await details.screenshot({ path: join(RESULTS, 'job-details-running.png') });
    // New log lines arrive; a reader who scrolled up in the log keeps their place.
    const logs = details.getByTestId('job-details-logs');
    await expect.poll(() => logs.evaluate((el) => el.scrollHeight > el.clientHeight + 50), { timeout: UI_TIMEOUT, message: 'the log fills its box' }).toBe(true);
    expect(await logs.evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 4), 'the log opens at its end').toBe(true);
    await logs.evaluate((el) => { el.scrollTop = 0; });
    const last = await logs.locator('li').last().innerText();
    await expect.poll(() => logs.locator('li').last().innerText(), { timeout: UI_TIMEOUT, message: 'new log lines arrive' }).not.toBe(last);
    expect(await logs.evaluate((el) => el.scrollTop), 'a reader scrolled up keeps their place').toBe(0);
    await details.getByTestId('job-details-close').click();
    await expect.poll(() => details.isVisible()).toBe(false);
    await row(jobId).getByTestId('job-cancel').click();
    await waitForStatus(jobId, 'CANCELLED', 60_000);
    expect(await row(jobId).getByTestId('job-cancel').count(), 'a cancelled job offers no Cancel').toBe(0);
    expect(await row(jobId).getByTestId('job-download').count()).toBe(0);
    await ui.page.screenshot({ path: join(RESULTS, 'workspace-cancelled.png') });
    expect(pageErrors, 'the page threw no errors').toEqual([]);
  }, 120_000);

  it('asks no trigger phrase of a trainer that takes none (FLUX.1 Kontext) and trains with it', async () => {
    const select = ui.page.getByTestId('trainer-select');
    const trainerWithTrigger = await select.inputValue();
    await ui.page.getByTestId('sidebar').screenshot({ path: join(RESULTS, 'training-form-trigger.png') });

    await select.selectOption('fal-ai/flux-kontext-trainer');
    await expect.poll(() => ui.page.getByTestId('trigger-section').isVisible(), { message: 'Kontext takes no trigger phrase' }).toBe(false);
    const pair = (i: number) => ({ [`edit-${i}_start.png`]: makePng(64, 64, i), [`edit-${i}_end.png`]: makePng(64, 64, i + 10) });
    await uploadDataset('edits.zip', await makeDatasetZip({ images: 0, extra: { ...pair(1), ...pair(2) } }));
    expect(await ui.page.getByTestId('start-blockers').innerText()).not.toMatch(/trigger/i);
    await ui.page.getByTestId('sidebar').screenshot({ path: join(RESULTS, 'training-form-no-trigger.png') });

    const jobId = await startJob(100);
    await waitForStatus(jobId, 'COMPLETED', 120_000);
    expect(await row(jobId).locator('.job-model-id').innerText()).toBe('fal-ai/flux-kontext-trainer');
    expect(await row(jobId).locator('.trigger-chip').count(), 'the job shows no trigger phrase').toBe(0);

    // The phrase typed for the first trainer is still there when it is picked again.
    await select.selectOption(trainerWithTrigger);
    await expect.poll(() => ui.page.getByTestId('trigger-phrase').inputValue()).toBe('lwx gradient');
    expect(pageErrors, 'the page threw no errors').toEqual([]);
  }, 120_000);
});
