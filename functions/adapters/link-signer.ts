// The dataset link signer's access key, from its Secrets Manager secret (JSON {"accessKeyId", "secretAccessKey"}):
// links presigned with it live their full length, whatever happens to the function's own session. Fetched once
// and kept for a while (a rotated key is picked up within CACHE_MS); a failed fetch is not kept, so the next
// link asks again.
import type { SigningCredentials } from './blob-store';
import { config } from './config';
import { readSecretText } from './secrets';

const CACHE_MS = 15 * 60 * 1000;
let cached: { credentials: Promise<SigningCredentials>; at: number } | undefined;

async function fetchCredentials(arn: string): Promise<SigningCredentials> {
  const text = await readSecretText(arn, "dataset link signer's key");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch {
    parsed = undefined; // never echo the parse error: it quotes the secret
  }
  const { accessKeyId, secretAccessKey } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (typeof accessKeyId !== 'string' || !accessKeyId || typeof secretAccessKey !== 'string' || !secretAccessKey) {
    throw new Error('The dataset link signer\'s secret is not JSON {"accessKeyId": "...", "secretAccessKey": "..."}; redeploy the stack to rewrite it.');
  }
  return { accessKeyId, secretAccessKey };
}

/**
 * The credentials that sign the trainer's dataset links, or undefined where the stack names no signer (then the
 * function's own credentials sign, and the link lives only as long as its session).
 */
export function linkSignerCredentials(now = Date.now()): Promise<SigningCredentials> | undefined {
  const arn = config.datasetLinkSignerSecretArn;
  if (!arn) return undefined;
  if (!cached || now - cached.at >= CACHE_MS) {
    const credentials = fetchCredentials(arn);
    cached = { credentials, at: now };
    credentials.catch(() => {
      if (cached?.credentials === credentials) cached = undefined;
    });
  }
  return cached.credentials;
}

/** For tests: forget the cached key. */
export function resetLinkSigner(): void {
  cached = undefined;
}
