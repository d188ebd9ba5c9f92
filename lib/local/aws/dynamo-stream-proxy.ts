// DynamoDB Streams for dynalite, which has none: a proxy in front of it that forwards every request and,
// for each write, emits a NEW_AND_OLD_IMAGES stream record with the item's exact images before and after.
// Writes to one item go through one at a time (dynamo-item-locks.ts), so each record's images are exact and an
// item's records keep their order, as a stream shard keeps them; writes to different items run side by side, as
// they do in DynamoDB.
//
// The proxy is the only writer to dynalite, so it knows every item's image after each of its writes, and a write
// costs dynalite one operation instead of a read before and after it: a put or delete asks for the old image
// (ReturnValues ALL_OLD; the new one is the put item itself), an update for the new one (ALL_NEW; the old one is
// the last image the proxy saw, kept in a bounded cache (dynamo-image-cache.ts), read on a miss). The client gets
// the answer it asked for. Requests that ask other ReturnValues, and batches, read the item before and after instead.
//
// dynalite has no transactions either: TransactWriteItems takes the locks of all its items, is applied item by
// item and rolled back from the before-images when one fails (dynamo-transact.ts), which is atomic for every
// writer but this one.
//
// It runs in dynalite's process; the records go to the realtime process, whose stream pump (dynamo-stream-pump.ts)
// delivers them to the consumer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamoDBRecord } from 'aws-lambda';
import { Readable } from 'node:stream';
import { readBody } from '#local/http-util';
import type { Authorizer } from './iam';
import { signedAccessKey } from './local-credentials';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './lambda-runtime';
import { dynaliteClient } from './dynalite-client';
import { imageCache } from './dynamo-image-cache';
import { itemLocks } from './dynamo-item-locks';
import { streamRecords, TTL_IDENTITY, type Change } from './dynamo-stream-record';
import { transactWriteItems, type TransactTable } from './dynamo-transact';
import { errorName, hasCanonicalNumbers, sameItem, withBody, type Answer, type Item, type Key, type Target, type WriteRequest } from './dynamo-wire';

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
/** Images the proxy remembers; past this the least recently used are forgotten (and read again when needed). */
const CACHED_IMAGES = 20_000;

export interface StreamProxy {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /**
   * Deletes one item as DynamoDB's TTL does, if its `ttlAttribute` is still a number at or before `nowSeconds`:
   * its REMOVE record carries the TTL service identity. True when it was deleted.
   */
  expire(table: string, key: Key, ttlAttribute: string, nowSeconds: number): Promise<boolean>;
}

