// DynamoDB Streams for dynalite, which has none: a proxy in front of it that forwards every request and,
// for each write, emits a NEW_AND_OLD_IMAGES stream record with the item's exact images before and after.
// Writes to one item go through one at a time (a lock per item key), so each record's images are exact and an
// item's records keep their order, as a stream shard keeps them; writes to different items run side by side, as
// they do in DynamoDB.
//
// The proxy is the only writer to dynalite, so it knows every item's image after each of its writes, and a write
// costs dynalite one operation instead of a read before and after it: a put or delete asks for the old image
// (ReturnValues ALL_OLD; the new one is the put item itself), an update for the new one (ALL_NEW; the old one is
// the last image the proxy saw, kept in a bounded cache, read on a miss). The client gets the answer it asked
// for. Requests that ask other ReturnValues, and batches, read the item before and after instead.
//
// dynalite has no transactions either: TransactWriteItems takes the locks of all its items, is applied item by
// item and rolled back from the before-images when one fails, which is atomic for every writer but this one.
//
// It runs in dynalite's process; the records go to the realtime process, whose stream pump (dynamo-stream-pump.ts)
// delivers them to the consumer.
import { Agent, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import type {
  AttributeValue, DeleteItemOutput, DescribeTableOutput, GetItemOutput, PutItemOutput, UpdateItemOutput,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { readBody } from '#local/http-util';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './lambda-runtime';

type Item = Record<string, AttributeValue>;
type Key = Record<string, AttributeValue>;
type Target = [table: string, key: Key];
interface Answer { status: number; headers: Record<string, string>; body: Buffer }
/** An item's image before and after one write; undefined where the item does not exist. */
interface Change { before: Item | undefined; after: Item | undefined }

/** One item operation of a write request, or of a transaction, in DynamoDB's JSON wire format (the fields the proxy reads; the rest is passed on). */
interface ItemOperation {
  TableName: string;
  Item?: Item;
  Key?: Key;
  ReturnValues?: string;
  ReturnValuesOnConditionCheckFailure?: string;
  ExpressionAttributeNames?: Record<string, string>;
  [field: string]: unknown;
}
interface TransactItem { Put?: ItemOperation; Update?: ItemOperation; Delete?: ItemOperation; ConditionCheck?: ItemOperation }
/** A PutItem, UpdateItem, DeleteItem, BatchWriteItem or TransactWriteItems request. */
interface WriteRequest extends ItemOperation {
  TransactItems?: TransactItem[];
  RequestItems?: Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Key } }[]>;
}
/** The answers of the operations the proxy makes itself. */
interface Outputs {
  DescribeTable: DescribeTableOutput;
  GetItem: GetItemOutput;
  PutItem: PutItemOutput;
  UpdateItem: UpdateItemOutput;
  DeleteItem: DeleteItemOutput;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const JSON_TYPE = 'application/x-amz-json-1.0';
/** Images the proxy remembers; past this the least recently used are forgotten (and read again when needed). */
const CACHED_IMAGES = 20_000;

export interface StreamProxy {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
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
}): StreamProxy {
  const keyNames = new Map<string, Promise<string[]>>();
  let sequence = 0;
  /** The last write queued on each item (table + key), so the next write of that item waits for it. */
  const itemLocks = new Map<string, Promise<unknown>>();
  const images = imageCache(options.cachedImages ?? CACHED_IMAGES);

  const target = new URL(options.dynaliteUrl);
  // Plain node:http over kept-alive sockets: every table operation passes here, and fetch's web streams cost
  // more CPU per request.
  const agent = new Agent({ keepAlive: true });
  function send(action: string, body: string | Buffer, headers: Record<string, string> = internalHeaders(action)): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const outgoing = request({ host: target.hostname, port: target.port, method: 'POST', path: '/', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 500, headers: answerHeaders(incoming.headers), body: Buffer.concat(chunks) }));
        incoming.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  /** One dynalite operation made by the proxy itself; its error answers are thrown as the SDK would name them. */
  async function call<A extends keyof Outputs>(action: A, input: object): Promise<Outputs[A]> {
    const answer = await send(action, JSON.stringify(input));
    const output: Outputs[A] & { __type?: string; message?: string } = JSON.parse(answer.body.toString('utf8') || '{}');
    if (answer.status !== 200) throw dynamoError(output);
    return output;
  }

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

  function record(table: string, keys: string[], oldImage?: Item, newImage?: Item): DynamoDBRecord | undefined {
    if (!oldImage && !newImage) return undefined;
    const source = (newImage ?? oldImage)!;
    const Keys = Object.fromEntries(keys.map((k) => [k, source[k]]));
    sequence += 1;
    return {
      eventID: `${Date.now()}-${sequence}`,
      eventName: !oldImage ? 'INSERT' : !newImage ? 'REMOVE' : 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: LOCAL_REGION,
      eventSourceARN: `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${table}/stream/local`,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
        Keys: Keys as never,
        ...(newImage ? { NewImage: newImage as never } : {}),
        ...(oldImage ? { OldImage: oldImage as never } : {}),
        SequenceNumber: String(sequence).padStart(21, '0'),
        SizeBytes: JSON.stringify(source).length,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
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

  /** Runs `work` once every earlier write of these items has finished; later writes of them wait for it. */
  async function withItemLocks<T>(targets: Target[], work: () => Promise<T>): Promise<T> {
    const names = [...new Set(targets.map(nameOf))];
    const previous = names.map((name) => itemLocks.get(name) ?? Promise.resolve());
    const result = Promise.all(previous).then(work);
    const settled = result.catch(() => undefined);
    for (const name of names) itemLocks.set(name, settled);
    void settled.then(() => {
      for (const name of names) if (itemLocks.get(name) === settled) itemLocks.delete(name);
    });
    return result;
  }

  async function write(req: IncomingMessage, body: Buffer, action: string): Promise<Answer> {
    const request: WriteRequest = JSON.parse(body.toString('utf8'));
    const targets = await touched(action, request);
    return withItemLocks(targets, async () => {
      try {
        if (action === 'TransactWriteItems') return await transact(request.TransactItems!, targets);
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

  async function transact(ops: TransactItem[], targets: Target[]): Promise<Answer> {
    const changes: Change[] = [];
    for (const [i, op] of ops.entries()) {
      const { ReturnValuesOnConditionCheckFailure: _, ...spec } = (op.Put ?? op.Update ?? op.Delete ?? op.ConditionCheck)!;
      const target = targets[i]!;
      try {
        if (op.Put) {
          const { Attributes } = await call('PutItem', { ...spec, ReturnValues: 'ALL_OLD' });
          changes.push({ before: Attributes, after: hasCanonicalNumbers(spec.Item) ? spec.Item : await read(target) });
        } else if (op.Update) {
          const before = await current(target);
          const { Attributes } = await call('UpdateItem', { ...spec, ReturnValues: 'ALL_NEW' });
          changes.push({ before, after: Attributes });
        } else if (op.Delete) {
          const { Attributes } = await call('DeleteItem', { ...spec, ReturnValues: 'ALL_OLD' });
          changes.push({ before: Attributes, after: undefined });
        } else {
          // A condition check is an update that changes nothing, but creates an absent item: delete it again.
          const { Attributes } = await call('UpdateItem', {
            ...spec, UpdateExpression: 'REMOVE #lwNoop', ExpressionAttributeNames: { ...spec.ExpressionAttributeNames, '#lwNoop': 'lw:noop' }, ReturnValues: 'ALL_OLD',
          });
          if (!Attributes) await call('DeleteItem', { TableName: target[0], Key: target[1] });
          changes.push({ before: Attributes, after: Attributes });
        }
      } catch (error) {
        for (let j = changes.length - 1; j >= 0; j--) await restore(targets[j]!, changes[j]!.before);
        for (const t of targets) images.delete(nameOf(t));
        const name = (error as Error).name;
        const reasons = ops.map((_op, k) => (k === i
          ? { Code: name === 'ConditionalCheckFailedException' ? 'ConditionalCheckFailed' : 'ValidationError', Message: (error as Error).message }
          : { Code: 'None' }));
        const body = {
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
          message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
          CancellationReasons: reasons,
        };
        return { status: 400, headers: { 'content-type': JSON_TYPE }, body: Buffer.from(JSON.stringify(body)) };
      }
    }
    await committed(targets, changes);
    return { status: 200, headers: { 'content-type': JSON_TYPE }, body: Buffer.from('{}') };
  }

  async function restore([table, key]: Target, item: Item | undefined) {
    if (item) await call('PutItem', { TableName: table, Item: item });
    else await call('DeleteItem', { TableName: table, Key: key });
  }

  return {
    async handle(req, res) {
      const action = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      if (!WRITES.has(action) && options.reads) return options.reads(req, res);
      const body = await readBody(req);
      const response = WRITES.has(action) ? await write(req, body, action) : await send(action, body, forwardHeaders(req));
      res.writeHead(response.status, response.headers);
      res.end(response.body);
    },
  };
}

function internalHeaders(action: string): Record<string, string> {
  return {
    'content-type': JSON_TYPE,
    'x-amz-target': `DynamoDB_20120810.${action}`,
    'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
    // dynalite checks that a signature is present, not what it says.
    authorization: `AWS4-HMAC-SHA256 Credential=local/${LOCAL_REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=local`,
  };
}

const errorName = (output: { __type?: string }) => String(output.__type ?? '').split('#').pop() ?? '';

function dynamoError(output: { __type?: string; message?: string; Message?: string }): Error {
  const error = new Error(output.message ?? output.Message ?? 'DynamoDB error');
  error.name = errorName(output) || 'DynamoDBError';
  return error;
}

/** The headers of dynalite's answer that pass on to the client. */
function answerHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (typeof value === 'string' && !['content-length', 'connection', 'keep-alive', 'transfer-encoding', 'content-encoding'].includes(name)) headers[name] = value;
  }
  return headers;
}

/** The same answer with another body (and the checksum DynamoDB puts on every answer). */
function withBody(answer: Answer, body: string): Answer {
  const bytes = Buffer.from(body);
  const headers = 'x-amz-crc32' in answer.headers ? { ...answer.headers, 'x-amz-crc32': String(crc32(bytes)) } : answer.headers;
  return { status: answer.status, headers, body: bytes };
}

/** Numbers as DynamoDB (and dynalite) store them: no exponent, no leading or trailing zeros, no "-0". */
const CANONICAL_NUMBER = /^(?:0|-?[1-9]\d*|-?(?:0|[1-9]\d*)\.\d*[1-9])$/;

function hasCanonicalNumbers(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(hasCanonicalNumbers);
  if (!value || typeof value !== 'object') return true;
  return Object.entries(value).every(([type, inner]) => {
    if (type === 'N') return typeof inner === 'string' && CANONICAL_NUMBER.test(inner);
    if (type === 'NS') return Array.isArray(inner) && inner.every((n) => typeof n === 'string' && CANONICAL_NUMBER.test(n));
    return hasCanonicalNumbers(inner);
  });
}

/** Equal items, whatever the order of their attributes. */
function sameItem(a: Item | undefined, b: Item | undefined): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** The images last seen per item name, least recently used forgotten first. `{ item: undefined }`: known absent. */
function imageCache(limit: number) {
  const entries = new Map<string, Item | undefined>();
  return {
    get(name: string): { item: Item | undefined } | undefined {
      if (!entries.has(name)) return undefined;
      const item = entries.get(name);
      entries.delete(name);
      entries.set(name, item);
      return { item };
    },
    set(name: string, item: Item | undefined) {
      entries.delete(name);
      entries.set(name, item);
      if (entries.size > limit) entries.delete(entries.keys().next().value!);
    },
    delete(name: string) {
      entries.delete(name);
    },
  };
}
