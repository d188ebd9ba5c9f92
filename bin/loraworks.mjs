#!/usr/bin/env node
// The `loraworks` command. It runs the bundle `npm run build:cli` makes (dist/loraworks.mjs); in a checkout where
// it was never built, it runs the TypeScript (cli/main.ts) through tsx instead.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Node 22 keeps compiled code between runs; a CLI starts many times.
module.enableCompileCache?.();
const bundle = fileURLToPath(new URL('../dist/loraworks.mjs', import.meta.url));
if (existsSync(bundle)) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../cli/main.ts', import.meta.url).href);
}
