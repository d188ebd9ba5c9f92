import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLimit, MAX_UPLOAD_BYTES } from '#domain/upload-limit';
import { httpRoutes } from '#http/routes';

describe('the route table', () => {
  it('names each path parameter in the route’s params schema, and no other', () => {
    for (const [name, route] of httpRoutes()) {
      const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(Object.keys(route.params?.shape ?? {}).sort(), `${name}: ${route.path}`).toEqual(inPath);
    }
  });

  it('gives every route a handler file and a method and path of its own', () => {
    const keys = httpRoutes().map(([name, route]) => {
      expect(existsSync(join(__dirname, '../../functions/handlers', `${name}.ts`)), name).toBe(true);
      return `${route.method} ${route.path}`;
    });
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('the upload limit', () => {
  it('reads as people write sizes', () => {
    expect(formatLimit(MAX_UPLOAD_BYTES)).toBe('2 GB');
    expect(formatLimit(1.5 * 1024 ** 3)).toBe('1.5 GB');
    expect(formatLimit(10 * 1024 ** 2)).toBe('10 MB');
    expect(formatLimit(500)).toBe('500 bytes');
  });
});
