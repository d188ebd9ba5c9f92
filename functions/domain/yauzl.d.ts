// yauzl ships no types; this covers the part zip-archive.ts uses.
declare module 'yauzl' {
  import type { Readable } from 'node:stream';
  import { EventEmitter } from 'node:events';

  interface Options { lazyEntries?: boolean; decodeStrings?: boolean; validateEntrySizes?: boolean; strictFileNames?: boolean; autoClose?: boolean }
  interface ReadStreamOptions { decodeFileData?: boolean; start?: number; end?: number }

  export class Entry {
    fileName: string;
    compressedSize: number;
    uncompressedSize: number;
    compressionMethod: number;
    isEncrypted(): boolean;
  }

  export class ZipFile extends EventEmitter {
    entryCount: number;
    readEntry(): void;
    close(): void;
    openReadStream(entry: Entry, options: ReadStreamOptions, callback: (err: Error | null, stream: Readable) => void): void;
  }

  export class RandomAccessReader extends EventEmitter {
    _readStreamForRange(start: number, end: number): Readable;
    close(callback: (err?: Error | null) => void): void;
  }

  export function fromBuffer(buffer: Buffer, options: Options, callback: (err: Error | null, zipfile: ZipFile) => void): void;
  export function fromRandomAccessReader(reader: RandomAccessReader, totalSize: number, options: Options, callback: (err: Error | null, zipfile: ZipFile) => void): void;
  const yauzl: { fromBuffer: typeof fromBuffer; fromRandomAccessReader: typeof fromRandomAccessReader; RandomAccessReader: typeof RandomAccessReader };
  export default yauzl;
}
