import type { ApiToken } from '#domain/schemas';
import { ApiError } from '#web/api';
import { closedTokenPanel, type TokenPanelState } from '#web/state';
import { newestFirst } from '#web/token-rules';
import { type ActionContext, message } from './context';

/** The API tokens of the signed-in user: listed with their last use, created (the secret shown once) and revoked. */
export class ApiTokenActions {
  constructor(private readonly ctx: ActionContext) {}

  private patch(change: Partial<TokenPanelState> | ((p: TokenPanelState) => Partial<TokenPanelState>)): void {
    this.ctx.store.set((s) => ({ tokenPanel: { ...s.tokenPanel, ...(typeof change === 'function' ? change(s.tokenPanel) : change) } }));
  }

  /** Opens the panel and loads the list afresh (last use changes while it is closed). */
  open(): void {
    this.patch({ open: true, error: null, fieldErrors: {} });
    void this.load();
  }

  /** Closing forgets the token just created: it is never shown again. */
  close(): void {
    this.ctx.store.set({ tokenPanel: { ...closedTokenPanel(), tokens: this.ctx.store.get().tokenPanel.tokens } });
  }

  /** Signing out forgets everything the panel held. */
  reset(): void {
    this.ctx.store.set({ tokenPanel: closedTokenPanel() });
  }

  async load(): Promise<void> {
    this.patch((p) => ({ phase: p.phase === 'ready' ? 'ready' : 'loading' }));
    try {
      const { tokens } = await this.ctx.api.call('list-tokens');
      this.patch({ phase: 'ready', tokens: newestFirst(tokens) });
    } catch (error) {
      this.patch((p) => ({ phase: p.phase === 'ready' ? 'ready' : 'error', error: `Your tokens could not be loaded: ${message(error)}` }));
    }
  }

  /** Resolves true once the token exists (and is shown); false when the API refused it (the panel says why). */
  async create(name: string, expiresInDays: number): Promise<boolean> {
    if (this.ctx.store.get().tokenPanel.creating) return false;
    const trimmed = name.trim();
    if (!trimmed) {
      this.patch({ fieldErrors: { name: 'Give the token a name, such as “laptop” or “ci”, so you can tell it apart later.' } });
      return false;
    }
    this.patch({ creating: true, error: null, fieldErrors: {}, created: null });
    try {
      const created = await this.ctx.api.call('create-token', { body: { name: trimmed, expiresInDays } });
      const listed: ApiToken = { id: created.id, name: created.name, createdAt: created.createdAt, expiresAt: created.expiresAt };
      this.patch((p) => ({ creating: false, created, tokens: newestFirst([listed, ...p.tokens.filter((t) => t.id !== created.id)]) }));
      return true;
    } catch (error) {
      const fieldErrors: Record<string, string> = {};
      if (error instanceof ApiError) for (const detail of error.details) fieldErrors[detail.field.replace(/^body\./, '')] = detail.message;
      this.patch({ creating: false, fieldErrors, error: `The token was not created: ${message(error)}` });
      return false;
    }
  }

  /** Forgets the token just created (the person has copied it). */
  dismissCreated(): void {
    this.patch({ created: null });
  }

  dismissError(): void {
    this.patch({ error: null });
  }

  async revoke(token: ApiToken): Promise<void> {
    this.patch((p) => ({ error: null, revoking: [...p.revoking, token.id] }));
    try {
      await this.ctx.api.call('delete-token', { params: { tokenId: token.id } });
      this.patch((p) => ({
        tokens: p.tokens.filter((t) => t.id !== token.id),
        created: p.created?.id === token.id ? null : p.created,
        revoking: p.revoking.filter((id) => id !== token.id),
      }));
    } catch (error) {
      // Already gone (revoked from the CLI or another tab): the row goes all the same.
      if (error instanceof ApiError && error.status === 404) {
        this.patch((p) => ({ tokens: p.tokens.filter((t) => t.id !== token.id), revoking: p.revoking.filter((id) => id !== token.id) }));
        return;
      }
      this.patch((p) => ({ error: `“${token.name}” was not revoked: ${message(error)}`, revoking: p.revoking.filter((id) => id !== token.id) }));
    }
  }
}
