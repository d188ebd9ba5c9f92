// One token rule for both doors (domain/user-token.ts): the HTTP routes (claims as API Gateway hands them on)
// and the WebSocket authorizer (claims as the verifier returns them) take a user's ID token and nothing else.
import { describe, expect, it } from 'vitest';
import { tokenOwner } from '#domain/user-token';

describe('the token both doors take', () => {
  it('takes an ID token of the client, with its claims as the verifier or API Gateway give them', () => {
    expect(tokenOwner({ token_use: 'id', aud: 'web', sub: 'u1' }, 'web')).toBe('u1');
    expect(tokenOwner({ token_use: 'id', aud: ['web', 'other'], sub: 'u1' }, 'web')).toBe('u1');
    expect(tokenOwner({ token_use: 'id', aud: '[other web]', sub: 'u1' }, 'web')).toBe('u1');
    expect(tokenOwner({ token_use: 'id', aud: 'web', sub: 'u1' }, null)).toBe('u1');
  });

  it.each([
    { kind: 'an access token', claims: { token_use: 'access', client_id: 'web', sub: 'u1' } },
    { kind: 'a token without token_use', claims: { aud: 'web', sub: 'u1' } },
    { kind: 'an ID token for another client', claims: { token_use: 'id', aud: 'other', sub: 'u1' } },
    { kind: 'an ID token without a subject', claims: { token_use: 'id', aud: 'web', sub: '' } },
    { kind: 'no claims', claims: undefined },
  ])('refuses $kind', ({ claims }) => {
    expect(tokenOwner(claims, 'web')).toBeNull();
  });
});
