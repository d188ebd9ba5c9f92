import './styles.css';
import type { User } from 'oidc-client-ts';
import { Actions } from './actions';
import { Auth, signedIn as signedInAs, signInFailure } from './auth';
import { adaptersPanel } from './panels/adapters';
import { apiTokensPanel } from './panels/api-tokens';
import { loadConfig } from './config';
import { h, icon } from './dom';
import { datasetEditorPanel } from './panels/dataset-editor';
import { datasetUploadPanel } from './panels/dataset-upload';
import { datasetVersionsPanel } from './panels/dataset-versions';
import { guidancePanel, guideModal } from './panels/guidance';
import { headerPanel } from './panels/header';
import { jobDetailsPanel } from './panels/job-details';
import { jobsPanel } from './panels/jobs';
import { modelDetailsPanel } from './panels/model-details';
import { scheduleFormPanel } from './panels/schedule-form';
import { schedulesPanel } from './panels/schedules';
import { signInView } from './panels/sign-in';
import { startTrainingPanel } from './panels/start-training';
import { trainerSelectPanel } from './panels/trainer-select';
import { trainingFormPanels } from './panels/training-form';
import { Store, initialState } from './state';

/** The signed-in workspace, laid out as the workspace map: header, sidebar, main panel, jobs at the bottom. */
function workspace(store: Store, actions: Actions): HTMLElement {
  const editor = datasetEditorPanel(store, actions);
  const sidebar = h('aside', { class: 'sidebar', id: 'sidebar', 'aria-label': 'Training setup', 'data-testid': 'sidebar' },
    h('div', { class: 'sidebar-scroll' },
      trainerSelectPanel(store, actions),
      datasetUploadPanel(store, actions, (files) => editor.open({ kind: 'pick', files })),
      ...trainingFormPanels(store, actions)),
    startTrainingPanel(store, actions));
  const shell = h('div', { class: 'shell' },
    headerPanel(store, actions),
    h('div', { class: 'body' },
      sidebar,
      h('main', { class: 'main', 'data-testid': 'main-panel' },
        h('div', { class: 'main-grid' }, modelDetailsPanel(store), guidancePanel(actions)),
        jobsPanel(store, actions),
        datasetVersionsPanel(store, actions, (datasetId, datasetName, version) => editor.open({ kind: 'version', datasetId, datasetName, version })),
        editor.el,
        schedulesPanel(store, actions),
        adaptersPanel(store, actions))),
    scheduleFormPanel(store, actions),
    jobDetailsPanel(store, actions),
    guideModal(store, actions),
    apiTokensPanel(store, actions));
  const update = () => {
    const collapsed = store.get().sidebarCollapsed;
    shell.classList.toggle('sidebar-collapsed', collapsed);
    sidebar.inert = collapsed;
  };
  update();
  store.subscribe((s, prev) => s.sidebarCollapsed !== prev.sidebarCollapsed && update());
  return shell;
}

async function boot(root: HTMLElement): Promise<void> {
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    root.replaceChildren(h('main', { class: 'signin' }, h('section', { class: 'signin-card card' },
      h('h1', {}, icon('alert'), ' Loraworks cannot start'),
      h('p', { class: 'muted' }, error instanceof Error ? error.message : String(error)))));
    return;
  }
  const auth = new Auth(config.auth);
  let notice: string | null = null;
  let user: User | null = null;
  if (auth.isCallback()) {
    // Back from the provider: a tampered or replayed state, a refused code or verifier all end here.
    try {
      user = await auth.completeSignIn();
    } catch (error) {
      notice = signInFailure(error);
    }
  } else {
    user = await auth.currentUser();
  }
  const store = new Store({ ...initialState(), config, ...(user ? signedInAs(user) : {}), formError: notice });
  // The store already holds the user's token, and the API client takes it from there.
  const actions = new Actions(store, auth);
  // Every new user, and every refresh of the tokens before they expire, hands the new ID token on.
  auth.manager.events.addUserLoaded((loaded) => actions.userLoaded(signedInAs(loaded)));
  auth.manager.events.addSilentRenewError((error) => void actions.expire(`Your session could not be renewed (${error.message}). Sign in again.`));
  // Sign-in and sign-out swap the whole view; everything else updates in place.
  let signedIn: boolean | null = null;
  const render = () => {
    const now = Boolean(store.get().token);
    if (now === signedIn) return;
    signedIn = now;
    store.dropGroup('view');
    if (now) {
      root.replaceChildren(store.withGroup('view', () => workspace(store, actions)));
      actions.start();
    } else {
      root.replaceChildren(store.withGroup('view', () => signInView(store, actions)));
    }
  };
  store.subscribe(render);
  render();
}

void boot(document.getElementById('app')!);
