// S3 keys are names, not paths: `a/../b`, `./x` and `a//b` are keys of their own in S3. s3rver maps a key to a
// file by joining its segments onto the data folder, so `..` climbs out of it and `.` or an empty segment
// disappears (two keys, one file). Loaded once, this module makes s3rver's filesystem store name files by an
// escaped form of the key that no path resolution changes, and read keys back from it:
// `%` → `%25`, a `.` that starts a segment → `%2E`, a `/` that starts a segment (an empty segment) → `%2F`.
// Each character's escape depends on the one before it only, so the escaped form of a prefix is a prefix of the
// escaped key, which s3rver's listing relies on (it prunes folders by the escaped prefix).
import { readdir, rmdir, unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

interface Store {
  getBucketPath(bucket: string): string;
  getResourcePath(bucket: string, key: string, resource: string): string;
}
interface StoreClass {
  encodeKeyPath(key: string): string;
  decodeKeyPath(keyPath: string): string;
  prototype: Store & { deleteObject(bucket: string, key: string): Promise<void> };
}

/** The file-name form of a key: no segment of it is `.`, `..` or empty. */
export function escapeKey(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const char = key[i]!;
    const startsSegment = i === 0 || key[i - 1] === '/';
    if (char === '%') out += '%25';
    else if (startsSegment && char === '.') out += '%2E';
    else if (startsSegment && char === '/') out += '%2F';
    else out += char;
  }
  return out;
}

export function unescapeKey(keyPath: string): string {
  return keyPath.replace(/%(25|2E|2F)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const FilesystemStore = createRequire(import.meta.url)('s3rver/lib/stores/filesystem') as StoreClass;
FilesystemStore.encodeKeyPath = escapeKey;
FilesystemStore.decodeKeyPath = unescapeKey;
// s3rver's own deleteObject removes the folders a key's segments name, joined raw (`a/../b` would remove the
// bucket's folder once it is empty): the same with the escaped segments.
FilesystemStore.prototype.deleteObject = async function deleteObject(this: Store, bucket: string, key: string): Promise<void> {
  await Promise.all(['object', 'object.md5', 'metadata.json'].map((resource) =>
    unlink(this.getResourcePath(bucket, key, resource)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    })));
  const parts = escapeKey(key).split('/');
  parts.pop();
  const bucketPath = this.getBucketPath(bucket);
  while (parts.length) {
    const folder = join(bucketPath, ...parts);
    if ((await readdir(folder).catch(() => ['?'])).length) break;
    await rmdir(folder);
    parts.pop();
  }
};
