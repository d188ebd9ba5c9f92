// Serves the built web app (web/dist), falling back to index.html for client-side routes.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2', '.map': 'application/json',
};

export function webAssets(dist: string) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    if (!existsSync(join(dist, 'index.html'))) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('The web app is not built yet: run `npm run build:web` (npm start does it for you).');
      return;
    }
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://local').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dist, path);
    if (!file.startsWith(dist) || !existsSync(file) || path.endsWith('/')) file = join(dist, 'index.html');
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600' });
    res.end(body);
  };
}
