// The API client the web app and the CLI share reads a version's whole file list, following each page's cursor.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DatasetFile } from '#domain/schemas';
import { ApiClient } from '#http/api-client';

const file = (name: string): DatasetFile => ({
  name, kind: 'image', sizeBytes: 1, contentHash: 'a'.repeat(64), findings: [],
  zip: { headerOffset: 0, dataOffset: 40, compressedSize: 1, method: 'stored', crc32: 1 },
});
const PAGES: Record<string, unknown> = {
  '': { files: [file('a.png'), file('b.png')], url: 'https://s3.test/set.zip?sig', expiresAt: '2026-12-03T10:00:00.000Z', cursor: 'c2' },
  c2: { files: [file('c.png')], url: 'https://s3.test/set.zip?sig2', expiresAt: '2026-12-03T10:00:01.000Z', cursor: 'c3' },
  c3: { files: [file('d.png')], url: 'https://s3.test/set.zip?sig3', expiresAt: '2026-12-03T10:00:02.000Z' },
};

describe('reading a version’s files', () => {
  let asked: string[];
  beforeEach(() => {
    asked = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      const cursor = new URL(url).searchParams.get('cursor') ?? '';
      asked.push(cursor);
      return new Response(JSON.stringify(PAGES[cursor]), { status: 200, headers: { 'content-type': 'application/json' } });
    }));
  });
  afterEach(() => vi.unstubAllGlobals());

  it('follows the cursors to the last page and answers every file with the first page’s link', async () => {
    const list = await new ApiClient('https://api.test', 'jwt').datasetFiles('ds1', 2);
    expect(asked).toEqual(['', 'c2', 'c3']);
    expect(list.files.map((f) => f.name)).toEqual(['a.png', 'b.png', 'c.png', 'd.png']);
    expect(list).toMatchObject({ url: 'https://s3.test/set.zip?sig', expiresAt: '2026-12-03T10:00:00.000Z' });
    expect(list).not.toHaveProperty('cursor');
  });
});
