// The dataset editor's selection and its fresh-pick source in a real browser: on a READY version, two cards chosen,
// the trigger inserted in those two only and both removed, and v2's files matching; on loose files picked before
// their first upload, the same editor showing them from the local files with the validator's caption findings, a
// caption filled, an image removed, and "Upload as new dataset" making a READY v1 of exactly what was shown.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '#http/api-client';
import { RESULTS, signIn } from '#support/browser';
import { useBrowserSession } from '#support/browser-session';
import { makeDatasetZip } from '#support/dataset-zip';
import { makePng } from '#support/png';

const ui = useBrowserSession('e2e-editsel', { timeoutMs: 30_000 });
const pageErrors: string[] = [];

const editor = () => ui.page.getByTestId('dataset-editor');
const cell = (name: string) => editor().locator(`[data-testid="editor-cell"][data-name="${name}"]`);
const caption = (name: string) => cell(name).getByTestId('editor-caption').inputValue();
const versionRow = (v: number) => ui.page.locator(`[data-testid="version-row"][data-version="${v}"]`);
const decodedThumbs = () => editor().getByTestId('editor-thumb').evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length);

async function api(): Promise<ApiClient> {
  const token = await ui.page.evaluate((key) => (JSON.parse(localStorage.getItem(key) ?? '{}') as { id_token?: string }).id_token,
    `oidc.user:${ui.cloud.url}/dev:loraworks-local`);
  return new ApiClient(ui.cloud.apiUrl, token!);
}

async function imageCaptions(datasetId: string, version: number): Promise<Record<string, string | undefined>> {
  const { files } = await (await api()).datasetFiles(datasetId, version);
  return Object.fromEntries(files.filter((f) => f.kind === 'image').map((f) => [f.name, f.caption]));
}

