import './styles.css';
import { Actions } from './actions';
import { adaptersPanel } from './panels/adapters';
import { apiTokensPanel } from './panels/api-tokens';
import { loadConfig } from './config';
import { h, icon } from './dom';
import { datasetUploadPanel } from './panels/dataset-upload';
import { guidancePanel, guideModal } from './panels/guidance';
import { headerPanel } from './panels/header';
import { jobsPanel } from './panels/jobs';
import { modelDetailsPanel } from './panels/model-details';
import { signInView } from './panels/sign-in';
import { startTrainingPanel } from './panels/start-training';
import { trainerSelectPanel } from './panels/trainer-select';
import { trainingFormPanels } from './panels/training-form';
import { Store, initialState } from './state';

/** The signed-in workspace, laid out as the workspace map: header, sidebar, main panel, jobs at the bottom. */
function workspace(store: Store, actions: Actions): HTMLElement {
  const sidebar = h('aside', { class: 'sidebar', id: 'sidebar', 'aria-label': 'Training setup', 'data-testid': 'sidebar' },
    h('div', { class: 'sidebar-scroll' },
      trainerSelectPanel(store, actions),
      datasetUploadPanel(store, actions),
      ...trainingFormPanels(store, actions)),
    startTrainingPanel(store, actions));
  const shell = h('div', { class: 'shell' },
    headerPanel(store, actions),
    h('div', { class: 'body' },
      sidebar,
      h('main', { class: 'main', 'data-testid': 'main-panel' },
        h('div', { class: 'main-grid' }, modelDetailsPanel(store), guidancePanel(actions)),
        jobsPanel(store, actions),
        adaptersPanel(store, actions))),
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
  const store = new Store({ ...initialState(), config });
  const actions = new Actions(store);
  // Sign-in and sign-out swap the whole view; everything else updates in place.
  let signedIn: boolean | null = null;
  const render = () => {
    const now = Boolean(store.get().token) && config.auth.mode === 'dev';
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
