// The CLI's live follower against a WebSocket server of the test's own: the token on the query string, a
// reconnect after the link drops, a re-fetch after every (re)connect, and a refused token ending it with exit 3.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { follow } from '#cli/follow';
import { EXIT } from '#cli/errors';

let server: WebSocketServer | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(options: ConstructorParameters<typeof WebSocketServer>[0] = {}): Promise<{ url: string; server: WebSocketServer }> {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  await once(server, 'listening');
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`, server };
}

const job = (status: string) => ({ type: 'job', job: {
  id: 'j1', status, trainerId: 't', datasetId: 'd', datasetVersion: 1, triggerPhrase: '', params: {}, origin: 'api',
  progress: { fraction: status === 'COMPLETED' ? 1 : 0.5 }, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
} });

describe('following a job live', () => {
  it('reconnects after the link drops and fetches again, then takes the pushed end', async () => {
    const { url, server } = await serve();
    const tokens: string[] = [];
    const sockets: WebSocket[] = [];
    server.on('connection', (socket, request) => {
      tokens.push(new URL(request.url!, 'http://x').searchParams.get('token')!);
      sockets.push(socket);
      // The first link drops at once; on the second the job's end is pushed.
      if (sockets.length === 1) socket.terminate();
      else setTimeout(() => socket.send(JSON.stringify(job('COMPLETED'))), 50);
    });
    let fetches = 0;
    const links: string[] = [];
    const seen: string[] = [];
    const ended = await follow({
      wsUrl: url, token: 'lwk_a_b',
      refetch: async () => (fetches++, job('RUNNING').job as never),
      fromMessage: (m) => (m.type === 'job' ? (m.job as never) : undefined),
      isDone: (j: { status: string }) => j.status === 'COMPLETED',
      onState: (j: { status: string }) => seen.push(j.status),
      onLink: (state) => links.push(state),
    });
    expect((ended as { status: string }).status).toBe('COMPLETED');
    expect(tokens).toEqual(['lwk_a_b', 'lwk_a_b']);
    expect(links).toEqual(['reconnecting', 'open']);
    expect(fetches).toBeGreaterThanOrEqual(1);
    expect(seen.at(-1)).toBe('COMPLETED');
  });

  it('ends with the authentication exit code when the WebSocket refuses the token', async () => {
    const { url } = await serve({ verifyClient: (_info, done) => done(false, 401, 'Unauthorized') });
    await expect(follow({
      wsUrl: url, token: 'revoked',
      refetch: () => new Promise(() => {}),
      fromMessage: () => undefined, isDone: () => false, onState: () => {},
    })).rejects.toMatchObject({ exitCode: EXIT.auth, message: expect.stringContaining('refused the token') });
  });
});
