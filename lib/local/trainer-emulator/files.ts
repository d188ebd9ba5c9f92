// The emulator's output files: real bytes plus runs of zeros that are streamed, never held (a large LoRA's
// padding), so a file of hundreds of MB costs a few KB. Replicate's archive is a real tar made of such parts.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { tarEnd, tarHeader, tarPadding } from '#domain/tar-member';

export type FilePart = Uint8Array | { zeros: number };

export interface StoredFile {
  name: string;
  contentType: string;
  parts: FilePart[];
}

/** How a file's parts are laid out in its saved copy (the byte parts concatenated, zeros not written). */
export type FileLayout = ({ bytes: number } | { zeros: number })[];

const partSize = (part: FilePart) => (part instanceof Uint8Array ? part.byteLength : part.zeros);
export const fileSize = (file: StoredFile) => file.parts.reduce((total, part) => total + partSize(part), 0);

/** The whole file in memory: for small files and tests only. */
export function fileBytes(file: StoredFile): Uint8Array {
  const out = new Uint8Array(fileSize(file));
  let at = 0;
  for (const part of file.parts) {
    if (part instanceof Uint8Array) out.set(part, at);
    at += partSize(part);
  }
  return out;
}

/** A tar archive of the given members (ustar, as `tar -cf` writes it). */
export function tarFile(name: string, members: { path: string; parts: FilePart[] }[]): StoredFile {
  const parts: FilePart[] = [];
  for (const member of members) {
    const size = member.parts.reduce((total, part) => total + partSize(part), 0);
    parts.push(tarHeader(member.path, size, 1_700_000_000), ...member.parts, tarPadding(size));
  }
  parts.push(tarEnd());
  return { name, contentType: 'application/x-tar', parts: parts.filter((part) => partSize(part) > 0) };
}

export const layoutOf = (file: StoredFile): FileLayout =>
  file.parts.map((part) => (part instanceof Uint8Array ? { bytes: part.byteLength } : { zeros: part.zeros }));

export async function saveFile(dir: string, file: StoredFile): Promise<void> {
  await mkdir(dir, { recursive: true });
  const bytes = file.parts.filter((part): part is Uint8Array => part instanceof Uint8Array);
  // Aside, then renamed: a kill mid-write never leaves a torn LoRA under the real name.
  await writeFile(join(dir, `${file.name}.tmp`), Buffer.concat(bytes));
  await rename(join(dir, `${file.name}.tmp`), join(dir, file.name));
}

export async function loadFile(dir: string, name: string, contentType: string, layout?: FileLayout): Promise<StoredFile> {
  const saved = new Uint8Array(await readFile(join(dir, name)));
  if (!layout) return { name, contentType, parts: [saved] };
  let at = 0;
  const parts = layout.map((part): FilePart => {
    if ('zeros' in part) return { zeros: part.zeros };
    const slice = saved.subarray(at, at + part.bytes);
    at += part.bytes;
    return slice;
  });
  return { name, contentType, parts };
}

const CHUNK = 64 * 1024;
const ZEROS = new Uint8Array(CHUNK);

function* chunksOf(file: StoredFile): Generator<Uint8Array> {
  for (const part of file.parts) {
    if (part instanceof Uint8Array) {
      for (let at = 0; at < part.byteLength; at += CHUNK) yield part.subarray(at, at + CHUNK);
    } else {
      for (let left = part.zeros; left > 0; left -= CHUNK) yield left >= CHUNK ? ZEROS : ZEROS.subarray(0, left);
    }
  }
}

/** Streams a file with backpressure, at `kbps` KB per second when given; stops when the client leaves. */
export async function streamFile(res: ServerResponse, file: StoredFile, options: { kbps?: number; head?: boolean; headers?: Record<string, string> } = {}): Promise<void> {
  res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(fileSize(file)), ...options.headers });
  if (options.head) {
    res.end();
    return;
  }
  const started = Date.now();
  let sent = 0;
  // Throttled, pieces of about a tenth of a second each, so a stop or a client leaving is noticed soon.
  const piece = options.kbps && options.kbps > 0 ? Math.max(1024, Math.floor(options.kbps * 102.4)) : CHUNK;
  for (const whole of chunksOf(file)) for (let at = 0; at < whole.byteLength; at += piece) {
    const chunk = whole.subarray(at, at + piece);
    if (res.destroyed) return;
    if (!res.write(chunk)) await new Promise<void>((resolve) => { res.once('drain', resolve); res.once('close', resolve); });
    sent += chunk.byteLength;
    if (options.kbps && options.kbps > 0) {
      const due = started + (sent / (options.kbps * 1024)) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  res.end();
}
