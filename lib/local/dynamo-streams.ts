// DynamoDB Streams for dynalite, which has none: a proxy in front of it that forwards every request and,
// for each write, reads the item before and after and emits a NEW_AND_OLD_IMAGES stream record.
// Writes to one item go through one at a time (a lock per item key), so each record's old and new images are
// exact and an item's records keep their order, as a stream shard keeps them; writes to different items run
// side by side, as they do in DynamoDB. dynalite has no transactions either: TransactWriteItems takes the locks
// of all its items, is applied item by item and rolled back from the before-images when a condition fails,
// which is atomic for every writer but this one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  DeleteItemCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { readBody } from './http-util';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './lambda-runtime';

type Item = Record<string, AttributeValue>;
type Key = Record<string, AttributeValue>;

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

export interface StreamProxy {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export function dynamoStreamProxy(options: {
  dynaliteUrl: string;
  onRecords: (records: DynamoDBRecord[]) => void;
}): StreamProxy {
  const client = new DynamoDBClient({
    endpoint: options.dynaliteUrl,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const keyNames = new Map<string, Promise<string[]>>();
  let sequence = 0;
  /** The last write queued on each item (table + key), so the next write of that item waits for it. */
  const itemLocks = new Map<string, Promise<unknown>>();

  const keysOf = (table: string) => {
    let names = keyNames.get(table);
    if (!names) {
      names = client.send(new DescribeTableCommand({ TableName: table })).then((d) => (d.Table?.KeySchema ?? []).map((k) => k.AttributeName!));
      keyNames.set(table, names);
    }
    return names;
  };
  const read = async (table: string, key: Key) =>
    (await client.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;

  async function forward(req: IncomingMessage, body: Buffer) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) headers[name] = value;
    }
    const response = await fetch(options.dynaliteUrl, { method: 'POST', headers, body: new Uint8Array(body) });
    return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
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

  /** The items one write request touches: [table, key] pairs. */
  async function touched(action: string, request: any): Promise<[string, Key][]> {
    const keyFrom = async (table: string, item: Item): Promise<Key> => {
      const names = await keysOf(table);
      return Object.fromEntries(names.map((n) => [n, item[n]!]));
    };
    if (action === 'PutItem') return [[request.TableName, await keyFrom(request.TableName, request.Item)]];
    if (action === 'UpdateItem' || action === 'DeleteItem') return [[request.TableName, request.Key]];
    if (action === 'TransactWriteItems') {
      return Promise.all((request.TransactItems as any[]).map(async (op) => {
        const spec = op.Put ?? op.Update ?? op.Delete ?? op.ConditionCheck;
        return [spec.TableName, op.Put ? await keyFrom(spec.TableName, spec.Item) : spec.Key] as [string, Key];
      }));
    }
    const pairs: [string, Key][] = [];
    for (const [table, writes] of Object.entries<any[]>(request.RequestItems ?? {})) {
      for (const w of writes) pairs.push([table, w.PutRequest ? await keyFrom(table, w.PutRequest.Item) : w.DeleteRequest.Key]);
    }
    return pairs;
  }

  /** Runs `work` once every earlier write of these items has finished; later writes of them wait for it. */
  async function withItemLocks<T>(items: [string, Key][], work: () => Promise<T>): Promise<T> {
    const names = [...new Set(items.map(([table, key]) => `${table}|${JSON.stringify(Object.entries(key).sort(([a], [b]) => a.localeCompare(b)))}`))];
    const previous = names.map((name) => itemLocks.get(name) ?? Promise.resolve());
    const result = Promise.all(previous).then(work);
    const settled = result.catch(() => undefined);
    for (const name of names) itemLocks.set(name, settled);
    void settled.then(() => {
      for (const name of names) if (itemLocks.get(name) === settled) itemLocks.delete(name);
    });
    return result;
  }

  async function write(req: IncomingMessage, body: Buffer, action: string) {
    const request = JSON.parse(body.toString('utf8'));
    const items = await touched(action, request);
    return withItemLocks(items, () => writeLocked(req, body, action, request, items));
  }

  async function writeLocked(req: IncomingMessage, body: Buffer, action: string, request: any, items: [string, Key][]) {
    const before = await Promise.all(items.map(([table, key]) => read(table, key)));
    const response = action === 'TransactWriteItems' ? await transact(request.TransactItems, items, before) : await forward(req, body);
    if (response.status === 200) {
      const records: DynamoDBRecord[] = [];
      for (const [i, [table, key]] of items.entries()) {
        const after = await read(table, key);
        if (JSON.stringify(after) === JSON.stringify(before[i])) continue;
        const r = record(table, await keysOf(table), before[i], after);
        if (r) records.push(r);
      }
      if (records.length) options.onRecords(records);
    }
    return response;
  }

  async function transact(ops: any[], items: [string, Key][], before: (Item | undefined)[]) {
    const reasons: { Code: string; Message?: string }[] = ops.map(() => ({ Code: 'None' }));
    let applied = 0;
    for (const op of ops) {
      const { ReturnValuesOnConditionCheckFailure: _, ...spec } = op.Put ?? op.Update ?? op.Delete ?? op.ConditionCheck;
      try {
        if (op.Put) await client.send(new PutItemCommand(spec));
        else if (op.Update) await client.send(new UpdateItemCommand(spec));
        else if (op.Delete) await client.send(new DeleteItemCommand(spec));
        // A condition check is an update that changes nothing; the rollback below undoes a created item.
        else await client.send(new UpdateItemCommand({ ...spec, UpdateExpression: 'REMOVE #lwNoop', ExpressionAttributeNames: { ...spec.ExpressionAttributeNames, '#lwNoop': 'lw:noop' } }));
        applied += 1;
        if (op.ConditionCheck) await restore(items[applied - 1]!, before[applied - 1]);
      } catch (error) {
        const name = (error as Error).name;
        reasons[applied] = { Code: name === 'ConditionalCheckFailedException' ? 'ConditionalCheckFailed' : 'ValidationError', Message: (error as Error).message };
        for (let i = applied - 1; i >= 0; i--) await restore(items[i]!, before[i]);
        const body = {
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
          message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
          CancellationReasons: reasons,
        };
        return { status: 400, headers: new Headers({ 'content-type': 'application/x-amz-json-1.0' }), body: Buffer.from(JSON.stringify(body)) };
      }
    }
    return { status: 200, headers: new Headers({ 'content-type': 'application/x-amz-json-1.0' }), body: Buffer.from('{}') };
  }

  async function restore([table, key]: [string, Key], item: Item | undefined) {
    if (item) await client.send(new PutItemCommand({ TableName: table, Item: item }));
    else await client.send(new DeleteItemCommand({ TableName: table, Key: key }));
  }

  return {
    async handle(req, res) {
      const body = await readBody(req);
      const action = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      let response: Awaited<ReturnType<typeof forward>>;
      if (WRITES.has(action)) {
        response = await write(req, body, action);
      } else {
        response = await forward(req, body);
      }
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        if (!['content-length', 'connection', 'transfer-encoding', 'content-encoding'].includes(name)) headers[name] = value;
      });
      res.writeHead(response.status, headers);
      res.end(response.body);
    },
  };
}

