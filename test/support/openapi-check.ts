// Checks real responses against the published contract (GET /openapi.json): the test client hands every JSON
// response here with its method, path and status, and a body the document does not describe fails the test with
// the path of the mismatch. The document is an OpenAPI 3.1 one, so its schemas are JSON Schema 2020-12.
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

interface Operation { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }
interface OpenApiDocument { paths: Record<string, Record<string, Operation>> }

const DOCUMENT_ID = 'loraworks-openapi';
const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

export class ContractMismatch extends Error {
  override readonly name = 'ContractMismatch';
}

export class OpenApiContract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly templates: { template: string; pattern: RegExp }[];

  constructor(private readonly document: OpenApiDocument) {
    addFormats.default(this.ajv);
    this.ajv.addSchema(document as object, DOCUMENT_ID);
    this.templates = Object.keys(document.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
  }

  static async fetch(apiUrl: string): Promise<OpenApiContract> {
    const res = await fetch(`${apiUrl}/openapi.json`);
    if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`);
    return new OpenApiContract((await res.json()) as OpenApiDocument);
  }

  /** The operation's path template for a request path (query left off), or undefined when none is documented. */
  operationOf(method: string, path: string): { template: string; operation: Operation } | undefined {
    const bare = path.split('?')[0]!;
    const found = this.templates.find(({ pattern }) => pattern.test(bare));
    const operation = found ? this.document.paths[found.template]![method.toLowerCase()] : undefined;
    return found && operation ? { template: found.template, operation } : undefined;
  }

  /** Throws ContractMismatch when the document has no such response, or the body does not match its schema. */
  check(method: string, path: string, status: number, body: unknown): void {
    const found = this.operationOf(method, path);
    if (!found) return; // not an operation of the API (the local cloud's own /dev/token, an unknown route)
    const where = `${method.toUpperCase()} ${found.template} → ${status}`;
    const key = String(status) in (found.operation.responses ?? {}) ? String(status) : 'default';
    const response = found.operation.responses?.[key];
    if (!response) throw new ContractMismatch(`${where}: the OpenAPI document lists no ${status} response for this operation.`);
    if (!response.content?.['application/json']) {
      if (body !== undefined) throw new ContractMismatch(`${where}: the document gives this response no body, but it has one.`);
      return;
    }
    const pointer = `#/paths/${escape(found.template)}/${method.toLowerCase()}/responses/${key}/content/application~1json/schema`;
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}${pointer}` });
      this.compiled.set(pointer, validate);
    }
    if (!validate(body)) throw new ContractMismatch(`${where}: the body does not match the OpenAPI document: ${describe(validate.errors ?? [])}`);
  }
}

const describe = (errors: ErrorObject[]) =>
  errors.slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`).join('; ');
