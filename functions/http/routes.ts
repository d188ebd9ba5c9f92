// The HTTP API's routes, each written once: the stack gives each its own function and API Gateway route, the
// OpenAPI document describes them, the web client calls them. Only data and zod schemas live here, so the
// CDK app, the handlers and the browser bundle can all import it.
import { z } from 'zod';
import * as s from '#domain/schemas';
import { AdapterArtifactPath, AdapterPath, DatasetPath, DatasetVersionPath, JobArtifactPath, JobPath, SchedulePath, TokenPath } from './paths';

export interface HttpRoute {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** API Gateway's path syntax: `{name}` is a path parameter, named in `params`. */
  readonly path: string;
  /** False where anyone may call the route: no JWT is asked for. @default true */
  readonly auth?: boolean;
  readonly summary: string;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly headers?: z.ZodObject;
  readonly body?: z.ZodType;
  /** The refusals that depend on stored records other than the path's own (a path parameter already brings
   * 404): 404 where the body names a record, 409 where the record's state can refuse the request. */
  readonly refusals?: readonly (404 | 409)[];
  /** The success answer; `schema` is absent where the body is empty or not JSON of ours. */
  readonly response: { readonly status: number; readonly description: string; readonly schema?: z.ZodType };
}

/** Every route, keyed by the handler (functions/handlers/<name>.ts) that serves it. */
export const HTTP_ROUTES = {
  health: { method: 'GET', path: '/health', auth: false, summary: 'Liveness', response: { status: 200, schema: s.Health, description: 'The API answers' } },
  'get-openapi': { method: 'GET', path: '/openapi.json', auth: false, summary: 'This document', response: { status: 200, description: 'The OpenAPI document' } },
  'list-trainers': { method: 'GET', path: '/trainers', summary: 'The trainer catalog', response: { status: 200, schema: s.TrainerList, description: 'Trainers, with where the list came from' } },
  'create-dataset': { method: 'POST', path: '/datasets', summary: 'Create a dataset', body: s.CreateDatasetRequest, response: { status: 201, schema: s.Dataset, description: 'The new dataset' } },
  'list-datasets': { method: 'GET', path: '/datasets', summary: 'List datasets', response: { status: 200, schema: s.DatasetList, description: 'The caller’s datasets' } },
  'get-dataset': { method: 'GET', path: '/datasets/{datasetId}', summary: 'A dataset with its versions', params: DatasetPath, response: { status: 200, schema: s.Dataset, description: 'The dataset' } },
  'list-dataset-files': { method: 'GET', path: '/datasets/{datasetId}/versions/{version}/files', summary: 'A version’s files (its manifest) and a link to its zip', params: DatasetVersionPath, query: s.ListDatasetFilesQuery, refusals: [409], response: { status: 200, schema: s.DatasetFileList, description: 'A page of the files of the version as the validator read it (at most `limit`, and under 4 MB; `cursor` leads to the next page), and a presigned GET (1 hour) of the version’s zip that byte ranges may read (409 while it uploads or validates)' } },
  'diff-dataset-versions': { method: 'GET', path: '/datasets/{datasetId}/versions/{version}/diff', summary: 'What changed between two versions', params: DatasetVersionPath, query: s.DatasetDiffQuery, refusals: [409], response: { status: 200, schema: s.DatasetDiff, description: 'Files added and removed, and those whose content or caption changed, from version `from` (default: the version it was derived from, else the one before; 0 when there is none) to this one (404 for an unknown `from`, 409 while either is uploading or validating)' } },
  'create-upload': { method: 'POST', path: '/datasets/{datasetId}/uploads', summary: 'A new version and its presigned POST', params: DatasetPath, body: s.CreateUploadRequest, response: { status: 201, schema: s.CreateUploadResponse, description: 'Post `fields` and `file` as multipart/form-data to `url`' } },
  'create-dataset-version': { method: 'POST', path: '/datasets/{datasetId}/versions', summary: 'A new version made from an edit of a READY one', params: DatasetPath, body: s.CreateDatasetVersionRequest, refusals: [404, 409], response: { status: 202, schema: s.CreateDatasetVersionResponse, description: 'The new version (UPLOADING, `derivedFrom`), built from `from` with the edits and validated like any upload; with `addUpload`, post the additions zip to `upload`' } },
  'create-upload-credentials': { method: 'POST', path: '/upload-credentials', summary: 'Credentials for direct S3 uploads under the caller’s own incoming/ prefix', response: { status: 201, schema: s.UploadCredentials, description: 'An STS session (1 hour) that may put objects only under `prefix` of `bucket`' } },
  'create-job': { method: 'POST', path: '/jobs', summary: 'Start training', body: s.CreateJobRequest, refusals: [404, 409], headers: z.object({ 'idempotency-key': s.IdempotencyKey.optional() }), response: { status: 201, schema: s.Job, description: 'The queued job (a replay with the same Idempotency-Key returns the same job)' } },
  'estimate-job': { method: 'POST', path: '/jobs/estimate', summary: 'Estimate the cost and time of a job', body: s.CreateJobRequest, refusals: [404, 409], response: { status: 200, schema: s.JobEstimate, description: 'An estimate (never a quote): the cost in USD, the duration in seconds and the basis, a sentence saying which price and how it was applied' } },
  'list-jobs': { method: 'GET', path: '/jobs', summary: 'List jobs, newest first', query: s.ListJobsQuery, response: { status: 200, schema: s.JobList, description: 'A page of jobs' } },
  'get-job': { method: 'GET', path: '/jobs/{jobId}', summary: 'A job', params: JobPath, response: { status: 200, schema: s.Job, description: 'The job' } },
  'cancel-job': { method: 'POST', path: '/jobs/{jobId}/cancel', summary: 'Cancel a job', params: JobPath, refusals: [409], response: { status: 202, schema: s.Job, description: 'CANCELLING, or CANCELLED if it never reached the trainer' } },
  'get-job-logs': { method: 'GET', path: '/jobs/{jobId}/logs', summary: 'A job’s trainer log lines', params: JobPath, response: { status: 200, schema: s.JobLogs, description: 'The trainer’s last lines (at most 200, each cut to 1000 characters, oldest first; `truncated` when older ones were dropped); empty until the trainer gives any' } },
  'get-artifact': { method: 'GET', path: '/jobs/{jobId}/artifact', summary: 'Download the LoRA', params: JobPath, refusals: [409], response: { status: 200, schema: s.ArtifactLink, description: 'A presigned GET of the stored LoRA' } },
  'get-job-artifact': { method: 'GET', path: '/jobs/{jobId}/artifacts/{name}', summary: 'Download one of a job’s output files', params: JobArtifactPath, refusals: [409], response: { status: 200, schema: s.ArtifactLink, description: 'A presigned GET of the stored file (404 when the job has no file of that name)' } },
  'create-adapter': { method: 'POST', path: '/adapters', summary: 'Register a completed job’s LoRA', body: s.CreateAdapterRequest, refusals: [404, 409], response: { status: 201, schema: s.Adapter, description: 'The registered adapter' } },
  'list-adapters': { method: 'GET', path: '/adapters', summary: 'List registered LoRAs', response: { status: 200, schema: s.AdapterList, description: 'The caller’s adapters, newest first' } },
  'create-adapter-import': { method: 'POST', path: '/adapters/imports', summary: 'Import a LoRA trained elsewhere', body: s.CreateAdapterImportRequest, response: { status: 201, schema: s.CreateAdapterImportResponse, description: 'The adapter (CHECKING) and its presigned POST: post `fields` and `file` to `url`; the file is checked once it lands (READY or INVALID, pushed live)' } },
  'get-adapter-artifact': { method: 'GET', path: '/adapters/{adapterId}/artifacts/{name}', summary: 'Download one of an adapter’s files', params: AdapterArtifactPath, refusals: [409], response: { status: 200, schema: s.ArtifactLink, description: 'A presigned GET of the file (404 when the adapter has no file of that name, 409 while an import is CHECKING or INVALID)' } },
  'delete-adapter': { method: 'DELETE', path: '/adapters/{adapterId}', summary: 'Unregister a LoRA', params: AdapterPath, response: { status: 204, description: 'Removed' } },
  'create-token': { method: 'POST', path: '/tokens', summary: 'Create an API token for tooling', body: s.CreateTokenRequest, refusals: [409], response: { status: 201, schema: s.CreatedToken, description: 'The new token; `token` is shown only here and stored only as a hash' } },
  'list-tokens': { method: 'GET', path: '/tokens', summary: 'List API tokens', response: { status: 200, schema: s.TokenList, description: 'The caller’s tokens, newest first, without the tokens themselves' } },
  'delete-token': { method: 'DELETE', path: '/tokens/{tokenId}', summary: 'Revoke an API token', params: TokenPath, response: { status: 204, description: 'Revoked: the token is refused from now on' } },
  'create-schedule': { method: 'POST', path: '/schedules', summary: 'Retrain on a schedule', body: s.CreateScheduleRequest, refusals: [404], response: { status: 201, schema: s.Schedule, description: 'The schedule, with its next run' } },
  'list-schedules': { method: 'GET', path: '/schedules', summary: 'List schedules', response: { status: 200, schema: s.ScheduleList, description: 'The caller’s schedules, newest first' } },
  'get-schedule': { method: 'GET', path: '/schedules/{scheduleId}', summary: 'A schedule', params: SchedulePath, response: { status: 200, schema: s.Schedule, description: 'The schedule, with its next and last run' } },
  'update-schedule': { method: 'PATCH', path: '/schedules/{scheduleId}', summary: 'Change, pause or resume a schedule', params: SchedulePath, body: s.UpdateScheduleRequest, refusals: [404], response: { status: 200, schema: s.Schedule, description: 'The changed schedule' } },
  'delete-schedule': { method: 'DELETE', path: '/schedules/{scheduleId}', summary: 'Delete a schedule (its jobs and adapters stay)', params: SchedulePath, response: { status: 204, description: 'Deleted, with its Scheduler schedule' } },
  'run-schedule': { method: 'POST', path: '/schedules/{scheduleId}/run', summary: 'Run a schedule now', params: SchedulePath, response: { status: 202, schema: s.ScheduleRun, description: 'The run: STARTED with its job, SKIPPED or FAILED with the reason' } },
  'list-schedule-runs': { method: 'GET', path: '/schedules/{scheduleId}/runs', summary: 'A schedule’s runs, newest first', params: SchedulePath, query: s.ListScheduleRunsQuery, response: { status: 200, schema: s.ScheduleRunList, description: 'A page of runs' } },
} as const satisfies Record<string, HttpRoute>;

export type HttpHandlerName = keyof typeof HTTP_ROUTES;

/** The routes in the order above, each with the handler that serves it. */
export const httpRoutes = (): [HttpHandlerName, HttpRoute][] => Object.entries(HTTP_ROUTES) as [HttpHandlerName, HttpRoute][];
