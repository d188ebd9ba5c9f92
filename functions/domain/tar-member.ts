// Streams one member out of a tar archive without holding the archive (or the member) in memory. Replicate's
// trainers deliver the LoRA as a .tar (output/flux_train_replicate/lora.safetensors beside config files), and
// collect pipes the download through this on its way to the artifacts bucket:
//   pipeline(download, tarMember('lora.safetensors'), inspector, upload)
// Reads ustar, GNU (long names, base-256 sizes) and pax (path, size) headers; compressed archives are refused.

const BLOCK = 512;

/** A tar archive that ends, or breaks, before the member was found. */
export class TarMemberError extends Error {
  override readonly name = 'TarMemberError';
}

/** Collects chunks and hands out exact byte counts from an async source. */
class Bytes {
  private chunks: Uint8Array[] = [];
  private length = 0;
  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  /** True once `count` bytes are buffered; false if the source ended first. */
  async fill(count: number): Promise<boolean> {
    while (this.length < count) {
      const next = await this.source.next();
      if (next.done) return false;
      const chunk = typeof next.value === 'string' ? new TextEncoder().encode(next.value) : next.value;
      if (chunk.byteLength === 0) continue;
      this.chunks.push(chunk);
      this.length += chunk.byteLength;
    }
    return true;
  }

  /** The next `count` bytes (buffered by fill) as one array. */
  take(count: number): Uint8Array {
    const out = new Uint8Array(count);
    let offset = 0;
    while (offset < count) {
      const head = this.chunks[0]!;
      const part = Math.min(head.byteLength, count - offset);
      out.set(head.subarray(0, part), offset);
      offset += part;
      this.drop(part);
    }
    return out;
  }

  /** The next `count` bytes as they arrive, chunk by chunk. */
  async *pass(count: number): AsyncGenerator<Uint8Array> {
    let left = count;
    while (left > 0) {
      if (this.length === 0 && !(await this.fill(1))) throw new TarMemberError('The archive ended in the middle of a file.');
      const head = this.chunks[0]!;
      const part = Math.min(head.byteLength, left);
      const piece = head.subarray(0, part);
      this.drop(part);
      left -= part;
      yield piece;
    }
  }

  async skip(count: number): Promise<void> {
    for await (const _ of this.pass(count)) { /* discard */ }
  }

  private drop(count: number): void {
    const head = this.chunks[0]!;
    if (count === head.byteLength) this.chunks.shift();
    else this.chunks[0] = head.subarray(count);
    this.length -= count;
  }
}

const decoder = new TextDecoder();
const text = (block: Uint8Array, start: number, size: number) => {
  const field = block.subarray(start, start + size);
  const end = field.indexOf(0);
  return decoder.decode(end === -1 ? field : field.subarray(0, end));
};

function numberField(block: Uint8Array, start: number, size: number): number {
  const field = block.subarray(start, start + size);
  if (field[0]! & 0x80) {
    // GNU base-256: big-endian binary after the marker bit.
    let value = field[0]! & 0x7f;
    for (let index = 1; index < field.byteLength; index++) value = value * 256 + field[index]!;
    return value;
  }
  const digits = text(block, start, size).trim();
  const value = digits ? parseInt(digits, 8) : 0;
  if (!Number.isFinite(value)) throw new TarMemberError('The archive has a damaged header (its size is not a number).');
  return value;
}

function checksumOk(block: Uint8Array): boolean {
  let sum = 0;
  for (let index = 0; index < BLOCK; index++) sum += index >= 148 && index < 156 ? 0x20 : block[index]!;
  const stored = text(block, 148, 8).trim();
  return /^[0-7]+$/.test(stored) && sum === parseInt(stored, 8);
}

