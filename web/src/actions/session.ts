import type { ActionContext } from './context';

/** Signing in and out of the dev sign-in; the token is kept across reloads. */
export class SessionActions {
  constructor(private readonly ctx: ActionContext, private readonly stopWork: () => void) {}

  async signIn(user: string): Promise<void> {
    const token = await this.ctx.api.devToken(user.trim());
    localStorage.setItem('loraworks.token', token);
    localStorage.setItem('loraworks.user', user.trim());
    this.ctx.api.setToken(token);
    this.ctx.store.set({ token, user: user.trim(), formError: null });
  }

  /** Stops the live channel, an upload in flight and dataset polling before the workspace is left. */
  signOut(notice?: string): void {
    this.stopWork();
    localStorage.removeItem('loraworks.token');
    this.ctx.api.setToken(null);
    this.ctx.store.set({ token: null, jobs: [], jobsPhase: 'loading', dataset: null, datasets: [], formError: notice ?? null });
  }

  setSidebarCollapsed(collapsed: boolean): void {
    localStorage.setItem('loraworks.sidebar', collapsed ? 'collapsed' : 'open');
    this.ctx.store.set({ sidebarCollapsed: collapsed });
  }

  setGuideOpen(guideOpen: boolean): void {
    this.ctx.store.set({ guideOpen });
  }
}
