// The dataset editor in a real browser: a READY version's images shown as cards with thumbnails read from the
// zip by byte range, a caption edited inline, the trigger phrase inserted in bulk, an image removed, the unsaved
// edits surviving a reload, and Save making v2, whose files (through the API) carry exactly those edits.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '#http/api-client';
import { RESULTS, signIn } from '#support/browser';
import { useBrowserSession } from '#support/browser-session';
import { makeDatasetZip } from '#support/dataset-zip';
import { makePng } from '#support/png';

const ui = useBrowserSession('e2e-editor', { timeoutMs: 30_000 });
const pageErrors: string[] = [];

const editor = () => ui.page.getByTestId('dataset-editor');
const cell = (name: string) => editor().locator(`[data-testid="editor-cell"][data-name="${name}"]`);
const versionRow = (v: number) => ui.page.locator(`[data-testid="version-row"][data-version="${v}"]`);

async function openEditor(datasetId: string): Promise<void> {
  await ui.page.getByTestId('dataset-select').selectOption(datasetId);
  await versionRow(1).getByTestId('version-edit').click();
  await expect.poll(() => editor().getByTestId('editor-cell').count()).toBe(4);
  // Every thumbnail has really been read from the zip and decoded.
  await expect.poll(() => editor().getByTestId('editor-thumb').evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length)).toBe(4);
}

describe('the dataset editor', () => {
  it('edits captions, inserts the trigger, removes an image, keeps edits over a reload and saves v2', async () => {
    ui.page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(ui.page, ui.cloud.url, 'e2e-editor');
    const zipPath = join(ui.dataDir, 'portraits.zip');
    await writeFile(zipPath, await makeDatasetZip({ images: 4, size: 160 }));
    await ui.page.getByTestId('dataset-file').setInputFiles(zipPath);
    await ui.page.locator('[data-testid="dataset-status"][data-status="READY"]').waitFor({ timeout: 60_000 });
    const datasetId = await ui.page.getByTestId('dataset-select').inputValue();
    expect(datasetId).toBeTruthy();

    // Opening the editor scrolls the workspace to it; the page itself never scrolls, so the header stays in view.
    await ui.page.evaluate(() => {
      const ended: EventTarget[] = [];
      (window as unknown as { scrollEnds: EventTarget[] }).scrollEnds = ended;
      document.addEventListener('scrollend', (event) => ended.push(event.target!), { capture: true });
    });
    await openEditor(datasetId);
    await expect.poll(() => ui.page.evaluate(() => (window as unknown as { scrollEnds: EventTarget[] }).scrollEnds.length), { message: 'the workspace scrolls to the editor' }).toBeGreaterThan(0);
    expect(await ui.page.evaluate(() => [document.querySelector('.shell')!.scrollTop, document.querySelector('.topbar')!.getBoundingClientRect().top])).toEqual([0, 0]);
    await ui.page.screenshot({ path: join(RESULTS, 'i12-editor-open-page.png') });
    await editor().screenshot({ path: join(RESULTS, 'i12-editor-open.png') });
    await cell('photo-01.png').getByTestId('editor-caption').fill('a portrait of [trigger] smiling');
    await editor().getByTestId('editor-trigger').fill('ohwx person');
    await editor().getByTestId('editor-insert-trigger').click();
    await cell('photo-04.png').getByTestId('editor-remove').click();
    expect(await editor().getByTestId('editor-count').innerText()).toBe('4 images changed');
    expect(await cell('photo-02.png').getByTestId('editor-caption').inputValue()).toBe('a photo of ohwx person, sample 2');
    await editor().screenshot({ path: join(RESULTS, 'i12-editor-edited.png') });

    await ui.page.reload();
    await ui.page.getByTestId('user-name').waitFor();
    await openEditor(datasetId);
    expect(await editor().getByTestId('editor-restored').innerText()).toContain('Unsaved edits restored — Save or Discard');
    expect(await cell('photo-01.png').getByTestId('editor-caption').inputValue()).toBe('a portrait of ohwx person smiling');
    expect(await cell('photo-04.png').getAttribute('class')).toContain('removed');
    expect(await editor().getByTestId('editor-restored').innerText()).toContain('added files must be added again');
    await ui.page.screenshot({ path: join(RESULTS, 'i12-editor-restored.png'), fullPage: true });

    // Add one image with its .txt: a new card with a local thumbnail and the caption, counted as a change.
    await editor().getByTestId('editor-add-input').setInputFiles([
      { name: 'added-05.png', mimeType: 'image/png', buffer: makePng(160, 160, 5) },
      { name: 'added-05.txt', mimeType: 'text/plain', buffer: Buffer.from('a photo of ohwx person, added') },
    ]);
    const addedCell = cell('added-05.png');
    await expect.poll(() => addedCell.getByTestId('editor-thumb').evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    expect(await addedCell.getByTestId('editor-new').innerText()).toBe('new');
    expect(await addedCell.getByTestId('editor-caption').inputValue()).toBe('a photo of ohwx person, added');
    await addedCell.getByTestId('editor-caption').fill('a photo of ohwx person, newly added');
    expect(await editor().getByTestId('editor-count').innerText()).toBe('5 images changed');
    await editor().screenshot({ path: join(RESULTS, 'i12-editadd.png') });

    await editor().getByTestId('editor-save').click();
    await editor().waitFor({ state: 'hidden' });
    await versionRow(2).locator('[data-status="READY"]').waitFor({ timeout: 60_000 });
    expect(await versionRow(2).getByTestId('version-origin').innerText()).toBe('from v1');
    await ui.page.getByTestId('versions-panel').screenshot({ path: join(RESULTS, 'i12-editor-v2.png') });

    const token = await ui.page.evaluate((key) => (JSON.parse(localStorage.getItem(key) ?? '{}') as { id_token?: string }).id_token,
      `oidc.user:${ui.cloud.url}/dev:loraworks-local`);
    const api = new ApiClient(ui.cloud.apiUrl, token!);
    const { files } = await api.datasetFiles(datasetId, 2);
    const captions = Object.fromEntries(files.filter((f) => f.kind === 'image').map((f) => [f.name, f.caption]));
    expect(captions).toEqual({
      'added-05.png': 'a photo of ohwx person, newly added',
      'photo-01.png': 'a portrait of ohwx person smiling',
      'photo-02.png': 'a photo of ohwx person, sample 2',
      'photo-03.png': 'a photo of ohwx person, sample 3',
    });
    expect(pageErrors).toEqual([]);
  }, 150_000);
});
