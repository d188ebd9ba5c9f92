import type { ApiClient } from '#web/api';
import type { Store } from '#web/state';

/** What every group of actions works on: the one store the panels read, the one API client. */
export interface ActionContext {
  store: Store;
  api: ApiClient;
}

export const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
