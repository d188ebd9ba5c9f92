import {
  Adapter, AdapterList, ArtifactLink, CreateUploadResponse, Dataset, ErrorBody, Job, JobList, TrainerList,
  type CreateJobRequest, type ParamValues,
} from '../../functions/domain/schemas';
import type { z } from 'zod';

/** A failed API call, carrying the contract's error body (code, message, field details). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export type JobRequest = Omit<z.input<typeof CreateJobRequest>, 'params'> & { params: ParamValues };

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
    return this.request('GET', '/trainers').then((b) => TrainerList.parse(b));
  }

  createDataset(name: string) {
    return this.request('POST', '/datasets', { name }).then((b) => Dataset.parse(b));
  }

  listDatasets() {
    return this.request<{ datasets: unknown[] }>('GET', '/datasets').then((b) => b.datasets.map((d) => Dataset.parse(d)));
  }

  getDataset(id: string) {
    return this.request('GET', `/datasets/${encodeURIComponent(id)}`).then((b) => Dataset.parse(b));
  }

  createUpload(datasetId: string, fileName: string, sizeBytes: number) {
    return this.request('POST', `/datasets/${encodeURIComponent(datasetId)}/uploads`, { fileName, sizeBytes, source: 'web' })
      .then((b) => CreateUploadResponse.parse(b));
  }

  createJob(request: JobRequest, idempotencyKey: string) {
    return this.request('POST', '/jobs', { ...request, origin: 'web' }, { headers: { 'Idempotency-Key': idempotencyKey } })
      .then((b) => Job.parse(b));
  }

  listJobs(limit = 50) {
    return this.request('GET', `/jobs?limit=${limit}`).then((b) => JobList.parse(b));
  }

  cancelJob(id: string) {
    return this.request('POST', `/jobs/${encodeURIComponent(id)}/cancel`).then((b) => Job.parse(b));
  }

  listAdapters() {
    return this.request('GET', '/adapters').then((b) => AdapterList.parse(b).adapters);
  }

  registerAdapter(jobId: string, name: string) {
    return this.request('POST', '/adapters', { jobId, name }).then((b) => Adapter.parse(b));
  }

  deleteAdapter(id: string) {
    return this.request('DELETE', `/adapters/${encodeURIComponent(id)}`);
  }

  artifact(id: string) {
    return this.request('GET', `/jobs/${encodeURIComponent(id)}/artifact`).then((b) => ArtifactLink.parse(b));
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
      throw new ApiError(0, 'NETWORK', 'The Loraworks API cannot be reached. Check your connection and try again.');
    }
    const text = await response.text();
    const json: unknown = text ? safeJson(text) : undefined;
    if (response.ok) return json as T;
    const parsed = ErrorBody.safeParse(json);
    const error = parsed.success
      ? new ApiError(response.status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.details)
      : new ApiError(response.status, `HTTP_${response.status}`, `The API answered ${response.status} ${response.statusText}.`);
    if (response.status === 401 && options.auth !== false) this.onUnauthorized();
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

/**
 * Send the file to the presigned POST with XMLHttpRequest: fetch cannot report upload progress.
 * Fields come first, the file last, as S3 requires.
 */
export function uploadToPresignedPost(
  upload: { url: string; fields: Record<string, string> },
  file: Blob,
  onProgress: (fraction: number) => void,
): { done: Promise<void>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<void>((resolve, reject) => {
    const form = new FormData();
    for (const [key, value] of Object.entries(upload.fields)) form.append(key, value);
    form.append('file', file);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else {
        const s3Message = /<Message>([^<]*)<\/Message>/.exec(xhr.responseText)?.[1];
        reject(new Error(`Storage refused the upload (HTTP ${xhr.status})${s3Message ? `: ${s3Message}` : '.'}`));
      }
    };
    xhr.onerror = () => reject(new Error('The upload was interrupted. Check your connection and try again.'));
    xhr.onabort = () => reject(new Error('Upload cancelled.'));
    xhr.open('POST', upload.url);
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}
