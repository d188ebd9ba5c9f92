import { h, icon } from '#web/dom';
import type { Actions } from '#web/actions';
import type { Store } from '#web/state';

/** The sign-in screen: one button to the OpenID provider's sign-in page (Cognito's, or the local cloud's). */
export function signInView(store: Store, actions: Actions): HTMLElement {
  const { formError } = store.get();
  const error = h('p', { class: 'field-error', role: 'alert', 'data-testid': 'sign-in-error' }, formError ?? '');
  const button = h('button', {
    class: 'btn btn-primary btn-block', type: 'button', 'data-testid': 'sign-in',
    onclick: async () => {
      button.disabled = true;
      button.textContent = 'Opening sign-in…';
      error.textContent = '';
      try {
        await actions.signIn();
      } catch (e) {
        error.textContent = `Could not reach the sign-in page (${e instanceof Error ? e.message : String(e)}). Try again.`;
        button.disabled = false;
        button.textContent = 'Sign in';
      }
    },
  }, 'Sign in');
  queueMicrotask(() => button.focus());
  return h('main', { class: 'signin' },
    h('section', { class: 'signin-card card' },
      brand(),
      h('h1', {}, 'Train LoRAs on your own data'),
      h('p', { class: 'muted' }, 'Loraworks is a workspace for LoRA fine-tuning: upload a captioned dataset, pick a trainer, follow every run live and download the result.'),
      h('div', { class: 'signin-form' }, error, button),
      h('p', { class: 'hint' }, icon('info'), 'New here? The sign-in page also creates your account. Each user sees only their own datasets and jobs.')));
}

export function brand(): HTMLElement {
  return h('div', { class: 'brand' }, h('span', { class: 'brand-mark' }, icon('layers')), h('span', { class: 'brand-name' }, 'Loraworks'));
}