/**
 * Delivers stream records to the consumer in batches, as Lambda reads a stream with a parallelization factor:
 * records are spread over `lanes` by item key, each lane delivers one batch at a time, so one item's records
 * always arrive in order while a slow batch does not hold up other items' records.
 */
export function streamPump(deliver: (records: DynamoDBRecord[]) => Promise<void>, batchSize: number, lanes = 8) {
  const queues: DynamoDBRecord[][] = Array.from({ length: lanes }, () => []);
  const running: (Promise<void> | undefined)[] = Array.from({ length: lanes }, () => undefined);
  const laneOf = (record: DynamoDBRecord) => {
    const key = JSON.stringify(record.dynamodb?.Keys ?? {});
    let hash = 0;
    for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
    return hash % lanes;
  };
  const drain = async (lane: number) => {
    const queue = queues[lane]!;
    while (queue.length) {
      const batch = queue.splice(0, batchSize);
      try {
        await deliver(batch);
      } catch (error) {
        console.error(`[streams] consumer failed on a batch of ${batch.length}: ${(error as Error).message}`);
      }
    }
    running[lane] = undefined;
  };
  return {
    push(records: DynamoDBRecord[]) {
      for (const record of records) {
        const lane = laneOf(record);
        queues[lane]!.push(record);
        running[lane] ??= drain(lane);
      }
    },
    idle: () => Promise.all(running).then(() => undefined),
  };
}
