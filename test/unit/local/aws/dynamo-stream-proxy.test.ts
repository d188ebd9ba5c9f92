// The local cloud's stream proxy in front of a real dynalite: every write's stream record carries the item's
// exact images, failed writes leave no record, clients get the answers they asked for, and transactions are
// all or nothing.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand, UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import dynalite from 'dynalite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dynamoStreamProxy } from '#local/aws/dynamo-stream-proxy';
import { closeServer, listen, startServer } from '#local/http-util';

type Item = Record<string, AttributeValue>;
const TABLE = 'streams-test';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let table: Server;
let direct: DynamoDBClient;
const servers: Server[] = [];
let records: DynamoDBRecord[] = [];

/** A client of a fresh proxy (so of a fresh image cache) in front of the shared dynalite. */
async function proxied(cachedImages?: number, reads?: (req: IncomingMessage, res: ServerResponse) => void): Promise<DynamoDBClient> {
  const proxy = dynamoStreamProxy({
    dynaliteUrl: `http://127.0.0.1:${(table.address() as { port: number }).port}`,
    onRecords: (batch) => records.push(...batch),
    ...(cachedImages ? { cachedImages } : {}),
    ...(reads ? { reads } : {}),
  });
  const { server, url } = await startServer((req, res) => proxy.handle(req, res));
  servers.push(server);
  return new DynamoDBClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
}

const key = (id: string): Item => ({ PK: { S: 'OWNER#alice' }, SK: { S: `JOB#${id}` } });
const stored = async (id: string) => (await direct.send(new GetItemCommand({ TableName: TABLE, Key: key(id), ConsistentRead: true }))).Item;
const recordsOf = (id: string) => records.filter((r) => r.dynamodb?.Keys?.SK?.S === `JOB#${id}`);
const only = (id: string) => {
  const mine = recordsOf(id);
  expect(mine, `one stream record for ${id}`).toHaveLength(1);
  return mine[0]!;
};

beforeAll(async () => {
  table = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listen(table, 0);
  direct = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials });
  const { CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
  await direct.send(new CreateTableCommand({
    TableName: TABLE, BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }, { AttributeName: 'SK', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }, { AttributeName: 'SK', AttributeType: 'S' }],
  }));
});

afterAll(async () => {
  for (const server of servers) await closeServer(server);
  await closeServer(table);
});

beforeEach(() => {
  records = [];
});

