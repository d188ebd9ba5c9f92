import { h, icon } from '#web/dom';
import type { Actions } from '#web/actions';
import type { Store } from '#web/state';

/** Dev mode: "Sign in as" any user name; the local cloud's issuer signs a token for it. */
export function signInView(store: Store, actions: Actions): HTMLElement {
  const { config, user, formError } = store.get();
  if (config?.auth.mode !== 'dev') {
    return h('main', { class: 'signin' },
      h('section', { class: 'signin-card card', 'data-testid': 'sign-in-unsupported' },
        brand(),
        h('h1', {}, 'Sign-in with Cognito is not yet supported in this build'),
        h('p', { class: 'muted' }, 'This deployment is configured for Amazon Cognito, but this web build only includes development sign-in. Use the CLI with a Cognito ID token, or run the local cloud (npm start) to use the workspace.')));
  }
  const input = h('input', {
    id: 'sign-in-user', 'data-testid': 'sign-in-user', name: 'user', autocomplete: 'username', required: true,
    placeholder: 'e.g. alice', value: user ?? '', maxlength: 64,
  });
  const error = h('p', { class: 'field-error', role: 'alert', 'data-testid': 'sign-in-error' }, formError ?? '');
  const button = h('button', { class: 'btn btn-primary btn-block', type: 'submit', 'data-testid': 'sign-in' }, 'Sign in');
  const form = h('form', {
    class: 'signin-form',
    onsubmit: async (event: Event) => {
      event.preventDefault();
      if (!input.value.trim()) return;
      button.disabled = true;
      button.textContent = 'Signing in…';
      error.textContent = '';
      try {
        await actions.signIn(input.value);
      } catch (e) {
        error.textContent = e instanceof Error ? e.message : String(e);
        button.disabled = false;
        button.textContent = 'Sign in';
      }
    },
  },
  h('label', { for: 'sign-in-user', class: 'label' }, 'Sign in as'),
  input, error, button);
  queueMicrotask(() => input.focus());
  return h('main', { class: 'signin' },
    h('section', { class: 'signin-card card' },
      brand(),
      h('h1', {}, 'Train LoRAs on your own data'),
      h('p', { class: 'muted' }, 'Upload a captioned dataset, pick a trainer, and follow every run live.'),
      form,
      h('p', { class: 'hint' }, icon('info'), 'Development sign-in: any user name works on the local cloud. Each user sees only their own datasets and jobs.')));
}

export function brand(): HTMLElement {
  return h('div', { class: 'brand' }, h('span', { class: 'brand-mark' }, icon('layers')), h('span', { class: 'brand-name' }, 'Loraworks'));
}
