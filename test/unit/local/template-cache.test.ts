import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { synthesizeTemplate } from '#lib/synth';
import { localTemplate, templateInputsHash } from '#local/template-cache';

function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'lw-template-cache-'));
  for (const dir of ['lib/local', 'functions/handlers']) mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, 'lib/stack.ts'), 'export const a = 1;');
  writeFileSync(join(root, 'lib/local/cloud.ts'), 'export const b = 1;');
  writeFileSync(join(root, 'functions/handlers/health.ts'), 'export const c = 1;');
  writeFileSync(join(root, 'package.json'), '{}');
  return root;
}

describe('the local cloud’s cached template', () => {
  afterEach(() => { delete process.env.CDK_CONTEXT_JSON; });

  it('is keyed by every input of the synthesis: the CDK code, the functions, a new handler file, the CDK environment', () => {
    const root = checkout();
    const first = templateInputsHash(root);
    expect(templateInputsHash(root)).toBe(first);

    writeFileSync(join(root, 'lib/stack.ts'), 'export const a = 2;');
    const afterLib = templateInputsHash(root);
    expect(afterLib).not.toBe(first);
    writeFileSync(join(root, 'functions/handlers/retrain.ts'), '');
    const afterHandler = templateInputsHash(root);
    expect(afterHandler).not.toBe(afterLib);
    process.env.CDK_CONTEXT_JSON = '{"cognitoDomainPrefix":"x"}';
    expect(templateInputsHash(root)).not.toBe(afterHandler);
  });

  it('ignores the local cloud’s own code, which does not shape the template', () => {
    const root = checkout();
    const before = templateInputsHash(root);
    writeFileSync(join(root, 'lib/local/cloud.ts'), 'export const b = 2;');
    expect(templateInputsHash(root)).toBe(before);
  });

  it('is the synthesized template, synthesized once and then read from the cache', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'lw-template-cache-dir-'));
    const synthesized = await localTemplate(undefined, cacheDir);
    expect(synthesized).toEqual(JSON.parse(JSON.stringify(synthesizeTemplate({ bundling: false }))));
    expect(readdirSync(cacheDir)).toHaveLength(1);
    writeFileSync(join(cacheDir, readdirSync(cacheDir)[0]!), JSON.stringify({ Resources: { Marker: { Type: 'X' } } }));
    expect(await localTemplate(undefined, cacheDir)).toEqual({ Resources: { Marker: { Type: 'X' } } });
  });
});
