// fal's status stream, GET …/requests/{id}/status/stream: server-sent events, each a `data: {status}` line holding
// what the status endpoint answers, sent at once and again whenever the request changes, with `: ping`
// keep-alives between, and closed after the COMPLETED one. With logs=1 each event carries only the log lines
// since the previous event (fal's client adds them up).
import type { ServerResponse } from 'node:http';
import type { Reply } from './reply';
import type { EmulatedRequest, LogLine } from './request';
import type { Surface } from './surface';

const PING_MS = 5000;

export function statusStream(
  { queue }: Surface, requestId: string, withLogs: boolean,
  statusOf: (request: EmulatedRequest, logs: LogLine[] | null) => Record<string, unknown>,
): Reply {
  const headers = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-fal-request-id': requestId };
  return {
    status: 200, headers,
    stream(res: ServerResponse) {
      let logsSent = 0;
      let lastState = '';
      const ping = setInterval(() => res.write(': ping\n\n'), PING_MS).unref();
      const unwatch = queue.watch(requestId, () => send());
      const close = () => {
        clearInterval(ping);
        unwatch();
        if (!res.writableEnded) res.end();
      };
      res.on('close', close);
      const send = () => {
        if (res.writableEnded) return;
        const request = queue.get(requestId);
        // A request the trainer dropped has no status to stream.
        if (!request || request.status === 'FORGOTTEN') return close();
        const all = queue.logs(requestId);
        const newLogs = withLogs ? all.slice(logsSent) : null;
        const body = statusOf(request, newLogs);
        const state = JSON.stringify({ ...body, logs: undefined });
        if (state === lastState && !newLogs?.length) return;
        lastState = state;
        logsSent = all.length;
        res.write(`data: ${JSON.stringify(body)}\n\n`);
        if (body.status === 'COMPLETED') close();
      };
      send();
    },
  };
}
