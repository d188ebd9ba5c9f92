// Each function runs in a sandbox of its own, holding its own credentials (so the local services see its role),
// kept between invocations, and reports errors as Lambda does.
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LambdaRuntime, RESPONSE_QUOTA_BYTES } from '#local/aws/lambda-runtime';
import { principalCredentials } from '#local/aws/local-credentials';

const FIXTURES = fileURLToPath(new URL('./lambda-fixtures', import.meta.url));
const runtime = new LambdaRuntime(FIXTURES, 60_000);
afterAll(() => runtime.stop());

describe('LambdaRuntime', () => {
  it('gives each function its own credentials and keeps its sandbox', async () => {
    const [me, other] = await Promise.all([runtime.call('who-am-i', {}), runtime.call('who-else', {})]);
    expect(me).toMatchObject({ accessKeyId: principalCredentials('who-am-i').accessKeyId, functionName: 'who-am-i', invocations: 1 });
    expect(other).toMatchObject({ accessKeyId: principalCredentials('who-else').accessKeyId, functionName: 'who-else', invocations: 1 });
    expect((me as { remaining: number }).remaining).toBeGreaterThan(50_000);
    expect(await runtime.call('who-am-i', {})).toMatchObject({ invocations: 2 });
    expect(process.env.AWS_ACCESS_KEY_ID).not.toBe(principalCredentials('who-am-i').accessKeyId);
  });

  it('applies the environment as it is at each invocation, as Lambda applies a changed configuration', async () => {
    process.env.LORAWORKS_TEST_SETTING = 'first';
    try {
      expect(await runtime.call('who-am-i', {})).toMatchObject({ setting: 'first' });
      process.env.LORAWORKS_TEST_SETTING = 'second';
      expect(await runtime.call('who-am-i', {})).toMatchObject({ setting: 'second' });
    } finally {
      delete process.env.LORAWORKS_TEST_SETTING;
    }
    expect(await runtime.call('who-am-i', {})).not.toHaveProperty('setting', expect.anything());
  });

  it('reports a handler’s error as Lambda does', async () => {
    expect(await runtime.invoke('who-am-i', { fail: true })).toEqual({ ok: false, error: { errorType: 'AskedToFail', errorMessage: 'asked to fail' } });
    await expect(runtime.call('who-am-i', { fail: true })).rejects.toMatchObject({ name: 'AskedToFail' });
    expect(await runtime.invoke('no-such-handler', {})).toMatchObject({ ok: false, error: { errorMessage: expect.stringContaining('no-such-handler') } });
  });

  it('refuses a response over Lambda’s 6 MB quota with Lambda’s error, and answers one at the quota', async () => {
    expect(await runtime.invoke('who-am-i', { answerBytes: RESPONSE_QUOTA_BYTES })).toMatchObject({ ok: true });
    expect(await runtime.invoke('who-am-i', { answerBytes: RESPONSE_QUOTA_BYTES + 1 })).toEqual({
      ok: false, error: { errorType: 'Function.ResponseSizeTooLarge', errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).' },
    });
  });

  it('answers an invocation cut short by stop() as stopped, not as a crashed sandbox, and says it is stopping', async () => {
    const own = new LambdaRuntime(FIXTURES, 60_000);
    const running = own.invoke('who-am-i', { busyMs: 60_000 });
    expect(own.stopping).toBe(false);
    await own.stop();
    expect(await running).toEqual({ ok: false, error: { errorType: 'Error', errorMessage: 'The local cloud stopped during the invocation.' } });
    expect(own.stopping).toBe(true);
  });
});