/** pax records: "<length> <key>=<value>\n" repeated. */
function paxRecords(bytes: Uint8Array): Record<string, string> {
  const records: Record<string, string> = {};
  const all = decoder.decode(bytes);
  let offset = 0;
  while (offset < all.length) {
    const space = all.indexOf(' ', offset);
    const length = Number(all.slice(offset, space));
    if (space === -1 || !(length > 0)) break;
    const record = all.slice(space + 1, offset + length - 1);
    const equals = record.indexOf('=');
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    offset += length;
  }
  return records;
}

/** Whether an archive path names the wanted member: the exact path, or any path whose last part is it. */
export function isMember(path: string, member: string): boolean {
  const clean = path.replace(/^\.\//, '');
  return clean === member || clean.split('/').pop() === member;
}

const padding = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;

/**
 * A pipeline stage: given the archive's bytes, yields the bytes of the first regular file named `member`
 * (exact path or base name) and stops. Throws TarMemberError when the archive has no such file or is not a tar.
 */
export function tarMember(member: string): (source: AsyncIterable<Uint8Array>) => AsyncGenerator<Uint8Array> {
  return async function* extract(source) {
    const bytes = new Bytes(source[Symbol.asyncIterator]());
    let longName: string | undefined;
    let pax: Record<string, string> = {};
    const seen: string[] = [];
    for (let first = true; ; first = false) {
      if (!(await bytes.fill(BLOCK))) break;
      const header = bytes.take(BLOCK);
      if (header.every((byte) => byte === 0)) break; // end-of-archive marker
      if (!checksumOk(header)) {
        if (first && header[0] === 0x1f && header[1] === 0x8b) throw new TarMemberError('The archive is gzip-compressed; a plain .tar was expected.');
        throw new TarMemberError(first ? 'The file is not a tar archive.' : 'The archive has a damaged header.');
      }
      const type = String.fromCharCode(header[156]!);
      const size = pax.size !== undefined ? Number(pax.size) : numberField(header, 124, 12);
      if (type === 'L' || type === 'x' || type === 'g') {
        if (!(await bytes.fill(size))) throw new TarMemberError('The archive ended in the middle of a header.');
        const data = bytes.take(size);
        await bytes.skip(padding(size));
        if (type === 'L') longName = text(data, 0, data.byteLength);
        else if (type === 'x') pax = { ...pax, ...paxRecords(data) };
        continue;
      }
      const ustar = text(header, 257, 6) === 'ustar' ? text(header, 345, 155) : '';
      const name = pax.path ?? longName ?? (ustar ? `${ustar}/${text(header, 0, 100)}` : text(header, 0, 100));
      longName = undefined;
      pax = {};
      const regular = type === '0' || type === '\0' || type === '7';
      if (regular && isMember(name, member)) {
        yield* bytes.pass(size);
        return;
      }
      if (regular) seen.push(name);
      await bytes.skip(size + padding(size));
    }
    const listing = seen.length > 0 ? ` It holds ${seen.slice(0, 10).join(', ')}${seen.length > 10 ? ', …' : ''}.` : ' It holds no files.';
    throw new TarMemberError(`The archive has no ${member}.${listing}`);
  };
}

/** Builds a tar header block (ustar) for one regular file: for the emulator and tests. */
export function tarHeader(name: string, size: number, mtimeSeconds = 0): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const encoder = new TextEncoder();
  const put = (value: string, start: number, length: number) => block.set(encoder.encode(value).subarray(0, length), start);
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, '0');
  if (encoder.encode(name).byteLength > 100) throw new Error(`Tar member name too long: ${name}`);
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(mtimeSeconds, 12), 136, 12);
  put('        ', 148, 8);
  put('0', 156, 1);
  put('ustar\u000000', 257, 8);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(`${octal(sum, 7)}\u0000 `, 148, 8);
  return block;
}

/** The padding after a member's data and the two zero blocks that end an archive. */
export const tarPadding = (size: number) => new Uint8Array(padding(size));
export const tarEnd = () => new Uint8Array(BLOCK * 2);