describe('the dataset editor with a selection', () => {
  it('inserts the trigger in the selected cards only, removes them, and saves v2 with exactly that', async () => {
    ui.page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(ui.page, ui.cloud.url, 'e2e-editsel');
    const zipPath = join(ui.dataDir, 'portraits.zip');
    await writeFile(zipPath, await makeDatasetZip({ images: 4, size: 160 }));
    await ui.page.getByTestId('dataset-file').setInputFiles(zipPath);
    await ui.page.locator('[data-testid="dataset-status"][data-status="READY"]').waitFor({ timeout: 60_000 });
    const datasetId = await ui.page.getByTestId('dataset-select').inputValue();

    await versionRow(1).getByTestId('version-edit').click();
    await expect.poll(decodedThumbs).toBe(4);
    expect(await editor().getByTestId('editor-selected').innerText()).toBe('0 selected');
    await ui.page.getByRole('checkbox', { name: 'Select photo-02.png' }).check();
    await ui.page.getByRole('checkbox', { name: 'Select photo-03.png' }).check();
    expect(await editor().getByTestId('editor-selected').innerText()).toBe('2 selected');
    expect(await editor().getByTestId('editor-insert-trigger').innerText()).toBe('Insert trigger (2 selected)');

    await editor().getByTestId('editor-trigger').fill('ohwx person');
    await editor().getByTestId('editor-insert-trigger').click();
    expect(await caption('photo-01.png')).toBe('a photo of [trigger], sample 1');
    expect(await caption('photo-02.png')).toBe('a photo of ohwx person, sample 2');
    expect(await caption('photo-03.png')).toBe('a photo of ohwx person, sample 3');
    expect(await caption('photo-04.png')).toBe('a photo of [trigger], sample 4');
    await editor().screenshot({ path: join(RESULTS, 'i12-editsel-selected.png') });

    await editor().getByTestId('editor-remove-selected').click();
    expect(await cell('photo-02.png').getAttribute('class')).toContain('removed');
    expect(await cell('photo-03.png').getAttribute('class')).toContain('removed');
    expect(await editor().getByTestId('editor-selected').innerText()).toBe('0 selected');
    expect(await editor().getByTestId('editor-insert-trigger').innerText()).toBe('Insert trigger');
    expect(await editor().getByTestId('editor-count').innerText()).toBe('2 images changed');
    await editor().screenshot({ path: join(RESULTS, 'i12-editsel-removed.png') });

    await editor().getByTestId('editor-save').click();
    await editor().waitFor({ state: 'hidden' });
    await versionRow(2).locator('[data-status="READY"]').waitFor({ timeout: 60_000 });
    expect(await imageCaptions(datasetId, 2)).toEqual({
      'photo-01.png': 'a photo of [trigger], sample 1',
      'photo-04.png': 'a photo of [trigger], sample 4',
    });
    expect(pageErrors).toEqual([]);
  }, 150_000);

  it('reviews a fresh pick in the same editor, fills a missing caption, drops an image and uploads it as a new dataset', async () => {
    await ui.page.getByTestId('dataset-select').selectOption('');
    await ui.page.getByTestId('dataset-file').setInputFiles([
      { name: 'cat-1.png', mimeType: 'image/png', buffer: makePng(320, 240, 31) },
      { name: 'cat-1.txt', mimeType: 'text/plain', buffer: Buffer.from('a photo of [trigger] on a sofa') },
      { name: 'cat-2.png', mimeType: 'image/png', buffer: makePng(300, 300, 32) },
      { name: 'cat-2.txt', mimeType: 'text/plain', buffer: Buffer.from('a photo of [trigger] asleep') },
      { name: 'cat-3.png', mimeType: 'image/png', buffer: makePng(280, 350, 33) },
    ]);
    // Nothing goes up yet: the pick waits in the upload section.
    expect(await ui.page.getByTestId('picked-summary').innerText()).toBe('3 images, 2 captions picked');
    await ui.page.locator('.side-section', { has: ui.page.getByTestId('picked-card') }).screenshot({ path: join(RESULTS, 'i12-editsel-picked.png') });
    await ui.page.getByTestId('picked-review').click();

    await expect.poll(decodedThumbs).toBe(3);
    expect(await editor().locator('h2').innerText()).toBe('Review captions · 5 picked files');
    expect(await editor().getByTestId('editor-restored').innerText()).toContain('not kept over a reload');
    expect(await caption('cat-1.png')).toBe('a photo of [trigger] on a sofa');
    await expect.poll(() => cell('cat-3.png').getByTestId('editor-size').innerText()).toContain('280×350');
    expect(await cell('cat-3.png').getByTestId('editor-finding').innerText()).toBe('MISSING_CAPTION');
    expect(await cell('cat-3.png').getByTestId('editor-finding').getAttribute('title')).toBe('cat-3.png has no caption (cat-3.txt).');
    expect(await cell('cat-1.png').getByTestId('editor-finding').count()).toBe(0);
    expect(await editor().getByTestId('editor-save').innerText()).toBe('Upload as new dataset');
    await editor().screenshot({ path: join(RESULTS, 'i12-editsel-pick-review.png') });

    await cell('cat-3.png').getByTestId('editor-caption').fill('a photo of [trigger] by the window');
    expect(await cell('cat-3.png').getByTestId('editor-finding').count()).toBe(0);
    await cell('cat-2.png').getByTestId('editor-remove').click();
    expect(await editor().getByTestId('editor-count').innerText()).toBe('2 images to upload · 2 images changed');
    await editor().screenshot({ path: join(RESULTS, 'i12-editsel-pick-edited.png') });

    await editor().getByTestId('editor-save').click();
    await editor().waitFor({ state: 'hidden' });
    expect(await ui.page.getByTestId('picked-card').count()).toBe(0);
    await ui.page.locator('[data-testid="dataset-status"][data-status="READY"]').waitFor({ timeout: 60_000 });
    const datasetId = await ui.page.getByTestId('dataset-select').inputValue();
    expect(await ui.page.getByTestId('dataset-status').locator('..').innerText()).toContain('v1');
    await ui.page.locator('.side-section', { has: ui.page.getByTestId('dataset-report') }).screenshot({ path: join(RESULTS, 'i12-editsel-pick-uploaded.png') });
    expect(await imageCaptions(datasetId, 1)).toEqual({
      'cat-1.png': 'a photo of [trigger] on a sofa',
      'cat-3.png': 'a photo of [trigger] by the window',
    });
    expect(pageErrors).toEqual([]);
  }, 150_000);
});
