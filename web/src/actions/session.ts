import type { Auth, SignedIn } from '#web/auth';
import { closedScheduleForm } from '#web/state';
import type { ActionContext } from './context';

/** Signing in and out through the OpenID provider; the provider's client keeps the user across reloads. */
export class SessionActions {
  constructor(private readonly ctx: ActionContext, private readonly auth: Auth, private readonly stopWork: () => void) {}

  /** Off to the provider's sign-in page; the app starts again on its answer. */
  async signIn(): Promise<void> {
    this.ctx.store.set({ formError: null });
    await this.auth.signIn();
  }

  /** A user (new, or the same with refreshed tokens): the API calls carry its ID token from now on. */
  setUser({ token, user }: SignedIn): void {
    this.ctx.api.setToken(token);
    this.ctx.store.set({ token, user });
  }

  /** Leaves the workspace and signs out at the provider, which sends the browser back to the sign-in screen. */
  async signOut(): Promise<void> {
    await this.auth.revokeRefreshToken();
    this.leave(null);
    await this.auth.signOut();
  }

  /** The session ended without the person asking (the API refused the token, a refresh failed): say so here. */
  async expire(notice: string): Promise<void> {
    this.leave(notice);
    await this.auth.forget();
  }

  /** Stops the live channel, an upload in flight and dataset polling before the workspace is left. */
  private leave(notice: string | null): void {
    this.stopWork();
    this.ctx.api.setToken(null);
    this.ctx.store.set({ token: null, user: null, jobs: [], jobsPhase: 'loading', dataset: null, datasets: [], formError: notice,
      schedules: [], schedulesPhase: 'loading', schedulesError: null, scheduleForm: closedScheduleForm(), scheduleRuns: {}, scheduleBusy: [], focusedJobId: null });
  }

  setSidebarCollapsed(collapsed: boolean): void {
    localStorage.setItem('loraworks.sidebar', collapsed ? 'collapsed' : 'open');
    this.ctx.store.set({ sidebarCollapsed: collapsed });
  }

  setGuideOpen(guideOpen: boolean): void {
    this.ctx.store.set({ guideOpen });
  }
}