describe('stream records of single writes', () => {
  it('records a put as INSERT with the stored item, and the next put as MODIFY with both images', async () => {
    const db = await proxied();
    const first = await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('put'), status: { S: 'QUEUED' }, n: { N: '1' } } }));
    expect(first.Attributes).toBeUndefined();
    const inserted = only('put');
    expect(inserted.eventName).toBe('INSERT');
    expect(inserted.dynamodb?.OldImage).toBeUndefined();
    expect(inserted.dynamodb?.NewImage).toEqual(await stored('put'));

    const before = await stored('put');
    records = [];
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('put'), status: { S: 'RUNNING' }, n: { N: '2' } } }));
    const modified = only('put');
    expect(modified.eventName).toBe('MODIFY');
    expect(modified.dynamodb?.OldImage).toEqual(before);
    expect(modified.dynamodb?.NewImage).toEqual(await stored('put'));
  });

  it('records numbers as the table stores them, whatever form the writer sent', async () => {
    const db = await proxied();
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('numbers'), fraction: { N: '0.50' }, big: { N: '1e3' }, set: { NS: ['2.0', '3'] } } }));
    const image = only('numbers').dynamodb?.NewImage;
    expect(image).toEqual(await stored('numbers'));
    expect(image?.fraction).toEqual({ N: '0.5' });
  });

  it('records an update with the image before it and the image after it, and answers no attributes when none were asked', async () => {
    const db = await proxied();
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('update'), status: { S: 'QUEUED' }, steps: { N: '0' } } }));
    for (const step of [1, 2, 3]) {
      const before = await stored('update');
      records = [];
      const answer = await db.send(new UpdateItemCommand({
        TableName: TABLE, Key: key('update'), UpdateExpression: 'SET steps = :s, #st = :r',
        ExpressionAttributeNames: { '#st': 'status' }, ExpressionAttributeValues: { ':s': { N: String(step) }, ':r': { S: 'RUNNING' } },
      }));
      expect(answer.Attributes, 'the client asked for no attributes').toBeUndefined();
      const record = only('update');
      expect(record.eventName).toBe('MODIFY');
      expect(record.dynamodb?.OldImage).toEqual(before);
      expect(record.dynamodb?.NewImage).toEqual(await stored('update'));
      expect(record.dynamodb?.NewImage?.steps).toEqual({ N: String(step) });
    }
  });

  it('records an update of an item the proxy has never seen (written before it started) with its exact old image', async () => {
    await direct.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('unseen'), status: { S: 'QUEUED' } } }));
    const db = await proxied();
    await db.send(new UpdateItemCommand({ TableName: TABLE, Key: key('unseen'), UpdateExpression: 'SET #st = :r', ExpressionAttributeNames: { '#st': 'status' }, ExpressionAttributeValues: { ':r': { S: 'RUNNING' } } }));
    const record = only('unseen');
    expect(record.dynamodb?.OldImage).toEqual({ ...key('unseen'), status: { S: 'QUEUED' } });
    expect(record.dynamodb?.NewImage).toEqual(await stored('unseen'));
  });

  it('records a delete as REMOVE with the old image, and a delete of nothing not at all', async () => {
    const db = await proxied();
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('delete'), status: { S: 'DONE' } } }));
    const before = await stored('delete');
    records = [];
    const answer = await db.send(new DeleteItemCommand({ TableName: TABLE, Key: key('delete') }));
    expect(answer.Attributes).toBeUndefined();
    const removed = only('delete');
    expect(removed.eventName).toBe('REMOVE');
    expect(removed.dynamodb?.OldImage).toEqual(before);
    expect(removed.dynamodb?.NewImage).toBeUndefined();
    expect(await stored('delete')).toBeUndefined();

    records = [];
    await db.send(new DeleteItemCommand({ TableName: TABLE, Key: key('delete') }));
    expect(recordsOf('delete')).toEqual([]);
  });

  it('records nothing for a write that changes nothing', async () => {
    const db = await proxied();
    const item = { ...key('same'), status: { S: 'QUEUED' }, a: { S: 'x' } };
    await db.send(new PutItemCommand({ TableName: TABLE, Item: item }));
    records = [];
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { a: { S: 'x' }, status: { S: 'QUEUED' }, ...key('same') } }));
    await db.send(new UpdateItemCommand({ TableName: TABLE, Key: key('same'), UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': { S: 'x' } } }));
    expect(recordsOf('same')).toEqual([]);
  });

  it('records nothing when a condition fails, and the next write still carries the exact old image', async () => {
    const db = await proxied();
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('cond'), status: { S: 'QUEUED' } } }));
    records = [];
    const update = (status: string, expected: string) => db.send(new UpdateItemCommand({
      TableName: TABLE, Key: key('cond'), UpdateExpression: 'SET #st = :to', ConditionExpression: '#st = :from',
      ExpressionAttributeNames: { '#st': 'status' }, ExpressionAttributeValues: { ':to': { S: status }, ':from': { S: expected } },
    }));
    await expect(update('DONE', 'RUNNING')).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    await expect(db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('cond'), status: { S: 'X' } }, ConditionExpression: 'attribute_not_exists(PK)' })))
      .rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    await expect(db.send(new DeleteItemCommand({ TableName: TABLE, Key: key('cond'), ConditionExpression: 'attribute_not_exists(PK)' })))
      .rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect(recordsOf('cond')).toEqual([]);

    await update('RUNNING', 'QUEUED');
    const record = only('cond');
    expect(record.dynamodb?.OldImage?.status).toEqual({ S: 'QUEUED' });
    expect(record.dynamodb?.NewImage).toEqual(await stored('cond'));
  });

  it('records nothing for a write the table rejects, and forgets nothing it should know', async () => {
    const db = await proxied();
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('invalid'), n: { N: '1' } } }));
    records = [];
    await expect(db.send(new UpdateItemCommand({ TableName: TABLE, Key: key('invalid'), UpdateExpression: 'SET n = n + :s', ExpressionAttributeValues: { ':s': { S: 'text' } } })))
      .rejects.toMatchObject({ name: 'ValidationException' });
    expect(recordsOf('invalid')).toEqual([]);
    await db.send(new UpdateItemCommand({ TableName: TABLE, Key: key('invalid'), UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': { N: '1' } } }));
    const record = only('invalid');
    expect(record.dynamodb?.OldImage?.n).toEqual({ N: '1' });
    expect(record.dynamodb?.NewImage?.n).toEqual({ N: '2' });
  });

  it('keeps images exact when it can remember only one item', async () => {
    const db = await proxied(1);
    for (const id of ['lru-a', 'lru-b']) await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key(id), n: { N: '0' } } }));
    for (let round = 1; round <= 3; round++) {
      for (const id of ['lru-a', 'lru-b']) {
        records = [];
        await db.send(new UpdateItemCommand({ TableName: TABLE, Key: key(id), UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: String(round) } } }));
        const record = only(id);
        expect(record.dynamodb?.OldImage?.n).toEqual({ N: String(round - 1) });
        expect(record.dynamodb?.NewImage).toEqual(await stored(id));
      }
    }
  });

  it('keeps concurrent writes to one item in order, each record chaining from the previous one', async () => {
    const db = await proxied();
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('race'), n: { N: '0' } } }));
    records = [];
    await Promise.all(Array.from({ length: 20 }, () => db.send(new UpdateItemCommand({
      TableName: TABLE, Key: key('race'), UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': { N: '1' } },
    }))));
    const steps = recordsOf('race').map((r) => [r.dynamodb?.OldImage?.n?.N, r.dynamodb?.NewImage?.n?.N]);
    expect(steps).toEqual(Array.from({ length: 20 }, (_, i) => [String(i), String(i + 1)]));
  });
});

