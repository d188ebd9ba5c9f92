// Verifies the users' JWTs: Cognito's in AWS, the development issuer's locally; the same code for both.
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { tokenOwner, type TokenClaims } from '#domain/user-token';
import { config } from './config';

/** The library's own fetcher speaks only HTTPS; the local issuer serves its JWKS over plain loopback HTTP. */
const fetcher = {
  async fetch(uri: string): Promise<ArrayBuffer> {
    const response = await fetch(uri, { signal: AbortSignal.timeout(3000) });
    if (response.status !== 200) throw new Error(`JWKS at ${uri} answered ${response.status}.`);
    return response.arrayBuffer();
  },
};

let verifier: { verify(token: string): Promise<TokenClaims> } | undefined;

const jwtVerifier = () =>
  (verifier ??= JwtRsaVerifier.create(
    { issuer: config.jwtIssuer, audience: config.jwtAudience, jwksUri: config.jwksUri },
    { jwksCache: new SimpleJwksCache({ fetcher }) },
  ) as never);

/** The subject of a valid ID token, or null when the token is missing, expired, forged, for someone else or
 * not an ID token (domain/user-token.ts). */
export async function verifyToken(token: string | undefined): Promise<string | null> {
  if (!token) return null;
  try {
    return tokenOwner(await jwtVerifier().verify(token), config.jwtAudience);
  } catch {
    return null;
  }
}
