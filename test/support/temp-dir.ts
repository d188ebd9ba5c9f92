// A data folder of a test file's own: made before its first test, removed after its last.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** Registers the hooks; the returned function gives the folder's path once the file's tests run. */
export function useTempDir(prefix: string): () => string {
  let path: string | undefined;
  beforeAll(async () => {
    path = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    if (path) await rm(path, { recursive: true, force: true });
  });
  return () => {
    if (!path) throw new Error(`The ${prefix} folder is made in beforeAll; read it inside a hook or a test.`);
    return path;
  };
}
