// Fetches a request's dataset, as a trainer does before it trains, and words a failure as fal's field error.
const DOWNLOAD_TIMEOUT_MS = 30_000;

export type Download = { bytes: Uint8Array } | { problem: { msg: string; type: string } };

export async function downloadDataset(url: string, signal: AbortSignal): Promise<Download> {
  let bytes: Uint8Array;
  try {
    const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS)]) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    return { problem: { msg: `Could not download the file at ${url}: ${(error as Error).message}`, type: 'file_download_error' } };
  }
  // Every zip starts with a "PK" record signature (local file header, or end of central directory when empty).
  if (bytes.byteLength < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) return { problem: { msg: 'The dataset is not a zip archive.', type: 'invalid_archive' } };
  return { bytes };
}
