// The dataset editor's first grid paint on a 300-image, 1 GiB version, in Chromium: the editor reads each visible
// thumbnail's entry from the version's zip by HTTP Range (web/src/zip-range.ts), beside the same browser
// downloading the whole zip from the same presigned URL, in the same run. The version is uploaded as the CLI
// does (a streamed presigned POST of a zip written to disk) to a local cloud and validated to READY.
// BENCH_DATASET_MIB sets the archive size (default 1024 MiB); temp data is removed at the end.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Response } from 'playwright-core';
import { postFile } from '#cli/upload';
import type { Dataset, DatasetFileList } from '#domain/schemas';
import { startLocalCloud } from '#local/cloud';
import { RESULTS, ensureWebBuild, launchChromium, signIn } from '#support/browser';
import { LoraworksClient, type PresignedForm } from '#support/local-cloud-client';
import { eventually } from '#support/poll';
import { writeNoiseDatasetZip } from './noise-dataset-zip';

const MiB = 1024 * 1024;
const USER = 'bench-grid';
const SHOT = join(RESULTS, 'bench-editor-grid.png');

/** What the page measured from the click on "Edit captions". */
interface GridFigures { paintMs: number; decodedMs: number; cards: number; viewportThumbs: number }

export async function run(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const targetBytes = Number(process.env.BENCH_DATASET_MIB ?? 1024) * MiB;
  const images = 300;
  const dir = await mkdtemp(join(tmpdir(), 'loraworks-bench-grid-'));
  const closers: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  try {
    let t = performance.now();
    const zipPath = join(dir, 'grid.zip');
    const zip = await writeNoiseDatasetZip(zipPath, { images, targetBytes });
    console.log(`dataset: ${images} captioned PNGs ${zip.width} px wide (${zip.stored} stored, ${zip.deflated} deflated), ${mib(zip.size)}, written to disk in ${secs(performance.now() - t)}`);

    await ensureWebBuild();
    const cloud = await startLocalCloud({ port: 0, dataDir: join(dir, 'cloud') });
    closers.push(() => cloud.stop());
    const browser = await launchChromium();
    closers.push(() => browser.close());
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    page.setDefaultTimeout(60_000);
    await signIn(page, cloud.url, USER);
    const client = LoraworksClient.withToken(cloud.apiUrl, await idToken(page, cloud.url));

    t = performance.now();
    const dataset = await client.expect<Dataset>(201, 'POST', '/datasets', { name: 'grid bench' });
    const { version, upload } = await client.expect<{ version: number; upload: PresignedForm }>(201, 'POST', `/datasets/${dataset.id}/uploads`, { fileName: 'grid.zip', sizeBytes: zip.size });
    await postFile(upload, createReadStream(zipPath), zip.size, 'grid.zip', () => undefined);
    const uploadMs = performance.now() - t;
    const validated = await eventually(async () => {
      const { versions } = await client.expect<Dataset>(200, 'GET', `/datasets/${dataset.id}`);
      const found = versions?.find((v) => v.version === version);
      return found && (found.status === 'READY' || found.status === 'INVALID') ? found : undefined;
    }, `v${version} validated`, 240_000);
    if (validated.status !== 'READY') throw new Error(`the benchmark dataset was found ${validated.status}: ${JSON.stringify(validated.report?.errors ?? validated).slice(0, 1000)}`);
    console.log(`upload (streamed presigned POST) ${secs(uploadMs)}, then validated to READY in ${secs(performance.now() - t - uploadMs)}`);

    // The editor, cold: a fresh page load, the dataset chosen, then the click that opens it.
    const ranges = rangeCounter(page);
    const filesList = page.waitForResponse((r) => r.url().includes(`/datasets/${dataset.id}/versions/${version}/files`));
    filesList.catch(() => undefined); // awaited below; a failure before then is reported as itself
    await page.reload();
    await page.getByTestId('user-name').waitFor();
    await page.getByTestId('dataset-select').selectOption(dataset.id);
    await page.locator(`[data-testid="version-row"][data-version="${version}"] [data-testid="version-edit"]`).waitFor();
    const cdp = await page.context().newCDPSession(page);
    const heapBefore = await heapBytes(cdp);
    // tsx keeps function names with an `__name` helper the page does not have; measureGrid's inner functions need it.
    await page.evaluate('window.__name = (f) => f');
    const grid = await page.evaluate(measureGrid, version);
    const editorBytes = ranges.bytes;
    const editorReads = ranges.reads;
    const editorHeap = (await heapBytes(cdp)) - heapBefore;
    const listing = await filesList;
    const manifestBytes = (await listing.body()).length;
    const { url } = (await listing.json()) as DatasetFileList;
    await page.screenshot({ path: SHOT }); // the first viewport, as measured
    ranges.stop();

    // Baseline: the same page fetching the whole zip from the same presigned URL into an ArrayBuffer.
    const heapIdle = await heapBytes(cdp);
    const full = await page.evaluate(async (zipUrl) => {
      const start = performance.now();
      const response = await fetch(zipUrl, { cache: 'no-store' });
      const body = await response.arrayBuffer();
      (window as unknown as { benchZip?: ArrayBuffer }).benchZip = body;
      return { ms: performance.now() - start, bytes: body.byteLength };
    }, url!);
    const fullHeap = (await heapBytes(cdp)) - heapIdle;
    await page.evaluate(() => { delete (window as unknown as { benchZip?: ArrayBuffer }).benchZip; });

    console.log(`editor: ${grid.cards} cards, ${grid.viewportThumbs} thumbnails in the first viewport (1440×900), ${editorReads} Range reads by then; the file list was ${kib(manifestBytes)}`);
    const ratio = (baseline: number, editor: number) => `${(baseline / editor).toFixed(1)}×`;
    console.table({
      'first grid paint (cards visible)': { 'editor (range reads)': ms(grid.paintMs), 'baseline (full download)': `≥ ${ms(full.ms)}`, 'baseline / editor': ratio(full.ms, grid.paintMs) },
      'first viewport thumbnails decoded': { 'editor (range reads)': ms(grid.decodedMs), 'baseline (full download)': `≥ ${ms(full.ms)}`, 'baseline / editor': ratio(full.ms, grid.decodedMs) },
      'bytes fetched from the zip': { 'editor (range reads)': mib(editorBytes), 'baseline (full download)': mib(full.bytes), 'baseline / editor': ratio(full.bytes, editorBytes) },
      'JS heap + array buffers growth': { 'editor (range reads)': mb(editorHeap), 'baseline (full download)': mb(fullHeap), 'baseline / editor': ratio(fullHeap, Math.max(editorHeap, 1)) },
    });
    console.log('baseline times are its download alone: a full download shows no thumbnail before its last byte, and decoding comes on top');
  } finally {
    for (const close of closers.reverse()) await close().catch((e: unknown) => console.error(`cleanup: ${String(e)}`));
  }
}