export function dynamoStreamProxy(options: {
  dynaliteUrl: string;
  onRecords: (records: DynamoDBRecord[]) => void;
  /**
   * dynalite's own request listener, when it runs in this process: requests that write nothing are handed to it
   * as they came, instead of being sent again over HTTP (half the table traffic is reads).
   */
  reads?: (req: IncomingMessage, res: ServerResponse) => void;
  /** How many item images to keep. @default 20000 */
  cachedImages?: number;
  /** When given, every request is authorized as DynamoDB authorizes it, for the key that signed it. */
  iam?: Authorizer;
}): StreamProxy {
  const keyNames = new Map<string, Promise<string[]>>();
  const record = streamRecords();
  const withItemLocks = itemLocks();
  const images = imageCache(options.cachedImages ?? CACHED_IMAGES);
  const { send, call } = dynaliteClient(options.dynaliteUrl);

  const keysOf = (table: string) => {
    let names = keyNames.get(table);
    if (!names) {
      names = call('DescribeTable', { TableName: table }).then((d) => ((d.Table?.KeySchema ?? []) as { AttributeName: string }[]).map((k) => k.AttributeName));
      keyNames.set(table, names);
    }
    return names;
  };
  const keyFrom = async (table: string, item: Item): Promise<Key> => Object.fromEntries((await keysOf(table)).map((n) => [n, item[n]!]));
  const nameOf = ([table, key]: Target) => `${table}|${JSON.stringify(Object.entries(key).sort(([a], [b]) => a.localeCompare(b)))}`;

  const read = async ([table, key]: Target): Promise<Item | undefined> =>
    (await call('GetItem', { TableName: table, Key: key, ConsistentRead: true })).Item;
  /** The item's current image: the one the proxy last saw, else read. Only under the item's lock. */
  async function current(target: Target): Promise<Item | undefined> {
    const name = nameOf(target);
    const known = images.get(name);
    if (known) return known.item;
    const item = await read(target);
    images.set(name, item);
    return item;
  }

  function forwardHeaders(req: IncomingMessage) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) headers[name] = value;
    }
    return headers;
  }

  /** Remembers the committed images and emits a record for each item the write changed (as Streams, none for a no-op write). */
  async function committed(targets: Target[], changes: Change[]) {
    const records: DynamoDBRecord[] = [];
    for (const [i, target] of targets.entries()) {
      const { before, after } = changes[i]!;
      images.set(nameOf(target), after);
      if (sameItem(before, after)) continue;
      const r = record(target[0], await keysOf(target[0]), before, after);
      if (r) records.push(r);
    }
    if (records.length) options.onRecords(records);
  }
  const transactTable: TransactTable = { call, read, current, committed, forget: (target) => images.delete(nameOf(target)) };

  /** The items one write request touches. */
  async function touched(action: string, request: WriteRequest): Promise<Target[]> {
    if (action === 'PutItem') return [[request.TableName, await keyFrom(request.TableName, request.Item!)]];
    if (action === 'UpdateItem' || action === 'DeleteItem') return [[request.TableName, request.Key!]];
    if (action === 'TransactWriteItems') {
      return Promise.all(request.TransactItems!.map(async (op) => {
        const spec = (op.Put ?? op.Update ?? op.Delete ?? op.ConditionCheck)!;
        return [spec.TableName, op.Put ? await keyFrom(spec.TableName, spec.Item!) : spec.Key!] as Target;
      }));
    }
    const pairs: Target[] = [];
    for (const [table, writes] of Object.entries(request.RequestItems ?? {})) {
      for (const w of writes) pairs.push([table, w.PutRequest ? await keyFrom(table, w.PutRequest.Item) : w.DeleteRequest!.Key]);
    }
    return pairs;
  }

  async function write(req: IncomingMessage, body: Buffer, action: string): Promise<Answer> {
    const request: WriteRequest = JSON.parse(body.toString('utf8'));
    const targets = await touched(action, request);
    return withItemLocks(targets.map(nameOf), async () => {
      try {
        if (action === 'TransactWriteItems') return await transactWriteItems(transactTable, request.TransactItems!, targets);
        const asked = request.ReturnValues ?? 'NONE';
        const single = (action === 'UpdateItem' && (asked === 'NONE' || asked === 'ALL_NEW'))
          || ((action === 'PutItem' || action === 'DeleteItem') && (asked === 'NONE' || asked === 'ALL_OLD'));
        return single ? await writeItem(req, action, request, targets[0]!) : await writeReadingAround(req, body, targets);
      } catch (error) {
        // Whatever dynalite did is unknown: read the items again next time.
        for (const target of targets) images.delete(nameOf(target));
        throw error;
      }
    });
  }

  /** One put, update or delete as one dynalite operation (plus a read when the old image is not known). */
  async function writeItem(req: IncomingMessage, action: string, request: WriteRequest, target: Target): Promise<Answer> {
    const asked = request.ReturnValues ?? 'NONE';
    const wanted = action === 'UpdateItem' ? 'ALL_NEW' : 'ALL_OLD';
    const known = action === 'UpdateItem' ? await current(target) : undefined;
    const answer = await send(action, JSON.stringify({ ...request, ReturnValues: wanted }), forwardHeaders(req));
    const output: { Attributes?: Item; __type?: string } = JSON.parse(answer.body.toString('utf8') || '{}');
    if (answer.status !== 200) {
      // A failed condition changed nothing; after any other error the item is read again when next needed.
      if (errorName(output) !== 'ConditionalCheckFailedException') images.delete(nameOf(target));
      return answer;
    }
    const attributes = output.Attributes;
    const change: Change = action === 'UpdateItem' ? { before: known, after: attributes }
      : action === 'DeleteItem' ? { before: attributes, after: undefined }
      // dynalite stores the put item as given, but for numbers it writes in canonical form.
      : { before: attributes, after: hasCanonicalNumbers(request.Item) ? request.Item : await read(target) };
    await committed([target], [change]);
    if (asked !== 'NONE') return answer;
    const { Attributes: _, ...rest } = output;
    return withBody(answer, JSON.stringify(rest));
  }

  /** A write whose answer the client shapes itself (other ReturnValues, batches): read before and after. */
  async function writeReadingAround(req: IncomingMessage, body: Buffer, targets: Target[]): Promise<Answer> {
    const before = await Promise.all(targets.map(read));
    const answer = await send(String(req.headers['x-amz-target']).split('.')[1]!, body, forwardHeaders(req));
    if (answer.status !== 200) {
      for (const target of targets) images.delete(nameOf(target));
      return answer;
    }
    const after = await Promise.all(targets.map(read));
    await committed(targets, targets.map((_, i) => ({ before: before[i], after: after[i] })));
    return answer;
  }

  async function expire(table: string, key: Key, ttlAttribute: string, nowSeconds: number): Promise<boolean> {
    const target: Target = [table, key];
    return withItemLocks([nameOf(target)], async () => {
      const answer = await send('DeleteItem', JSON.stringify({
        TableName: table, Key: key, ReturnValues: 'ALL_OLD',
        ConditionExpression: 'attribute_type(#ttl, :n) AND #ttl <= :now',
        ExpressionAttributeNames: { '#ttl': ttlAttribute },
        ExpressionAttributeValues: { ':n': { S: 'N' }, ':now': { N: String(nowSeconds) } },
      }));
      const output: { Attributes?: Item; __type?: string } = JSON.parse(answer.body.toString('utf8') || '{}');
      if (answer.status !== 200) {
        if (errorName(output) !== 'ConditionalCheckFailedException') images.delete(nameOf(target));
        return false;
      }
      images.set(nameOf(target), undefined);
      const r = output.Attributes && record(table, await keysOf(table), output.Attributes, undefined, TTL_IDENTITY);
      if (r) options.onRecords([r]);
      return Boolean(r);
    });
  }

  return {
    expire,
    async handle(req, res) {
      const action = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      if (!options.iam && !WRITES.has(action) && options.reads) return options.reads(req, res);
      const body = await readBody(req);
      if (options.iam) {
        const refused = refusal(options.iam, signedAccessKey(req.headers.authorization), action, body);
        if (refused) {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify(refused));
          return;
        }
        if (!WRITES.has(action) && options.reads) return options.reads(replayed(req, body), res);
      }
      const response = WRITES.has(action) ? await write(req, body, action) : await send(action, body, forwardHeaders(req));
      res.writeHead(response.status, response.headers);
      res.end(response.body);
    },
  };
}

