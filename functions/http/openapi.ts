// The OpenAPI document of the HTTP API, generated from the same zod schemas the handlers parse with.
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import * as s from '../domain/schemas';
import { AdapterPath, DatasetPath, JobPath } from './paths';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export function openApiDocument(serverUrl?: string) {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  const refs = Object.fromEntries(
    (['Adapter', 'AdapterList', 'ErrorBody', 'Trainer', 'TrainerList', 'Dataset', 'DatasetVersion', 'ValidationReport', 'Job', 'JobList', 'ArtifactLink', 'CreateUploadResponse', 'ServerMessage'] as const)
      // A schema with an id becomes a named component that operations refer to.
      .map((name) => [name, (s[name] as z.ZodType).meta({ id: name })]),
  ) as Record<string, z.ZodType>;
  const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
  const errors = Object.fromEntries(
    ([[400, 'Malformed request'], [401, 'Missing or invalid token'], [404, 'Not found (or another user’s)'], [409, 'Wrong state'], [422, 'Invalid values, field by field']] as const)
      .map(([code, text]) => [code, json(refs.ErrorBody!, text)]),
  );
  const route = (method: Method, path: string, summary: string, ok: [number, z.ZodType | null, string], extra: {
    body?: z.ZodType; params?: z.ZodObject; query?: z.ZodObject; headers?: z.ZodObject; auth?: boolean;
  } = {}) =>
    registry.registerPath({
      method, path, summary,
      ...(extra.auth === false ? {} : { security: [{ [bearer.name]: [] }] }),
      request: {
        ...(extra.body ? { body: { content: { 'application/json': { schema: extra.body } } } } : {}),
        ...(extra.params ? { params: extra.params } : {}),
        ...(extra.query ? { query: extra.query } : {}),
        ...(extra.headers ? { headers: extra.headers } : {}),
      },
      responses: { [ok[0]]: ok[1] ? json(ok[1], ok[2]) : { description: ok[2] }, ...(extra.auth === false ? {} : errors) },
    });

  route('get', '/health', 'Liveness', [200, s.Health, 'The API answers'], { auth: false });
  route('get', '/openapi.json', 'This document', [200, null, 'The OpenAPI document'], { auth: false });
  route('get', '/trainers', 'The trainer catalog', [200, refs.TrainerList!, 'Trainers, with where the list came from']);
  route('post', '/datasets', 'Create a dataset', [201, refs.Dataset!, 'The new dataset'], { body: s.CreateDatasetRequest });
  route('get', '/datasets', 'List datasets', [200, z.object({ datasets: z.array(refs.Dataset!) }), 'The caller’s datasets']);
  route('get', '/datasets/{datasetId}', 'A dataset with its versions', [200, refs.Dataset!, 'The dataset'], { params: DatasetPath });
  route('post', '/datasets/{datasetId}/uploads', 'A new version and its presigned POST', [201, refs.CreateUploadResponse!, 'Post `fields` and `file` as multipart/form-data to `url`'], { params: DatasetPath, body: s.CreateUploadRequest });
  route('post', '/jobs', 'Start training', [201, refs.Job!, 'The queued job (a replay with the same Idempotency-Key returns the same job)'], {
    body: s.CreateJobRequest, headers: z.object({ 'idempotency-key': z.string().optional() }),
  });
  route('get', '/jobs', 'List jobs, newest first', [200, refs.JobList!, 'A page of jobs'], { query: s.ListJobsQuery });
  route('get', '/jobs/{jobId}', 'A job', [200, refs.Job!, 'The job'], { params: JobPath });
  route('post', '/jobs/{jobId}/cancel', 'Cancel a job', [202, refs.Job!, 'CANCELLING, or CANCELLED if it never reached the trainer'], { params: JobPath });
  route('get', '/jobs/{jobId}/artifact', 'Download the LoRA', [200, refs.ArtifactLink!, 'A presigned GET of the stored LoRA'], { params: JobPath });
  route('post', '/adapters', 'Register a completed job’s LoRA', [201, refs.Adapter!, 'The registered adapter'], { body: s.CreateAdapterRequest });
  route('get', '/adapters', 'List registered LoRAs', [200, refs.AdapterList!, 'The caller’s adapters, newest first']);
  route('delete', '/adapters/{adapterId}', 'Unregister a LoRA', [204, null, 'Removed'], { params: AdapterPath });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Loraworks API', version: '1', description: 'LoRA training workspace. WebSocket messages: see the ServerMessage schema.' },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
  });
}
