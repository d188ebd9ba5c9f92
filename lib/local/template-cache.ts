// The synthesized template the local cloud runs, synthesized once per state of the sources that shape it.
// Synthesis loads aws-cdk-lib and builds the whole stack (about 5 s in a fresh process, and every test file is a
// fresh process), so the template is kept on disk under a hash of everything that can change it: the CDK code,
// the functions (their files and route table are read by the stack), the built web app (an asset of the stack),
// the pinned dependencies and the CDK environment variables. A change to any of them synthesizes again.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Template } from '#lib/cloudformation';

const CHECKOUT = resolve(fileURLToPath(import.meta.url), '../../..');
const SOURCES = ['lib', 'functions', 'web/dist', 'package.json', 'package-lock.json'];
const CDK_ENVIRONMENT = ['CDK_DEFAULT_ACCOUNT', 'CDK_DEFAULT_REGION', 'CDK_CONTEXT_JSON'];

function filesUnder(root: string, path: string): string[] {
  let entries;
  try {
    entries = readdirSync(join(root, path), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return [path];
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.flatMap((entry) => {
    const child = join(path, entry.name);
    // The local cloud itself does not shape the template.
    if (child === join('lib', 'local')) return [];
    return entry.isDirectory() ? filesUnder(root, child) : [child];
  });
}

/** A hash of every input of the synthesis (file names and contents, the CDK environment). */
export function templateInputsHash(root: string): string {
  const hash = createHash('sha256');
  for (const file of SOURCES.flatMap((source) => filesUnder(root, source)).sort()) {
    hash.update(`${relative(root, join(root, file))}\0`).update(readFileSync(join(root, file))).update('\0');
  }
  for (const name of CDK_ENVIRONMENT) hash.update(`${name}=${process.env[name] ?? ''}\0`);
  return hash.digest('hex').slice(0, 32);
}

/** The template of the stack as `synthesizeTemplate({ bundling: false })` gives it, from the cache when the inputs are unchanged. */
export async function localTemplate(root = CHECKOUT, cacheDir = join(root, 'node_modules', '.cache', 'loraworks-template')): Promise<Template> {
  const file = join(cacheDir, `${templateInputsHash(root)}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Template;
  } catch {
    // Not synthesized for these inputs yet (or a torn file): synthesize.
  }
  const { synthesizeTemplate } = await import('#lib/synth');
  const template = synthesizeTemplate({ bundling: false });
  mkdirSync(cacheDir, { recursive: true });
  // Written aside, then renamed: a process reading the cache at the same time sees the whole file or none.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(template));
  renameSync(partial, file);
  return template;
}
