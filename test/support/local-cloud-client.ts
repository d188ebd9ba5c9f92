// Drives a running local cloud the way the web app and the CLI do: over HTTP, WebSocket and S3 POST.
import WebSocket from 'ws';
import type { Dataset, DatasetVersion, Job, ServerMessage } from '#domain/schemas';
import { OpenApiContract } from './openapi-check';

/** The published document of each API the tests talk to, fetched once. */
const contracts = new Map<string, Promise<OpenApiContract>>();
const contractOf = (apiUrl: string) => {
  let contract = contracts.get(apiUrl);
  if (!contract) contracts.set(apiUrl, (contract = OpenApiContract.fetch(apiUrl)));
  return contract;
};

export interface PresignedForm { url: string; fields: Record<string, string> }

/** Posts a file with a presigned form, as a browser does. */
export async function postForm(upload: PresignedForm, file: Buffer, fileName = 'set.zip'): Promise<{ status: number; body: string }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(upload.fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(file)], { type: 'application/zip' }), fileName);
  const res = await fetch(upload.url, { method: 'POST', body: form });
  return { status: res.status, body: await res.text() };
}

export class LoraworksClient {
  private constructor(readonly apiUrl: string, readonly token: string) {}

  static async signIn(apiUrl: string, user: string): Promise<LoraworksClient> {
    const res = await fetch(`${apiUrl}/dev/token`, { method: 'POST', body: JSON.stringify({ user }), headers: { 'content-type': 'application/json' } });
    if (res.status !== 200) throw new Error(`dev token for ${user}: ${res.status} ${await res.text()}`);
    const { token } = (await res.json()) as { token: string };
    return new LoraworksClient(apiUrl, token);
  }

  /** A client that sends this bearer token as it is (an API token `lwk_…`, or any JWT). */
  static withToken(apiUrl: string, token: string): LoraworksClient {
    return new LoraworksClient(apiUrl, token);
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) as unknown : text || undefined;
    // Every answer is checked against GET /openapi.json: a body the document does not describe fails the test.
    (await contractOf(this.apiUrl)).check(method, path, res.status, parsed);
    return { status: res.status, body: parsed as T };
  }

  async expect<T = unknown>(status: number, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const res = await this.request<T>(method, path, body, headers);
    if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Creates a dataset and uploads the zip with the presigned POST; returns the dataset, its new version number
   * and the form it was posted with (which stays valid for its policy's lifetime). */
  async uploadDataset(zip: Buffer, name = 'test set', fileName = 'set.zip'): Promise<{ dataset: Dataset; version: number; upload: PresignedForm }> {
    const dataset = await this.expect<Dataset>(201, 'POST', '/datasets', { name });
    const { version, upload } = await this.expect<{ version: number; upload: PresignedForm }>(
      201, 'POST', `/datasets/${dataset.id}/uploads`, { fileName, sizeBytes: zip.length },
    );
    const res = await postForm(upload, zip, fileName);
    if (res.status >= 300) throw new Error(`S3 POST upload: ${res.status} ${res.body}`);
    return { dataset, version, upload };
  }

  /** Opens the WebSocket and records every message; `next` waits for the first one matching. */
  async connect(wsUrl: string): Promise<LiveFeed> {
    const socket = new WebSocket(`${wsUrl}?token=${encodeURIComponent(this.token)}`);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket refused: ${res.statusCode}`)));
    });
    return new LiveFeed(socket);
  }
}

export class LiveFeed {
  readonly messages: ServerMessage[] = [];
  private waiters: { match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      this.messages.push(message);
      this.waiters = this.waiters.filter((w) => (w.match(message) ? (w.resolve(message), false) : true));
    });
  }

  next(match: (m: ServerMessage) => boolean, what: string, timeoutMs = 60_000): Promise<ServerMessage> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}; last messages: ${JSON.stringify(this.messages.slice(-3))}`)), timeoutMs);
      this.waiters.push({ match, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }

  async job(id: string, status: Job['status'], timeoutMs?: number): Promise<Job> {
    const m = await this.next((m) => m.type === 'job' && m.job.id === id && m.job.status === status, `job ${id} ${status}`, timeoutMs);
    return (m as Extract<ServerMessage, { type: 'job' }>).job;
  }

  async datasetVersion(datasetId: string, version: number, statuses: DatasetVersion['status'][], timeoutMs?: number): Promise<DatasetVersion> {
    const m = await this.next(
      (m) => m.type === 'dataset' && m.datasetId === datasetId && m.version.version === version && statuses.includes(m.version.status),
      `dataset ${datasetId} v${version} ${statuses.join('/')}`, timeoutMs,
    );
    return (m as Extract<ServerMessage, { type: 'dataset' }>).version;
  }

  jobMessages(id: string): Job[] {
    return this.messages.flatMap((m) => (m.type === 'job' && m.job.id === id ? [m.job] : []));
  }

  close() {
    this.socket.close();
  }
}