/** Clicks "Edit captions" on `version` and watches frames until the cards show, then until every thumbnail in the
 * viewport is decoded with the scroll at rest. Runs in the page. */
function measureGrid(version: number): Promise<GridFigures> {
  const button = document.querySelector<HTMLButtonElement>(`[data-testid="version-row"][data-version="${version}"] [data-testid="version-edit"]`);
  if (!button) throw new Error(`no Edit captions button for v${version}`);
  const inView = (el: Element) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
  };
  const start = performance.now();
  button.click();
  return new Promise((resolve) => {
    let paintMs = 0;
    let lastScroll = -1;
    const frame = () => {
      const now = performance.now() - start;
      const cells = [...document.querySelectorAll('[data-testid="editor-cell"]')];
      if (!paintMs && cells.some(inView)) paintMs = now;
      const thumbs = [...document.querySelectorAll<HTMLImageElement>('[data-testid="editor-thumb"]')].filter(inView);
      const settled = scrollY === lastScroll;
      lastScroll = scrollY;
      if (paintMs && settled && thumbs.length && thumbs.every((img) => img.naturalWidth > 0)) {
        resolve({ paintMs, decodedMs: now, cards: cells.length, viewportThumbs: thumbs.length });
        return;
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

/** Counts the Range reads the page makes and the bytes they answer with. */
function rangeCounter(page: Page) {
  const counter = { bytes: 0, reads: 0, stop: () => page.off('response', onResponse) };
  const onResponse = (response: Response) => {
    if (response.status() !== 206 || !response.request().headers().range) return;
    counter.reads++;
    counter.bytes += Number(response.headers()['content-length'] ?? 0);
  };
  page.on('response', onResponse);
  return counter;
}

/** The signed-in page's ID token, as the web app keeps it. */
async function idToken(page: Page, appUrl: string): Promise<string> {
  const token = await page.evaluate((key) => (JSON.parse(localStorage.getItem(key) ?? '{}') as { id_token?: string }).id_token, `oidc.user:${appUrl}/dev:loraworks-local`);
  if (!token) throw new Error('the page holds no ID token after signing in');
  return token;
}

/** The page's JS heap in use plus the array buffers' backing stores (where a downloaded zip sits). */
async function heapBytes(cdp: { send(method: 'Runtime.getHeapUsage'): Promise<{ usedSize: number; backingStorageSize?: number }> }): Promise<number> {
  const usage = await cdp.send('Runtime.getHeapUsage');
  return usage.usedSize + (usage.backingStorageSize ?? 0);
}

const secs = (n: number) => `${(n / 1000).toFixed(1)} s`;
const ms = (n: number) => (n < 10_000 ? `${n.toFixed(0)} ms` : secs(n));
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const mib = (n: number) => `${(n / MiB).toFixed(n < 100 * MiB ? 1 : 0)} MiB`;
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
