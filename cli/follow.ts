// Following a job or a dataset version live, as the web app does (web/src/ws.ts): the WebSocket with `?token=`,
// a heartbeat, reconnects with jittered exponential backoff, and a re-fetch after every (re)connect because
// pushes may have been missed. Without a WebSocket URL (only an API URL was given) it polls instead.
import WebSocket from 'ws';
import { ServerMessage } from '#domain/schemas';
import { ApiError } from '#http/api-client';
import { CliError, EXIT } from './errors';

const PING_MS = 30_000;
const MAX_BACKOFF_MS = 30_000;
const POLL_MS = 2_000;

export interface FollowOptions<T> {
  wsUrl?: string;
  token: string;
  /** The current state from the API: after each (re)connect, and each poll without a WebSocket. */
  refetch: () => Promise<T>;
  /** The state a pushed message carries, or undefined when the message is about something else. */
  fromMessage: (message: ServerMessage) => T | undefined;
  isDone: (state: T) => boolean;
  onState: (state: T) => void;
  /** Told when the link drops and when it is back. */
  onLink?: (state: 'reconnecting' | 'open') => void;
}

/** Resolves with the first state `isDone` accepts. */
export function follow<T>(options: FollowOptions<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let finished = false;
    let socket: WebSocket | undefined;
    let attempt = 0;
    let everOpened = false;
    let ping: ReturnType<typeof setInterval> | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const stop = () => {
      finished = true;
      clearInterval(ping);
      clearTimeout(timer);
      socket?.removeAllListeners();
      socket?.on('error', () => {});
      if (socket && socket.readyState !== WebSocket.CLOSED) socket.terminate();
    };
    const take = (state: T) => {
      if (finished) return;
      options.onState(state);
      if (options.isDone(state)) {
        stop();
        resolve(state);
      }
    };
    const fail = (error: unknown) => {
      if (finished) return;
      stop();
      reject(error);
    };
    const refetch = () => options.refetch().then(take, (error: unknown) => {
      // A refusal (a revoked token, a record gone) ends the follow; the API briefly away waits for the next try.
      if (final(error)) fail(error);
    });

    if (!options.wsUrl) {
      const poll = () => {
        if (finished) return;
        void refetch().finally(() => {
          if (!finished) timer = setTimeout(poll, POLL_MS);
        });
      };
      poll();
      return;
    }

    const connect = () => {
      if (finished) return;
      const separator = options.wsUrl!.includes('?') ? '&' : '?';
      const current = new WebSocket(`${options.wsUrl}${separator}token=${encodeURIComponent(options.token)}`);
      socket = current;
      current.on('open', () => {
        if (everOpened) options.onLink?.('open');
        everOpened = true;
        attempt = 0;
        clearInterval(ping);
        ping = setInterval(() => current.readyState === WebSocket.OPEN && current.send(JSON.stringify({ action: 'ping' })), PING_MS);
        void refetch();
      });
      current.on('message', (data) => {
        let parsed: ReturnType<typeof ServerMessage.safeParse>;
        try {
          parsed = ServerMessage.safeParse(JSON.parse(data.toString()));
        } catch {
          return;
        }
        const state = parsed.success ? options.fromMessage(parsed.data) : undefined;
        if (state !== undefined) take(state);
      });
      current.on('unexpected-response', (_request, response) => {
        if (response.statusCode === 401 || response.statusCode === 403) {
          fail(new CliError(EXIT.auth, 'The live updates refused the token: it is revoked, expired or not one of this workspace. Run `loraworks login` again.'));
        } else {
          current.emit('close');
        }
      });
      current.on('error', () => {}); // a close follows; the reconnect is scheduled there
      current.on('close', () => {
        clearInterval(ping);
        if (finished || socket !== current) return;
        socket = undefined;
        options.onLink?.('reconnecting');
        const ceiling = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt++);
        timer = setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
      });
    };
    connect();
  });
}

/** A refusal that trying again will not change: a client error of the API (not a 429) or the CLI's own. */
function final(error: unknown): boolean {
  if (error instanceof CliError) return true;
  return error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429;
}
