// The published contract: the OpenAPI document passes Redocly's recommended ruleset, and each operation
// documents the answers it can give and no others.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { handler as getOpenApi } from '#handlers/get-openapi';
import { openApiDocument } from '#http/openapi';
import { context, httpEvent } from './http-events';

interface Operation { operationId?: string; security?: unknown[]; responses: Record<string, unknown> }
interface Problem { ruleId: string; severity: 'error' | 'warn'; message: string; location: { pointer?: string }[] }

const run = promisify(execFile);
const operations = (document: ReturnType<typeof openApiDocument>) => Object.entries(document.paths ?? {})
  .flatMap(([path, item]) => Object.entries(item as Record<string, Operation>).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })));
const codes = (op: Operation) => Object.keys(op.responses).map(Number).filter((code) => code >= 400).sort((a, b) => a - b);

async function lint(document: unknown): Promise<Problem[]> {
  const dir = await mkdtemp(join(tmpdir(), 'openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(document));
    // redocly exits non-zero when it finds errors; its JSON report is on stdout either way.
    const { stdout } = await run('npx', ['--no', 'redocly', 'lint', file, '--format', 'json', '--extends', 'recommended'], { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } })
      .catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    return (JSON.parse(stdout) as { problems: Problem[] }).problems;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('GET /openapi.json', () => {
  it('as served passes redocly lint (recommended) with 0 errors', async () => {
    const response = await getOpenApi(httpEvent({}), context);
    expect(response.statusCode).toBe(200);
    const problems = (await lint(JSON.parse(response.body))).map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`);
    // The one warning left: the project is private and has no licence to name, and inventing one would be wrong.
    expect(problems).toEqual(['warn info-license: Info object should contain `license` field. at #/info']);
  }, 60_000);

  it('names a server: the URL it was asked at, or the API root when none is known', () => {
    expect(openApiDocument('https://api.example.test').servers).toEqual([{ url: 'https://api.example.test' }]);
    expect(openApiDocument().servers).toMatchObject([{ url: '/' }]);
  });

  it('gives every operation a distinct operationId and marks the public routes security: []', () => {
    const all = operations(openApiDocument());
    const ids = all.map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(all.length);
    const byRoute = Object.fromEntries(all.map(({ route, op }) => [route, op]));
    expect(byRoute['GET /health']!.security).toEqual([]);
    expect(byRoute['GET /openapi.json']!.security).toEqual([]);
    expect(byRoute['GET /jobs']!.security).toEqual([{ bearer: [] }]);
    expect(byRoute['POST /jobs']!.operationId).toBe('createJob');
  });

  it('documents for each route only the errors it can answer, plus 413, 429 and 500 from the edge', () => {
    const byRoute = Object.fromEntries(operations(openApiDocument()).map(({ route, op }) => [route, codes(op)]));
    expect(byRoute).toEqual({
      'GET /health': [429, 500],
      'GET /openapi.json': [429, 500],
      'GET /trainers': [401, 403, 429, 500],
      'POST /datasets': [400, 401, 403, 413, 422, 429, 500],
      'GET /datasets': [401, 403, 429, 500],
      'GET /datasets/{datasetId}': [401, 403, 404, 422, 429, 500],
      'GET /datasets/{datasetId}/versions/{version}/files': [401, 403, 404, 409, 422, 429, 500],
      'GET /datasets/{datasetId}/versions/{version}/diff': [401, 403, 404, 409, 422, 429, 500],
      'POST /datasets/{datasetId}/uploads': [400, 401, 403, 404, 413, 422, 429, 500],
      'POST /datasets/{datasetId}/versions': [400, 401, 403, 404, 409, 413, 422, 429, 500],
      'POST /upload-credentials': [401, 403, 429, 500],
      'POST /jobs': [400, 401, 403, 404, 409, 413, 422, 429, 500],
      'POST /jobs/estimate': [400, 401, 403, 404, 409, 413, 422, 429, 500],
      'GET /jobs': [401, 403, 422, 429, 500],
      'GET /jobs/{jobId}': [401, 403, 404, 422, 429, 500],
      'POST /jobs/{jobId}/cancel': [401, 403, 404, 409, 422, 429, 500],
      'GET /jobs/{jobId}/logs': [401, 403, 404, 422, 429, 500],
      'GET /jobs/{jobId}/artifact': [401, 403, 404, 409, 422, 429, 500],
      'GET /jobs/{jobId}/artifacts/{name}': [401, 403, 404, 409, 422, 429, 500],
      'POST /adapters': [400, 401, 403, 404, 409, 413, 422, 429, 500],
      'GET /adapters': [401, 403, 429, 500],
      'DELETE /adapters/{adapterId}': [401, 403, 404, 422, 429, 500],
      'POST /adapters/imports': [400, 401, 403, 413, 422, 429, 500],
      'GET /adapters/{adapterId}/artifacts/{name}': [401, 403, 404, 409, 422, 429, 500],
      'POST /tokens': [400, 401, 403, 409, 413, 422, 429, 500],
      'GET /tokens': [401, 403, 429, 500],
      'DELETE /tokens/{tokenId}': [401, 403, 404, 422, 429, 500],
      'POST /schedules': [400, 401, 403, 404, 413, 422, 429, 500],
      'GET /schedules': [401, 403, 429, 500],
      'GET /schedules/{scheduleId}': [401, 403, 404, 422, 429, 500],
      'PATCH /schedules/{scheduleId}': [400, 401, 403, 404, 413, 422, 429, 500],
      'DELETE /schedules/{scheduleId}': [401, 403, 404, 422, 429, 500],
      'POST /schedules/{scheduleId}/run': [401, 403, 404, 422, 429, 500],
      'GET /schedules/{scheduleId}/runs': [401, 403, 404, 422, 429, 500],
    });
  });
});