describe('answers the client asked for', () => {
  it('answers ALL_NEW, UPDATED_OLD and ALL_OLD as DynamoDB does, with exact records', async () => {
    const db = await proxied();
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('asked'), status: { S: 'QUEUED' }, steps: { N: '0' } } }));

    const allNew = await db.send(new UpdateItemCommand({ TableName: TABLE, Key: key('asked'), UpdateExpression: 'SET steps = :s', ExpressionAttributeValues: { ':s': { N: '5' } }, ReturnValues: 'ALL_NEW' }));
    expect(allNew.Attributes).toEqual(await stored('asked'));

    records = [];
    const updatedOld = await db.send(new UpdateItemCommand({ TableName: TABLE, Key: key('asked'), UpdateExpression: 'SET steps = :s', ExpressionAttributeValues: { ':s': { N: '6' } }, ReturnValues: 'UPDATED_OLD' }));
    expect(updatedOld.Attributes).toEqual({ steps: { N: '5' } });
    expect(only('asked').dynamodb?.OldImage?.steps).toEqual({ N: '5' });
    expect(only('asked').dynamodb?.NewImage).toEqual(await stored('asked'));

    const before = await stored('asked');
    const putOld = await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('asked'), status: { S: 'DONE' } }, ReturnValues: 'ALL_OLD' }));
    expect(putOld.Attributes).toEqual(before);

    const last = await stored('asked');
    const deleteOld = await db.send(new DeleteItemCommand({ TableName: TABLE, Key: key('asked'), ReturnValues: 'ALL_OLD' }));
    expect(deleteOld.Attributes).toEqual(last);
  });
});

