import { h, icon } from '#web/dom';
import type { Actions } from '#web/actions';
import type { Store } from '#web/state';
import { brand } from './sign-in';

const LINK_TEXT = { open: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', closed: 'Offline' } as const;

export function headerPanel(store: Store, actions: Actions): HTMLElement {
  const toggle = h('button', {
    class: 'icon-btn', type: 'button', 'data-testid': 'sidebar-toggle', 'aria-controls': 'sidebar',
    onclick: () => actions.setSidebarCollapsed(!store.get().sidebarCollapsed),
  }, icon('panel'));
  const link = h('span', { class: 'link-state', 'data-testid': 'link-state' });
  const user = h('span', { class: 'user-name', 'data-testid': 'user-name' });
  const avatar = h('span', { class: 'avatar', 'aria-hidden': 'true' });
  const el = h('header', { class: 'topbar' },
    toggle,
    brand(),
    h('span', { class: 'topbar-title' }, 'LoRA Training'),
    h('div', { class: 'topbar-spacer' }),
    link,
    h('div', { class: 'user' }, avatar, user),
    h('button', {
      class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'open-tokens', 'aria-haspopup': 'dialog',
      title: 'Tokens for the CLI and your scripts', onclick: () => actions.openTokens(),
    }, icon('key'), 'API tokens'),
    h('button', { class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'sign-out', onclick: () => actions.signOut() }, icon('logout'), 'Sign out'));

  const update = () => {
    const s = store.get();
    const collapsed = s.sidebarCollapsed;
    toggle.setAttribute('aria-expanded', String(!collapsed));
    toggle.setAttribute('aria-label', collapsed ? 'Show training sidebar' : 'Hide training sidebar');
    toggle.title = collapsed ? 'Show training sidebar' : 'Hide training sidebar';
    link.className = `link-state link-${s.link}`;
    link.textContent = LINK_TEXT[s.link];
    link.title = s.link === 'open' ? 'Job and dataset updates arrive live.' : 'Live updates paused; the workspace re-syncs when the connection returns.';
    user.textContent = s.user ?? '';
    avatar.textContent = (s.user ?? '?').slice(0, 1).toUpperCase();
  };
  update();
  store.subscribe(update);
  return el;
}
