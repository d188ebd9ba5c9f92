// Verifies the users' JWTs: Cognito's in AWS, the development issuer's locally; the same code for both.
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { config } from './config';

let verifier: { verify(token: string): Promise<{ sub?: unknown }> } | undefined;

const jwtVerifier = () =>
  (verifier ??= JwtRsaVerifier.create({ issuer: config.jwtIssuer, audience: config.jwtAudience, jwksUri: config.jwksUri }) as never);

/** The subject of a valid token, or null when the token is missing, expired, forged or for someone else. */
export async function verifyToken(token: string | undefined): Promise<string | null> {
  if (!token) return null;
  try {
    const payload = await jwtVerifier().verify(token);
    return typeof payload.sub === 'string' && payload.sub ? payload.sub : null;
  } catch {
    return null;
  }
}
