import { WebConfig } from '#domain/schemas';

/** The deployment tells the app where its API lives: /config.json next to index.html. */
export async function loadConfig(): Promise<WebConfig> {
  const response = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store' });
  if (!response.ok) throw new Error(`Could not load config.json (HTTP ${response.status}).`);
  return WebConfig.parse(await response.json());
}

/** Accept absolute or origin-relative URLs in the config. */
export function absoluteUrl(url: string, ws = false): string {
  const resolved = new URL(url, window.location.href);
  if (ws && resolved.protocol.startsWith('http')) resolved.protocol = resolved.protocol === 'https:' ? 'wss:' : 'ws:';
  return resolved.toString().replace(/\/$/, '');
}
