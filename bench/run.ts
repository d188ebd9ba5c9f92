// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) one after another.
// Each benchmark prints its own figures beside a baseline measured in the same run, and the ratio.
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts') && (!wanted.length || wanted.some((w) => f.includes(w)))).sort();
if (!files.length) {
  console.error(`No benchmark matches ${wanted.join(', ')}. Available: ${(await readdir(here)).filter((f) => f.endsWith('.bench.ts')).join(', ')}`);
  process.exit(1);
}
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const module = (await import(pathToFileURL(join(here, file)).href)) as { run?: () => Promise<void> };
  if (typeof module.run !== 'function') throw new Error(`${file} exports no run()`);
  await module.run();
}
