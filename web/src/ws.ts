import { ServerMessage } from '#domain/schemas';

export type LinkState = 'connecting' | 'open' | 'reconnecting' | 'closed';

interface Handlers {
  onMessage: (message: ServerMessage) => void;
  onState: (state: LinkState) => void;
  /** After a connection is restored: pushes may have been missed, so the app re-fetches. */
  onReconnect: () => void;
}

const PING_MS = 30_000;
const MAX_BACKOFF_MS = 30_000;

/** The live channel: heartbeat, reconnect with jittered exponential backoff, never gives up until closed. */
export class LiveChannel {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private everOpened = false;
  private stopped = false;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly url: string, private token: string, private readonly handlers: Handlers) {
    this.onOnline = this.onOnline.bind(this);
    window.addEventListener('online', this.onOnline);
    this.connect();
  }

  close(): void {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    clearInterval(this.pingTimer);
    clearTimeout(this.retryTimer);
    this.socket?.close(1000, 'signed out');
    this.socket = null;
    this.handlers.onState('closed');
  }

  /**
   * Tokens were refreshed: the connection is made again with the new one (the gateway checks a token only at
   * connect, and the old one is about to expire), and the app re-syncs as after any reconnect.
   */
  setToken(token: string): void {
    if (this.stopped || token === this.token) return;
    this.token = token;
    const old = this.socket;
    this.socket = null;
    clearInterval(this.pingTimer);
    clearTimeout(this.retryTimer);
    old?.close(1000, 'new token');
    this.attempt = 0;
    this.connect();
  }

  private onOnline() {
    if (this.socket?.readyState === WebSocket.OPEN) return;
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    this.handlers.onState(this.everOpened ? 'reconnecting' : 'connecting');
    const separator = this.url.includes('?') ? '&' : '?';
    const socket = new WebSocket(`${this.url}${separator}token=${encodeURIComponent(this.token)}`);
    this.socket = socket;
    socket.onopen = () => {
      const wasReconnect = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      this.handlers.onState('open');
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.send({ action: 'ping' }), PING_MS);
      if (wasReconnect) this.handlers.onReconnect();
    };
    socket.onmessage = (event) => {
      let data: unknown;
      try {
        data = JSON.parse(String(event.data));
      } catch {
        return;
      }
      const parsed = ServerMessage.safeParse(data);
      if (parsed.success) this.handlers.onMessage(parsed.data);
    };
    socket.onclose = () => {
      // A socket replaced by a newer one (setToken) closes late: the newer one's heartbeat stays.
      if (this.socket !== socket || this.stopped) return;
      clearInterval(this.pingTimer);
      this.socket = null;
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    this.handlers.onState('reconnecting');
    const ceiling = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.attempt);
    this.attempt++;
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private send(message: unknown): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }
}
