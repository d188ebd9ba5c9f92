// The development token issuer: signs ID tokens for any user name with a key kept in the data folder and
// publishes its JWKS, so the same JWT verification runs locally as against Cognito in AWS.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

export const DEV_AUDIENCE = 'loraworks-local';

export interface DevIssuer {
  issuer: string;
  jwks: { keys: JWK[] };
  issue(user: string): Promise<string>;
}

export async function devIssuer(dataDir: string, issuer: string): Promise<DevIssuer> {
  const file = join(dataDir, 'dev-issuer-key.json');
  let privateJwk: JWK;
  if (existsSync(file)) {
    privateJwk = JSON.parse(await readFile(file, 'utf8'));
  } else {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    privateJwk = { ...(await exportJWK(privateKey)), kid: `dev-${Date.now().toString(36)}`, alg: 'RS256', use: 'sig' };
    await writeFile(file, JSON.stringify(privateJwk), { mode: 0o600 });
  }
  const { d, p, q, dp, dq, qi, ...publicJwk } = privateJwk;
  const key = await importJWK(privateJwk, 'RS256');
  return {
    issuer,
    jwks: { keys: [publicJwk] },
    issue: (user) =>
      new SignJWT({ token_use: 'id', 'cognito:username': user, email: `${user}@example.test` })
        .setProtectedHeader({ alg: 'RS256', kid: privateJwk.kid!, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(DEV_AUDIENCE)
        .setSubject(`dev-${user}`)
        .setIssuedAt()
        .setExpirationTime('12h')
        .sign(key),
  };
}

/** User names become subject ids and key parts: keep them plain. */
export const DEV_USER = /^[a-zA-Z0-9_.-]{1,40}$/;
