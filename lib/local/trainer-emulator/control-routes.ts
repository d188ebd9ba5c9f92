// The emulator's own inspection and control view for tests, under /__emulator:
//   GET  /__emulator/requests[/{id}]   each request's record: status, cancelRequested, completedAt, faultsApplied…
//   POST /__emulator/faults            {"match"?: "text in the submit body", "faults": EmulatorFaults} → 201 {"id"}
import type { IncomingMessage } from 'node:http';
import { readBody } from '#local/http-util';
import { parseFaults } from './faults';
import { isObject, parseJson } from './json-body';
import { json, type Reply } from './reply';
import type { Surface } from './surface';

export async function controlRoute(surface: Surface, method: string, pathname: string, req: IncomingMessage): Promise<Reply> {
  if (pathname === '/__emulator/requests' && method === 'GET') return json(200, surface.queue.list());
  const inspect = /^\/__emulator\/requests\/([^/]+)$/.exec(pathname);
  if (inspect && method === 'GET') {
    const found = surface.queue.get(decodeURIComponent(inspect[1]!));
    return found ? json(200, found) : json(404, { detail: 'Request not found.' });
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
