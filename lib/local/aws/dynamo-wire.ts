// DynamoDB's JSON wire format as the stream proxy speaks it to dynalite and to its clients: the shapes of the
// requests it reads, the headers of its own calls and of the answers it passes on, errors named as the SDK
// names them, and items compared and checked as DynamoDB stores them.
import type { IncomingHttpHeaders } from 'node:http';
import { crc32 } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { LOCAL_REGION } from './lambda-runtime';

export type Item = Record<string, AttributeValue>;
export type Key = Record<string, AttributeValue>;
/** One item: its table and its key. */
export type Target = [table: string, key: Key];
export interface Answer { status: number; headers: Record<string, string>; body: Buffer }

/** One item operation of a write request, or of a transaction, in DynamoDB's JSON wire format (the fields the proxy reads; the rest is passed on). */
export interface ItemOperation {
  TableName: string;
  Item?: Item;
  Key?: Key;
  ReturnValues?: string;
  ReturnValuesOnConditionCheckFailure?: string;
  ExpressionAttributeNames?: Record<string, string>;
  [field: string]: unknown;
}
export interface TransactItem { Put?: ItemOperation; Update?: ItemOperation; Delete?: ItemOperation; ConditionCheck?: ItemOperation }
/** A PutItem, UpdateItem, DeleteItem, BatchWriteItem or TransactWriteItems request. */
export interface WriteRequest extends ItemOperation {
  TransactItems?: TransactItem[];
  RequestItems?: Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Key } }[]>;
}

export const JSON_TYPE = 'application/x-amz-json-1.0';

export function internalHeaders(action: string): Record<string, string> {
  return {
    'content-type': JSON_TYPE,
    'x-amz-target': `DynamoDB_20120810.${action}`,
    'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
    // dynalite checks that a signature is present, not what it says.
    authorization: `AWS4-HMAC-SHA256 Credential=local/${LOCAL_REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=local`,
  };
}

export const errorName = (output: { __type?: string }) => String(output.__type ?? '').split('#').pop() ?? '';

export function dynamoError(output: { __type?: string; message?: string; Message?: string }): Error {
  const error = new Error(output.message ?? output.Message ?? 'DynamoDB error');
  error.name = errorName(output) || 'DynamoDBError';
  return error;
}

/** The headers of dynalite's answer that pass on to the client. */
export function answerHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (typeof value === 'string' && !['content-length', 'connection', 'keep-alive', 'transfer-encoding', 'content-encoding'].includes(name)) headers[name] = value;
  }
  return headers;
}

/** The same answer with another body (and the checksum DynamoDB puts on every answer). */
export function withBody(answer: Answer, body: string): Answer {
  const bytes = Buffer.from(body);
  const headers = 'x-amz-crc32' in answer.headers ? { ...answer.headers, 'x-amz-crc32': String(crc32(bytes)) } : answer.headers;
  return { status: answer.status, headers, body: bytes };
}

/** Numbers as DynamoDB (and dynalite) store them: no exponent, no leading or trailing zeros, no "-0". */
const CANONICAL_NUMBER = /^(?:0|-?[1-9]\d*|-?(?:0|[1-9]\d*)\.\d*[1-9])$/;

export function hasCanonicalNumbers(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(hasCanonicalNumbers);
  if (!value || typeof value !== 'object') return true;
  return Object.entries(value).every(([type, inner]) => {
    if (type === 'N') return typeof inner === 'string' && CANONICAL_NUMBER.test(inner);
    if (type === 'NS') return Array.isArray(inner) && inner.every((n) => typeof n === 'string' && CANONICAL_NUMBER.test(n));
    return hasCanonicalNumbers(inner);
  });
}

/** Equal items, whatever the order of their attributes. */
export function sameItem(a: Item | undefined, b: Item | undefined): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
