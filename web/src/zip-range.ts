// Reads one entry of a remote zip by an HTTP byte range (its offsets come from the version's file list), so the
// dataset editor shows thumbnails without downloading the archive. Stored entries are the bytes themselves;
// deflated ones are inflated by the browser's DecompressionStream. A few reads at a time; object URLs cached.
import type { ZipEntryLocation } from '#domain/schemas';

const MAX_IN_FLIGHT = 6;

const MIME: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', bmp: 'image/bmp', avif: 'image/avif' };

export function mimeOf(name: string): string {
  return MIME[/\.([^.]+)$/.exec(name)?.[1]?.toLowerCase() ?? ''] ?? 'application/octet-stream';
}

/** The Range header's value for one entry's compressed bytes. */
export function entryRange(zip: Pick<ZipEntryLocation, 'dataOffset' | 'compressedSize'>): string {
  return `bytes=${zip.dataOffset}-${zip.dataOffset + Math.max(zip.compressedSize, 1) - 1}`;
}

let inFlight = 0;
const waiting: (() => void)[] = [];

async function slot<T>(task: () => Promise<T>): Promise<T> {
  if (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => waiting.push(resolve));
  inFlight++;
  try {
    return await task();
  } finally {
    inFlight--;
    waiting.shift()?.();
  }
}

/** One entry's uncompressed bytes, typed by its name. */
export async function readEntry(url: string, name: string, zip: Pick<ZipEntryLocation, 'dataOffset' | 'compressedSize' | 'method'>): Promise<Blob> {
  return slot(async () => {
    const response = await fetch(url, { headers: { Range: entryRange(zip) } });
    if (response.status !== 206 && response.status !== 200) throw new Error(`HTTP ${response.status}`);
    let blob = await response.blob();
    // A server that ignores Range answers 200 with the whole zip: cut the entry out.
    if (response.status === 200) blob = blob.slice(zip.dataOffset, zip.dataOffset + zip.compressedSize);
    if (zip.method === 'deflated') blob = await new Response(blob.stream().pipeThrough(new DecompressionStream('deflate-raw'))).blob();
    return new Blob([blob], { type: mimeOf(name) });
  });
}

const cache = new Map<string, Promise<string>>();

/** An object URL of the entry, read once per (zip, entry); a failed read is forgotten so a later one retries. */
export function entryObjectUrl(cacheKey: string, url: string, name: string, zip: Pick<ZipEntryLocation, 'dataOffset' | 'compressedSize' | 'method'>): Promise<string> {
  const key = `${cacheKey}|${name}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = readEntry(url, name, zip).then((blob) => URL.createObjectURL(blob));
    hit.catch(() => cache.delete(key));
    cache.set(key, hit);
  }
  return hit;
}