/** A request whose body was read, readable again (for dynalite's own listener). */
function replayed(req: IncomingMessage, body: Buffer): IncomingMessage {
  return Object.assign(Readable.from([body]), { headers: req.headers, method: req.method, url: req.url }) as unknown as IncomingMessage;
}

const tableArn = (table: string) => `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${table}`;

/** What a request asks of IAM, as DynamoDB authorizes it: [action, resource] pairs, all of which must be allowed. */
function asked(action: string, body: Buffer): [string, string][] {
  let request: Record<string, unknown>;
  try {
    request = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    return [[action, tableArn('*')]]; // dynalite answers the malformed body itself
  }
  const table = typeof request.TableName === 'string' ? request.TableName : undefined;
  switch (action) {
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.keys((request.RequestItems as object | undefined) ?? {}).map((t) => [action, tableArn(t)]);
    case 'TransactWriteItems':
    case 'TransactGetItems':
      // Each item with its own action, as DynamoDB authorizes a transaction.
      return ((request.TransactItems as Record<string, { TableName?: string }>[] | undefined) ?? []).flatMap((item) =>
        Object.entries(item).map(([kind, spec]): [string, string] => [TRANSACT_ACTIONS[kind] ?? kind, tableArn(spec?.TableName ?? '*')]));
    case 'ListTables':
      return [[action, tableArn('*')]];
    case 'Query':
    case 'Scan':
      if (typeof request.IndexName === 'string') return [[action, `${tableArn(table ?? '*')}/index/${request.IndexName}`]];
  }
  return [[action, tableArn(table ?? '*')]];
}

const TRANSACT_ACTIONS: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };

/** DynamoDB's own answer to a request IAM refuses, or undefined when every part of it is allowed. */
function refusal(iam: Authorizer, accessKeyId: string | undefined, action: string, body: Buffer): { __type: string; message: string } | undefined {
  if (!accessKeyId) return { __type: 'com.amazon.coral.service#UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  for (const [operation, resource] of asked(action, body)) {
    const decision = iam.authorize(accessKeyId, `dynamodb:${operation}`, resource);
    if (decision.allowed) continue;
    if (decision.unrecognized) return { __type: 'com.amazon.coral.service#UnrecognizedClientException', message: decision.message };
    return { __type: 'com.amazon.coral.service#AccessDeniedException', message: decision.message };
  }
  return undefined;
}
