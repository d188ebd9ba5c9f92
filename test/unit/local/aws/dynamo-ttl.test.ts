// The local TTL sweeper: items past their TTL are deleted through the stream proxy with one REMOVE record marked
// as a TTL delete; items with a future or non-number TTL stay.
import type { Server } from 'node:http';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynaliteClient } from '#local/aws/dynalite-client';
import { dynamoStreamProxy } from '#local/aws/dynamo-stream-proxy';
import { ttlSweeper } from '#local/aws/dynamo-ttl';
import { closeServer, listen } from '#local/http-util';

const TABLE = 'ttl-test';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const NOW = Date.UTC(2026, 0, 1);
let table: Server;
let db: DynamoDBClient;
let url: string;

const key = (id: string): Record<string, AttributeValue> => ({ PK: { S: 'CONN' }, SK: { S: id } });
const stored = async (id: string) => (await db.send(new GetItemCommand({ TableName: TABLE, Key: key(id), ConsistentRead: true }))).Item;

beforeAll(async () => {
  table = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  url = `http://127.0.0.1:${await listen(table, 0)}`;
  db = new DynamoDBClient({ endpoint: url, region: 'us-east-1', credentials });
  await db.send(new CreateTableCommand({
    TableName: TABLE, BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }, { AttributeName: 'SK', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }, { AttributeName: 'SK', AttributeType: 'S' }],
  }));
});
afterAll(() => closeServer(table));

describe('TTL sweeper', () => {
  it('deletes an expired item with one REMOVE record from the TTL service and keeps the others', async () => {
    const records: DynamoDBRecord[] = [];
    const proxy = dynamoStreamProxy({ dynaliteUrl: url, onRecords: (batch) => records.push(...batch) });
    const nowSeconds = NOW / 1000;
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('old'), expiresAt: { N: String(nowSeconds - 10) } } }));
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('future'), expiresAt: { N: String(nowSeconds + 3600) } } }));
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('text'), expiresAt: { S: String(nowSeconds - 10) } } }));
    await db.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('none') } }));

    const sweeper = ttlSweeper({ call: dynaliteClient(url).call, proxy, table: TABLE, keys: ['PK', 'SK'], ttlAttribute: 'expiresAt', now: () => NOW });
    // Past its TTL but not yet swept, the item still reads, as in AWS.
    expect(await stored('old')).toBeDefined();
    expect(await sweeper.sweep()).toBe(1);

    expect(await stored('old')).toBeUndefined();
    for (const id of ['future', 'text', 'none']) expect(await stored(id), id).toBeDefined();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      eventName: 'REMOVE',
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      dynamodb: { Keys: key('old'), OldImage: { ...key('old'), expiresAt: { N: String(nowSeconds - 10) } } },
    });
    expect(records[0]!.dynamodb?.NewImage).toBeUndefined();
    expect(await sweeper.sweep()).toBe(0);
  });
});
