// The upload panel in a real browser: an archive with problems is uploaded with progress and its validation
// report (counts, per-file findings, which trainers fit) appears inline as soon as it arrives over the WebSocket.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESULTS } from '#support/browser';
import { signIn } from '#support/browser';
import { useBrowserSession } from '#support/browser-session';
import { makeJpeg } from '#support/dataset-corpus';
import { makePng } from '#support/png';
import { buildZip } from '#support/zip-writer';

const ui = useBrowserSession('e2e-report', { timeoutMs: 30_000 });

describe('the upload panel', () => {
  it('refuses a file that is not a zip before uploading anything', async () => {
    await signIn(ui.page, ui.cloud.url, 'e2e-report');
    const notes = join(ui.dataDir, 'notes.txt');
    await writeFile(notes, 'not a zip');
    await ui.page.getByTestId('dataset-file').setInputFiles(notes);
    await expect.poll(() => ui.page.getByTestId('upload-error').innerText()).toMatch(/at least one image/);
  });

  it('packages loose images and captions picked together into one zip on Upload, and validates it', async () => {
    const files = [0, 1, 2, 3].flatMap((i) => [
      { name: `loose-${i}.png`, mimeType: 'image/png', buffer: makePng(320, 320, 20 + i) },
      { name: `loose-${i}.txt`, mimeType: 'text/plain', buffer: Buffer.from(`a photo of [trigger], pose ${i}`) },
    ]);
    await ui.page.getByTestId('dataset-file').setInputFiles(files);
    // Loose files wait as a pick, to be reviewed or uploaded as they are.
    expect(await ui.page.getByTestId('picked-summary').innerText()).toBe('4 images, 4 captions picked');
    await ui.page.getByTestId('picked-upload').click();
    await ui.page.locator('[data-testid="dataset-status"][data-status="READY"]').waitFor({ timeout: 60_000 });
    const text = await ui.page.getByTestId('dataset-report').innerText();
    expect(text).toMatch(/Images\s*4/i);
    expect(text).toMatch(/Pairs\s*4/i);
    await ui.page.locator('.side-section', { has: ui.page.getByTestId('dataset-report') }).screenshot({ path: join(RESULTS, 'upload-panel-packaged.png') });
  }, 90_000);

  it('shows the INVALID report inline: counts, the files at fault and why', async () => {
    const zip = buildZip([
      ...[0, 1, 2, 3].flatMap((i) => [{ name: `photo-${i}.png`, data: makePng(320, 320, i), method: 0 }, { name: `photo-${i}.txt`, data: `a photo of [trigger] ${i}` }]),
      { name: 'photo-4.png', data: makeJpeg(640, 480, 9), method: 0 },
      { name: 'cut.png', data: makePng(320, 320, 7).subarray(0, 2000), method: 0 },
      { name: '../escape.png', data: makePng(320, 320, 8), method: 0 },
      { name: 'orphan.txt', data: 'no image here' },
      { name: '__MACOSX/._photo-0.png', data: 'x' },
    ]);
    const path = join(ui.dataDir, 'holiday-set.zip');
    await writeFile(path, zip);
    await ui.page.getByTestId('dataset-file').setInputFiles(path);
    await ui.page.locator('[data-testid="dataset-status"][data-status="INVALID"]').waitFor({ timeout: 60_000 });
    const report = ui.page.getByTestId('dataset-report');
    const text = await report.innerText();
    expect(text).toMatch(/Images\s*5/i);
    expect(text).toContain('cut.png');
    expect(text).toContain('../escape.png');
    expect(text).toMatch(/problems? to fix/);
    await ui.page.locator('.side-section', { has: ui.page.getByTestId('dataset-report') }).screenshot({ path: join(RESULTS, 'upload-panel-invalid.png') });
  }, 90_000);
});
