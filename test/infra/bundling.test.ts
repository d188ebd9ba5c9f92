import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { handlerFunction } from '#lib/handler-function';
import type { ResourceOf, Template } from './template-helpers';

// Bundling every handler takes well over half a minute, too slow for this suite (`npx cdk synth` does it); one
// handler proves the factory's esbuild settings: local esbuild (no Docker), ESM with the createRequire banner,
// source maps.
describe('handler bundling', () => {
  it('bundles a handler to an ESM index.mjs with the require banner and a source map', () => {
    const app = new App();
    const stack = new Stack(app, 'BundlingProbe');
    handlerFunction(stack, 'health');
    const assembly = app.synth();
    const template = assembly.getStackByName(stack.stackName).template as Template;
    const fn = Object.values(template.Resources).find((r): r is ResourceOf<'AWS::Lambda::Function'> => r.Type === 'AWS::Lambda::Function')!;
    const assetDir = join(assembly.directory, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
    const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(code.startsWith("import { createRequire } from 'module'; const require = createRequire(import.meta.url);")).toBe(true);
    expect(code).toMatch(/export\s*\{/);
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
    expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
  }, 60_000);
});
