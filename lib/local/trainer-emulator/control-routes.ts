// The emulator's own inspection and control view for tests, under /__emulator:
//   GET  /__emulator/requests[/{id}]   each request's record: status, cancelRequested, completedAt, faultsApplied…
//   POST /__emulator/faults            {"match"?: "text in the submit body", "faults": EmulatorFaults} → 201 {"id"}
// Answered to loopback clients only (server.ts). A record's input holds the dataset's link, presigned: a bearer
// credential for someone's dataset. The view shows each URL without its query, so no link in it opens anything.
import type { IncomingMessage } from 'node:http';
import { readBody } from '#local/http-util';
import { parseFaults } from './faults';
import { isObject, parseJson } from './json-body';
import { json, type Reply } from './reply';
import type { EmulatedRequest } from './request';
import type { Surface } from './surface';

/** Every URL in a value without its query and fragment (a presigned link's signature lives there), and
 * without user info: in the input, and in the error a failed download wrote (which quotes the link). */
function redacted(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, redactUrl);
  if (Array.isArray(value)) return value.map(redacted);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redacted(v)]));
  return value;
}

function redactUrl(text: string): string {
  // A sentence may end right after the link: keep its closing punctuation out of the URL.
  const [, link = text, trailing = ''] = /^(.*?)([.,;:)]*)$/.exec(text) ?? [];
  try {
    const url = new URL(link);
    if (!url.search && !url.hash && !url.username && !url.password) return text;
    return `${url.protocol}//${url.host}${url.pathname}${url.search ? '?…' : ''}${trailing}`;
  } catch {
    return text;
  }
}

const view = (request: EmulatedRequest): EmulatedRequest => redacted(request) as EmulatedRequest;

export async function controlRoute(surface: Surface, method: string, pathname: string, req: IncomingMessage): Promise<Reply> {
  if (pathname === '/__emulator/requests' && method === 'GET') return json(200, surface.queue.list().map(view));
  const inspect = /^\/__emulator\/requests\/([^/]+)$/.exec(pathname);
  if (inspect && method === 'GET') {
    const found = surface.queue.get(decodeURIComponent(inspect[1]!));
    return found ? json(200, view(found)) : json(404, { detail: 'Request not found.' });
  }
  if (pathname === '/__emulator/faults' && method === 'POST') {
    const body = parseJson((await readBody(req)).toString('utf8'));
    if (body === undefined) return json(400, { detail: 'The body is not JSON.' });
    const { match, faults } = isObject(body) ? body : {};
    const id = surface.tickets.register(parseFaults(faults), typeof match === 'string' && match ? match : undefined);
    return json(201, { id });
  }
  return json(404, { detail: `Not found: ${method} ${pathname}` });
}
