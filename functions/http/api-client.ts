// The one typed client of the HTTP API (functions/http/routes.ts), shared by the web app and the CLI: a call names a
// route, fills in its parameters and gets the answer parsed by the route's schema. It needs only `fetch`.
import { ErrorBody, GatewayError, type CreateJobRequest, type ParamValues } from '#domain/schemas';
import { HTTP_ROUTES, type HttpRoute } from './routes';
import { z } from 'zod';

/** A failed API call, carrying the contract's error body (code, message, field details). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { field: string; message: string }[] = [],
    /** Who answered: a handler (the contract's error body), API Gateway itself, or nobody (the network). */
    readonly source: 'handler' | 'gateway' | 'network' = 'handler',
  ) {
    super(message);
  }
}

/** The gateway's own answers, by status, as a person can act on them. */
const GATEWAY_ANSWERS: Record<number, { code: string; message: string }> = {
  400: { code: 'BAD_REQUEST', message: 'The API could not read the request. Reload the page and try again.' },
  401: { code: 'UNAUTHORIZED', message: 'Your session has expired or is not valid. Sign in again.' },
  403: { code: 'FORBIDDEN', message: 'Your session is not allowed here. Sign in again.' },
  404: { code: 'ROUTE_NOT_FOUND', message: 'The API has no such address; this page may be out of date. Reload it.' },
  413: { code: 'REQUEST_TOO_LARGE', message: 'The request was too large: the API takes at most 10 MB at once. Send less.' },
  429: { code: 'TOO_MANY_REQUESTS', message: 'Too many requests at once. Wait a moment and try again.' },
};

/**
 * The error of a failed answer. A handler's body `{"error": {code, message, details}}` is kept as it is; an answer
 * of API Gateway's own (`{"message": …}`, or no JSON at all) becomes a sentence for its status.
 */
export function apiErrorFrom(status: number, body: unknown, statusText = ''): ApiError {
  const handler = ErrorBody.safeParse(body);
  if (handler.success) return new ApiError(status, handler.data.error.code, handler.data.error.message, handler.data.error.details);
  const known = GATEWAY_ANSWERS[status];
  if (known) return new ApiError(status, known.code, known.message, [], 'gateway');
  const said = GatewayError.safeParse(body).data?.message ?? statusText;
  const what = `The API answered ${status}${said ? ` (${said})` : ''}.`;
  return new ApiError(status, `HTTP_${status}`, status >= 500 ? `${what} Something went wrong on our side; try again in a moment.` : what, [], 'gateway');
}

/** Whether the answer means the token is no good: any 401, and the gateway's own 403. */
export function asksToSignIn(error: ApiError): boolean {
  return error.status === 401 || (error.status === 403 && error.source === 'gateway');
}

export type JobRequest = Omit<z.input<typeof CreateJobRequest>, 'params'> & { params: ParamValues };

type Routes = typeof HTTP_ROUTES;
type RouteName = keyof Routes;
/** What a call fills in: the route's path parameters, and its query, body and headers where it has them. */
type RouteInput<N extends RouteName> = {
  params?: Routes[N] extends { params: z.ZodObject } ? z.input<Routes[N]['params']> : never;
  query?: Routes[N] extends { query: z.ZodObject } ? Partial<Record<keyof z.input<Routes[N]['query']>, string | number>> : never;
  body?: Routes[N] extends { body: z.ZodType } ? z.input<Routes[N]['body']> : never;
  headers?: Record<string, string>;
};
type RouteAnswer<N extends RouteName> = Routes[N]['response'] extends { schema: z.ZodType } ? z.output<Routes[N]['response']['schema']> : unknown;

export class ApiClient {
  /** Called once when the API refuses the token, so the app can sign out. */
  onUnauthorized: () => void = () => {};

  constructor(private readonly baseUrl: string, private token: string | null = null) {}

  setToken(token: string | null) {
    this.token = token;
  }

  async devToken(user: string): Promise<string> {
    const body = await this.request<{ token: string }>('POST', '/dev/token', { user }, { auth: false });
    return body.token;
  }

