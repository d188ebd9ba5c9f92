// API tokens for tooling, end to end against the local cloud: created by a signed-in user, used on the HTTP API
// and the WebSocket (the one Lambda authorizer of the template, and $connect's), listed with their last use,
// revoked and refused at once on both doors (the local gateway caches no authorizer answer).
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_NAMES, startLocalCloud, type LocalCloud } from '#local/cloud';
import type { ApiToken, CreatedToken, Dataset, ErrorBody, ServerMessage } from '#domain/schemas';
import { LoraworksClient } from '#support/local-cloud-client';
import { useTempDir } from '#support/temp-dir';

const dataDir = useTempDir('loraworks-tokens-');
let cloud: LocalCloud;
let alice: LoraworksClient;
let bob: LoraworksClient;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, dataDir: dataDir() });
  alice = await LoraworksClient.signIn(cloud.apiUrl, 'alice');
  bob = await LoraworksClient.signIn(cloud.apiUrl, 'bob');
});
afterAll(() => cloud?.stop());

/** A raw call with this Authorization header (or none), as the gateway answers it. */
async function call(path: string, authorization?: string) {
  const res = await fetch(`${cloud.apiUrl}${path}`, { headers: authorization ? { authorization } : {} });
  return { status: res.status, text: await res.text() };
}

/** Opens the WebSocket with ?token=, says ping and waits for pong; or the status the handshake was refused with. */
async function pingOverWebSocket(token: string): Promise<'pong' | number> {
  try {
    const feed = await LoraworksClient.withToken(cloud.apiUrl, token).connect(cloud.wsUrl);
    feed.socket.send(JSON.stringify({ action: 'ping' }));
    await feed.next((m: ServerMessage) => m.type === 'pong', 'pong', 10_000);
    feed.close();
    return 'pong';
  } catch (error) {
    const status = /WebSocket refused: (\d+)/.exec((error as Error).message)?.[1];
    if (!status) throw error;
    return Number(status);
  }
}

describe('an API token', () => {
  it('works on the HTTP API and the WebSocket, is listed with its last use, and is refused at once once revoked', async () => {
    const created = await alice.expect<CreatedToken>(201, 'POST', '/tokens', { name: 'ci', expiresInDays: 7 });
    expect(created).toMatchObject({ name: 'ci', token: expect.stringMatching(/^lwk_/) });
    const tooling = LoraworksClient.withToken(cloud.apiUrl, created.token);

    // The token acts as its owner on the HTTP API.
    const dataset = await tooling.expect<Dataset>(201, 'POST', '/datasets', { name: 'from tooling' });
    const mine = await alice.expect<{ datasets: Dataset[] }>(200, 'GET', '/datasets');
    expect(mine.datasets.map((d) => d.id)).toContain(dataset.id);
    // … and on the WebSocket.
    expect(await pingOverWebSocket(created.token)).toBe('pong');

    const listed = await alice.expect<{ tokens: ApiToken[] }>(200, 'GET', '/tokens');
    expect(listed.tokens).toEqual([{ id: created.id, name: 'ci', createdAt: created.createdAt, expiresAt: created.expiresAt, lastUsedAt: expect.any(String) }]);
    expect(JSON.stringify(listed)).not.toContain(created.token);

    expect((await alice.request('DELETE', `/tokens/${created.id}`)).status).toBe(204);
    expect(await call('/datasets', `Bearer ${created.token}`)).toEqual({ status: 403, text: '{"message":"Forbidden"}' });
    expect(await pingOverWebSocket(created.token)).toBe(401);
    expect((await alice.expect<{ tokens: ApiToken[] }>(200, 'GET', '/tokens')).tokens).toEqual([]);
  });

  it('is never stored: the table holds its hash, not the token or its secret', async () => {
    const created = await alice.expect<CreatedToken>(201, 'POST', '/tokens', { name: 'stored?' });
    const secret = created.token.split('_').slice(2).join('_');
    const client = new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, region: 'us-east-1' });
    const { Items = [] } = await client.send(new ScanCommand({ TableName: LOCAL_NAMES.table }));
    const item = Items.find((i) => i.PK?.S === `TOKEN#${created.id}`);
    expect(item?.secretHash?.S).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(Items)).not.toContain(secret);
    expect((await alice.request('DELETE', `/tokens/${created.id}`)).status).toBe(204);
  });

  it("sees nothing of another user's: their records and tokens are 404 to it, and its own are not listed to them", async () => {
    const aliceSet = await alice.expect<Dataset>(201, 'POST', '/datasets', { name: 'private' });
    const aliceToken = await alice.expect<CreatedToken>(201, 'POST', '/tokens', { name: 'alice-ci' });
    const bobToken = await bob.expect<CreatedToken>(201, 'POST', '/tokens', { name: 'bob-ci' });
    const bobTooling = LoraworksClient.withToken(cloud.apiUrl, bobToken.token);

    expect((await bobTooling.request('GET', `/datasets/${aliceSet.id}`)).status).toBe(404);
    expect((await bobTooling.expect<{ datasets: Dataset[] }>(200, 'GET', '/datasets')).datasets).toEqual([]);
    expect((await bobTooling.expect<{ tokens: ApiToken[] }>(200, 'GET', '/tokens')).tokens.map((t) => t.id)).toEqual([bobToken.id]);
    const refused = await bobTooling.request<ErrorBody>('DELETE', `/tokens/${aliceToken.id}`);
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe('TOKEN_NOT_FOUND');
    // Alice's token still works.
    expect((await call('/tokens', `Bearer ${aliceToken.token}`)).status).toBe(200);
  });

  it('answers 401 {"message":"Unauthorized"} without an Authorization header, and 403 to a forged one', async () => {
    expect(await call('/tokens')).toEqual({ status: 401, text: '{"message":"Unauthorized"}' });
    const forged = `lwk_01JZZZZZZZZZZZZZZZZZZZZZZZ_${'A'.repeat(43)}`;
    expect(await call('/tokens', `Bearer ${forged}`)).toEqual({ status: 403, text: '{"message":"Forbidden"}' });
    expect(await pingOverWebSocket(forged)).toBe(401);
  });
});
