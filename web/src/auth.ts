// Sign-in: OpenID Connect, authorization code with PKCE, through oidc-client-ts. The same code runs against
// Cognito's managed login in AWS and the local cloud's provider; /config.json says which.
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import type { WebConfig } from '#domain/schemas';

/** Refresh this long before the tokens expire (Cognito's last an hour; the local cloud's may be made short). */
const RENEW_BEFORE_SECONDS = 10;

/** The signed-in user as the app needs it: the ID token for the API and the WebSocket, a name to show. */
export interface SignedIn {
  token: string;
  user: string;
}

export const signedIn = (user: User): SignedIn => ({
  token: user.id_token ?? '',
  user: String(user.profile['cognito:username'] ?? user.profile.email ?? user.profile.sub),
});

/** What went wrong with sign-in, in a sentence a person can act on. */
export function signInFailure(error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return `Sign-in did not complete (${reason}). Press Sign in to try again.`;
}

export class Auth {
  readonly manager: UserManager;
  private readonly redirectUri = `${window.location.origin}/`;

  constructor(private readonly config: WebConfig['auth']) {
    this.manager = new UserManager({
      authority: config.authority,
      client_id: config.clientId,
      redirect_uri: this.redirectUri,
      post_logout_redirect_uri: this.redirectUri,
      response_type: 'code',
      scope: config.scopes,
      // A reload keeps the session: the user (with its refresh token) lives in localStorage.
      userStore: new WebStorageStateStore({ store: window.localStorage }),
      automaticSilentRenew: true,
      accessTokenExpiringNotificationTimeInSeconds: RENEW_BEFORE_SECONDS,
      loadUserInfo: false,
    });
  }

  /** The page is the provider's answer to a sign-in: it carries `state` with a `code` or an `error`. */
  isCallback(): boolean {
    const params = new URLSearchParams(window.location.search);
    return params.has('state') && (params.has('code') || params.has('error'));
  }

  /** Completes a sign-in (code → tokens) and takes code and state out of the address bar, whatever the outcome. */
  async completeSignIn(): Promise<User> {
    try {
      return await this.manager.signinRedirectCallback();
    } finally {
      window.history.replaceState(window.history.state, '', window.location.pathname);
    }
  }

  /** The stored user, refreshed first when its tokens expired while the app was closed; null if none is usable. */
  async currentUser(): Promise<User | null> {
    const user = await this.manager.getUser();
    if (!user) return null;
    if (!user.expired) return user;
    if (!user.refresh_token) {
      await this.manager.removeUser();
      return null;
    }
    try {
      return await this.manager.signinSilent();
    } catch {
      await this.manager.removeUser();
      return null;
    }
  }

  signIn(): Promise<void> {
    return this.manager.signinRedirect();
  }

  /**
   * Revokes the refresh token at the provider's revocation endpoint, so a copy of it is worth nothing once the
   * person signed out. Best effort: sign-out goes on if the provider cannot be reached.
   */
  async revokeRefreshToken(): Promise<void> {
    try {
      await this.manager.revokeTokens(['refresh_token']);
    } catch {
      // The refresh token lapses on its own (30 days); signing out must not hang on it.
    }
  }

  /** Forgets the user here and ends the session at the provider (Cognito's /logout, the local one's too). */
  async signOut(): Promise<void> {
    await this.manager.removeUser();
    const url = new URL(this.config.logoutUrl);
    url.searchParams.set('client_id', this.config.clientId);
    url.searchParams.set('logout_uri', this.redirectUri);
    window.location.assign(url.toString());
  }

  /** Forgets the user here only (the API refused the token): the next sign-in still goes to the provider. */
  forget(): Promise<void> {
    return this.manager.removeUser();
  }
}