  listTrainers() {
    return this.call('list-trainers');
  }

  createDataset(name: string) {
    return this.call('create-dataset', { body: { name } });
  }

  listDatasets() {
    return this.call('list-datasets').then((b) => b.datasets);
  }

  getDataset(id: string) {
    return this.call('get-dataset', { params: { datasetId: id } });
  }

  /** A decided version's files (its whole manifest, page after page) and a presigned GET of its zip that byte ranges may read. */
  async datasetFiles(datasetId: string, version: number) {
    const { cursor: next, ...first } = await this.call('list-dataset-files', { params: { datasetId, version } });
    const files = [...first.files];
    for (let cursor = next; cursor;) {
      const page = await this.call('list-dataset-files', { params: { datasetId, version }, query: { cursor } });
      files.push(...page.files);
      cursor = page.cursor;
    }
    return { ...first, files };
  }

  /** What changed from version `from` (default: the one it was derived from, else the one before) to `version`. */
  datasetDiff(datasetId: string, version: number, from?: number) {
    return this.call('diff-dataset-versions', { params: { datasetId, version }, ...(from === undefined ? {} : { query: { from } }) });
  }

  createUpload(datasetId: string, fileName: string, sizeBytes: number) {
    return this.call('create-upload', { params: { datasetId }, body: { fileName, sizeBytes, source: 'web' } });
  }

  createJob(request: JobRequest, idempotencyKey: string) {
    return this.call('create-job', { body: { ...request, origin: 'web' }, headers: { 'Idempotency-Key': idempotencyKey } });
  }

  /** What the job would cost and take, after the checks POST /jobs makes (an estimate, never a quote). */
  estimateJob(request: JobRequest) {
    return this.call('estimate-job', { body: { ...request, origin: 'web' } });
  }

  listJobs(limit = 50) {
    return this.call('list-jobs', { query: { limit } });
  }

  cancelJob(id: string) {
    return this.call('cancel-job', { params: { jobId: id } });
  }

  listAdapters() {
    return this.call('list-adapters').then((b) => b.adapters);
  }

  registerAdapter(jobId: string, name: string) {
    return this.call('create-adapter', { body: { jobId, name } });
  }

  deleteAdapter(id: string) {
    return this.call('delete-adapter', { params: { adapterId: id } });
  }

  artifact(id: string) {
    return this.call('get-artifact', { params: { jobId: id } });
  }

  /** One of a completed job's files, by its name in `Job.artifacts`. */
  jobArtifact(id: string, name: string) {
    return this.call('get-job-artifact', { params: { jobId: id, name } });
  }

  /** Calls a route of the route table and parses its answer with the route's schema. */
  async call<N extends RouteName>(name: N, input: RouteInput<N> = {}): Promise<RouteAnswer<N>> {
    const route: HttpRoute = HTTP_ROUTES[name];
    const { params = {}, query, body, headers } = input as { params?: Record<string, string>; query?: Record<string, string | number>; body?: unknown; headers?: Record<string, string> };
    const path = route.path.replace(/\{(\w+)\}/g, (_match, key: string) => encodeURIComponent(params[key]!));
    const search = query ? `?${new URLSearchParams(Object.entries(query).map(([key, value]) => [key, String(value)]))}` : '';
    const answer = await this.request(route.method, `${path}${search}`, body, { auth: route.auth !== false, headers });
    return (route.response.schema ? route.response.schema.parse(answer) : answer) as RouteAnswer<N>;
  }

  private async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    options: { auth?: boolean; headers?: Record<string, string> } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.auth !== false && this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, 'NETWORK', 'The Loraworks API cannot be reached. Check your connection and try again.', [], 'network');
    }
    const text = await response.text();
    const json: unknown = text ? safeJson(text) : undefined;
    if (response.ok) return json as T;
    const error = apiErrorFrom(response.status, json, response.statusText);
    if (asksToSignIn(error) && options.auth !== false) this.onUnauthorized();
    throw error;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
