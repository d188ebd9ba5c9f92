// The development token issuer: signs ID tokens for any user name with a key kept in the data folder and
// publishes its JWKS, so the same JWT verification runs locally as against Cognito in AWS. The local OpenID
// provider (oidc-provider.ts) signs its ID and access tokens with the same key.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';

export const DEV_AUDIENCE = 'loraworks-local';

export interface DevIssuer {
  issuer: string;
  jwks: { keys: JWK[] };
  /** A 12-hour ID token for POST /dev/token (tests and scripts). */
  issue(user: string): Promise<string>;
  /** The ID token's claims of a user, as Cognito puts them in: `sub`, `cognito:username`, `email`. */
  userClaims(user: string): { sub: string; 'cognito:username': string; email: string };
  /** Signs `claims` (which carry their own `sub`, `aud`, `token_use`…) valid for `lifetimeSeconds`. */
  sign(claims: JWTPayload, lifetimeSeconds: number): Promise<string>;
  /** The claims of a token this issuer signed and that has not expired; throws otherwise. */
  verify(token: string): Promise<JWTPayload>;
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
  const userClaims = (user: string) => ({ sub: `dev-${user}`, 'cognito:username': user, email: `${user}@example.test` });
  const sign = ({ sub, ...claims }: JWTPayload, lifetimeSeconds: number) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: privateJwk.kid!, typ: 'JWT' })
      .setIssuer(issuer)
      .setSubject(sub!)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + lifetimeSeconds)
      .sign(key);
  const publicKey = await importJWK(publicJwk, 'RS256');
  return {
    issuer,
    jwks: { keys: [publicJwk] },
    userClaims,
    sign,
    verify: async (token) => (await jwtVerify(token, publicKey, { issuer })).payload,
    issue: (user) => sign({ ...userClaims(user), token_use: 'id', aud: DEV_AUDIENCE }, 12 * 3600),
  };
}

/** User names become subject ids and key parts: keep them plain. */
export const DEV_USER = /^[a-zA-Z0-9_.-]{1,40}$/;