describe('reads in the same process as dynalite', () => {
  it('hands reads to dynalite as they came and still records every write', async () => {
    const dynaliteListener = table.listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;
    const handed: string[] = [];
    const db = await proxied(undefined, (req, res) => {
      handed.push(String(req.headers['x-amz-target']).split('.')[1]!);
      dynaliteListener(req, res);
    });
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('read'), status: { S: 'QUEUED' } } }));
    expect(only('read').eventName).toBe('INSERT');

    const got = await db.send(new GetItemCommand({ TableName: TABLE, Key: key('read'), ConsistentRead: true }));
    expect(got.Item).toEqual(await stored('read'));
    const queried = await db.send(new QueryCommand({
      TableName: TABLE, KeyConditionExpression: 'PK = :pk AND SK = :sk',
      ExpressionAttributeValues: { ':pk': key('read').PK!, ':sk': key('read').SK! },
    }));
    expect(queried.Items).toEqual([await stored('read')]);
    expect(handed).toEqual(['GetItem', 'Query']);
  });
});

describe('transactions', () => {
  it('applies every item and records each change', async () => {
    const db = await proxied();
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('tx-b'), n: { N: '1' } } }));
    const before = await stored('tx-b');
    records = [];
    await db.send(new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: TABLE, Item: { ...key('tx-a'), status: { S: 'QUEUED' } }, ConditionExpression: 'attribute_not_exists(PK)' } },
        { Update: { TableName: TABLE, Key: key('tx-b'), UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '2' } } } },
      ],
    }));
    expect(only('tx-a').eventName).toBe('INSERT');
    expect(only('tx-a').dynamodb?.NewImage).toEqual(await stored('tx-a'));
    expect(only('tx-b').dynamodb?.OldImage).toEqual(before);
    expect(only('tx-b').dynamodb?.NewImage).toEqual(await stored('tx-b'));
  });

  it('rolls every item back when one condition fails, records nothing, and later records start from the rolled-back images', async () => {
    const db = await proxied();
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('rb-b'), n: { N: '1' } } }));
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('rb-c'), n: { N: '1' } } }));
    records = [];
    const failed = db.send(new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: TABLE, Item: { ...key('rb-a'), status: { S: 'QUEUED' } } } },
        { Update: { TableName: TABLE, Key: key('rb-b'), UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '2' } } } },
        { Delete: { TableName: TABLE, Key: key('rb-c'), ConditionExpression: 'n = :two', ExpressionAttributeValues: { ':two': { N: '2' } } } },
      ],
    }));
    await expect(failed).rejects.toMatchObject({
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
    });
    expect(records).toEqual([]);
    expect(await stored('rb-a')).toBeUndefined();
    expect((await stored('rb-b'))?.n).toEqual({ N: '1' });
    expect((await stored('rb-c'))?.n).toEqual({ N: '1' });

    await db.send(new UpdateItemCommand({ TableName: TABLE, Key: key('rb-b'), UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '3' } } }));
    expect(only('rb-b').dynamodb?.OldImage?.n).toEqual({ N: '1' });
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('rb-a'), status: { S: 'QUEUED' } } }));
    expect(only('rb-a').eventName).toBe('INSERT');
  });

  it('checks a condition without leaving the checked item behind', async () => {
    const db = await proxied();
    const check = (id: string) => db.send(new TransactWriteItemsCommand({
      TransactItems: [
        { ConditionCheck: { TableName: TABLE, Key: key(id), ConditionExpression: 'attribute_not_exists(PK)' } },
        { Put: { TableName: TABLE, Item: { ...key(`${id}-put`), n: { N: '1' } } } },
      ],
    }));
    await check('cc-absent');
    expect(await stored('cc-absent'), 'the condition check created no item').toBeUndefined();
    expect(recordsOf('cc-absent')).toEqual([]);
    expect(only('cc-absent-put').eventName).toBe('INSERT');

    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('cc-present'), n: { N: '1' } } }));
    records = [];
    await expect(check('cc-present')).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    expect(records).toEqual([]);
    expect(await stored('cc-present-put')).toBeUndefined();
  });
});
