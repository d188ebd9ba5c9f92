import type { ApiToken, CreatedToken } from '#domain/schemas';
import type { Actions } from '#web/actions';
import { fill, h, icon } from '#web/dom';
import { relativeTime } from '#web/format';
import type { Store, TokenPanelState } from '#web/state';
import { DEFAULT_EXPIRY_DAYS, EXPIRY_CHOICES, NAME_MAX, cliLoginLine, isExpired } from '#web/token-rules';

const DAY = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });
const MOMENT = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const day = (iso: string) => DAY.format(new Date(iso));
const moment = (iso: string) => MOMENT.format(new Date(iso));

/** The URL the CLI signs in against: where this app and its /config.json are served. */
const workspaceUrl = () => new URL('.', document.baseURI).href;

/**
 * The API-token panel, a modal dialog opened from the header: create a token (shown once, with a Copy button and
 * the CLI line that uses it), the list with each token's last use, and Revoke after a confirmation.
 */
export function apiTokensPanel(store: Store, actions: Actions): HTMLDialogElement {
  const error = h('div', { class: 'inline-alert', role: 'alert', hidden: true, 'data-testid': 'tokens-error' });
  const created = h('section', { class: 'token-created', hidden: true, 'aria-labelledby': 'token-created-title', 'data-testid': 'token-created' });

  // ---- create ----
  const nameInput = h('input', {
    id: 'token-name', name: 'name', 'data-testid': 'token-name', autocomplete: 'off', required: true, maxlength: NAME_MAX,
    placeholder: 'e.g. laptop, ci, render-farm', 'aria-describedby': 'token-name-help token-name-error',
  });
  const nameError = h('p', { class: 'field-error', id: 'token-name-error', 'data-testid': 'token-name-error' });
  const expiry = h('select', { id: 'token-expiry', name: 'expiresInDays', 'data-testid': 'token-expiry', 'aria-describedby': 'token-expiry-error' },
    ...EXPIRY_CHOICES.map((days) => h('option', { value: days, selected: days === DEFAULT_EXPIRY_DAYS }, `${days} days`)));
  const expiryError = h('p', { class: 'field-error', id: 'token-expiry-error', 'data-testid': 'token-expiry-error' });
  const createButton = h('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'token-create' }, icon('key'), 'Create token');
  const form = h('form', { class: 'token-form', 'aria-label': 'Create an API token', 'data-testid': 'token-form', novalidate: true },
    h('div', { class: 'token-field token-field-name' },
      h('label', { class: 'label', for: 'token-name' }, 'Name'),
      nameInput,
      h('p', { class: 'sr-only', id: 'token-name-help' }, 'A name you will recognise in the list, such as the machine or script that uses it.'),
      nameError),
    h('div', { class: 'token-field' },
      h('label', { class: 'label', for: 'token-expiry' }, 'Expires after'),
      h('div', { class: 'select-wrap' }, expiry),
      expiryError),
    h('div', { class: 'token-field token-field-submit' }, createButton));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void actions.createToken(nameInput.value, Number(expiry.value)).then((ok) => {
      if (ok) nameInput.value = '';
    });
  });

  // ---- list ----
  const body = h('tbody', {});
  const table = h('table', { class: 'token-table', 'data-testid': 'token-list', 'aria-labelledby': 'tokens-list-title' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Created'), h('th', { scope: 'col' }, 'Expires'),
      h('th', { scope: 'col' }, 'Last used'), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')))),
    body);
  const empty = h('div', { class: 'empty tokens-empty', 'data-testid': 'tokens-empty' });
  const refresh = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'tokens-refresh', onclick: () => void actions.refreshTokens() }, 'Refresh');
  /** The token whose Revoke waits for a confirmation. */
  let confirming: string | null = null;

  const closeButton = h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'Close API tokens', 'data-testid': 'tokens-close', onclick: () => actions.closeTokens() }, icon('x'));
  const dialog = h('dialog', { class: 'modal tokens-modal', 'aria-labelledby': 'tokens-title', 'aria-describedby': 'tokens-intro', 'data-testid': 'tokens-panel' },
    h('div', { class: 'modal-head' }, h('h2', { id: 'tokens-title' }, icon('key'), 'API tokens'), closeButton),
    h('div', { class: 'modal-body' },
      h('p', { id: 'tokens-intro' },
        'A token lets the Loraworks CLI and your own scripts work as you — upload datasets, start and follow jobs, download LoRAs — without a browser. Scripts send it as ',
        h('code', {}, 'Authorization: Bearer lwk_…'), '. Keep it as secret as a password.'),
      error, created, form,
      h('div', { class: 'token-list-head' }, h('h3', { id: 'tokens-list-title' }, 'Your tokens'), refresh),
      h('div', { class: 'token-table-wrap' }, table), empty));

  const showError = (p: TokenPanelState) => {
    error.hidden = !p.error;
    fill(error, icon('alert'), h('span', {}, p.error ?? ''),
      h('button', { class: 'link-btn', type: 'button', onclick: () => actions.dismissTokensError() }, 'Dismiss'));
    nameError.textContent = p.fieldErrors.name ?? '';
    expiryError.textContent = p.fieldErrors.expiresInDays ?? '';
    nameInput.setAttribute('aria-invalid', String(Boolean(p.fieldErrors.name)));
    nameInput.closest('.token-field')?.classList.toggle('invalid', Boolean(p.fieldErrors.name));
    createButton.disabled = p.creating;
    fill(createButton, icon(p.creating ? 'spinner' : 'key', p.creating ? 'spin' : ''), p.creating ? 'Creating…' : 'Create token');
  };

  const showCreated = (token: CreatedToken | null) => {
    created.hidden = !token;
    if (!token) return created.replaceChildren();
    const line = cliLoginLine(workspaceUrl(), token.token);
    fill(created,
      h('div', { class: 'token-created-head' },
        h('span', { class: 'tip-icon' }, icon('check')),
        h('h3', { id: 'token-created-title' }, `Token “${token.name}” created`)),
      h('p', { class: 'token-once', 'data-testid': 'token-once' }, h('strong', {}, 'Copy it now: it will not be shown again.'),
        ` It expires on ${day(token.expiresAt)}.`),
      secretRow('API token', token.token, 'token-secret', 'token-copy'),
      h('p', { class: 'token-cli-label' }, 'Sign the CLI in with it:'),
      secretRow('CLI sign-in command', line, 'token-cli-line', 'token-cli-copy'),
      h('div', { class: 'token-created-foot' },
        h('button', {
          class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'token-created-done',
          onclick: () => {
            actions.dismissCreatedToken();
            nameInput.focus();
          },
        }, 'Done, I have saved it')));
    // The new secret is what the person came for: Copy is the next thing the keyboard reaches.
    created.querySelector<HTMLButtonElement>('[data-testid="token-copy"]')?.focus();
  };

  const secretRow = (label: string, text: string, testId: string, copyTestId: string) => {
    const status = h('span', { class: 'sr-only', role: 'status' });
    const button = h('button', { class: 'btn btn-sm token-copy', type: 'button', 'data-testid': copyTestId, 'aria-label': `Copy ${label}` }, icon('copy'), 'Copy');
    let reset: ReturnType<typeof setTimeout> | undefined;
    button.addEventListener('click', () => {
      void copyText(dialog, text).then((ok) => {
        fill(button, icon(ok ? 'check' : 'alert'), ok ? 'Copied' : 'Copy failed');
        button.classList.toggle('copied', ok);
        status.textContent = ok ? `${label} copied to the clipboard.` : `The browser did not allow copying. Select the ${label.toLowerCase()} and press Ctrl+C.`;
        clearTimeout(reset);
        reset = setTimeout(() => {
          fill(button, icon('copy'), 'Copy');
          button.classList.remove('copied');
        }, 2500);
      });
    });
    return h('div', { class: 'secret-row' }, h('code', { class: 'secret', 'data-testid': testId, 'aria-label': label }, text), button, status);
  };

  const showList = (p: TokenPanelState) => {
    const now = Date.now();
    const rows: HTMLElement[] = [];
    for (const token of p.tokens) {
      rows.push(tokenRow(token, isExpired(token, now), p.revoking.includes(token.id)));
      if (confirming === token.id) rows.push(confirmRow(token));
    }
    fill(body, ...rows);
    table.hidden = p.tokens.length === 0;
    refresh.hidden = p.phase !== 'ready';
    empty.hidden = p.tokens.length > 0;
    fill(empty, ...(p.phase === 'loading' || p.phase === 'idle'
      ? [h('p', { class: 'muted' }, 'Loading your tokens…')]
      : p.phase === 'error'
        ? [h('span', { class: 'empty-icon' }, icon('alert')), h('h3', {}, 'Your tokens could not be loaded'),
          h('button', { class: 'btn btn-sm', type: 'button', onclick: () => void actions.refreshTokens() }, 'Try again')]
        : [h('span', { class: 'empty-icon' }, icon('key')), h('h3', {}, 'No API tokens yet'),
          h('p', { class: 'muted' }, 'Tokens are for the Loraworks CLI and your scripts: create one above, paste it into ',
            h('code', {}, 'npx loraworks login'), ', and revoke it here when the machine or script no longer needs it.')]));
  };

  const tokenRow = (token: ApiToken, expired: boolean, revoking: boolean) => {
    const revoke = h('button', {
      class: 'btn btn-ghost btn-sm btn-danger', type: 'button', 'data-testid': 'token-revoke', 'aria-label': `Revoke ${token.name}`,
      disabled: revoking || confirming === token.id, 'aria-expanded': String(confirming === token.id),
    }, icon('ban'), revoking ? 'Revoking…' : 'Revoke');
    revoke.addEventListener('click', () => {
      confirming = token.id;
      showList(store.get().tokenPanel);
      body.querySelector<HTMLButtonElement>('[data-testid="token-revoke-cancel"]')?.focus();
    });
    return h('tr', { class: `token-row${expired ? ' token-expired' : ''}`, 'data-testid': 'token-row', 'data-token-id': token.id, 'data-expired': String(expired) },
      h('th', { scope: 'row', class: 'token-name', 'data-testid': 'token-row-name' }, token.name),
      h('td', { 'data-testid': 'token-row-created', title: moment(token.createdAt) }, day(token.createdAt)),
      h('td', { title: moment(token.expiresAt) }, h('span', { class: 'token-expires', 'data-testid': 'token-row-expires' },
        expired ? h('span', { class: 'badge badge-failed', 'data-testid': 'token-row-expired' }, icon('clock'), 'Expired') : null,
        day(token.expiresAt))),
      h('td', { 'data-testid': 'token-row-last-used', title: token.lastUsedAt ? moment(token.lastUsedAt) : 'Not used yet' },
        token.lastUsedAt ? relativeTime(token.lastUsedAt) : h('span', { class: 'muted' }, 'never')),
      h('td', { class: 'token-actions' }, revoke));
  };

  const confirmRow = (token: ApiToken) => {
    const cancel = () => {
      confirming = null;
      showList(store.get().tokenPanel);
      body.querySelector<HTMLButtonElement>(`[data-token-id="${CSS.escape(token.id)}"] [data-testid="token-revoke"]`)?.focus();
    };
    const confirm = () => {
      confirming = null;
      const rows = [...body.querySelectorAll<HTMLElement>('[data-testid="token-row"]')];
      const next = rows[rows.findIndex((r) => r.dataset.tokenId === token.id) + 1] ?? rows[rows.findIndex((r) => r.dataset.tokenId === token.id) - 1];
      void actions.revokeToken(token).then(() => {
        const target = next && body.querySelector<HTMLButtonElement>(`[data-token-id="${CSS.escape(next.dataset.tokenId ?? '')}"] [data-testid="token-revoke"]`);
        (target ?? nameInput).focus();
      });
    };
    return h('tr', { class: 'token-confirm', 'data-testid': 'token-confirm' },
      h('td', { colspan: 5 },
        h('div', { class: 'token-confirm-box', role: 'group', 'aria-label': `Confirm revoking ${token.name}` },
          icon('alert'),
          h('span', {}, h('strong', {}, `Revoke “${token.name}”? `), 'The CLI and any script using it are refused from now on. This cannot be undone.'),
          h('button', { class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'token-revoke-cancel', onclick: cancel }, 'Cancel'),
          h('button', { class: 'btn btn-sm btn-danger-solid', type: 'button', 'data-testid': 'token-revoke-confirm', onclick: confirm }, 'Revoke token'))));
  };

  // ---- open and close ----
  let opener: HTMLElement | null = null;
  const sync = (p: TokenPanelState) => {
    if (p.open && !dialog.open) {
      opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      confirming = null;
      dialog.showModal();
      nameInput.focus();
    } else if (!p.open && dialog.open) {
      dialog.close();
    }
  };
  // Escape closes a modal dialog by itself; the store follows, and focus goes back to the header button.
  dialog.addEventListener('close', () => {
    if (store.get().tokenPanel.open) actions.closeTokens();
    opener?.focus();
    opener = null;
  });

  const update = (p: TokenPanelState, previous: TokenPanelState | null) => {
    if (!previous || p.error !== previous.error || p.fieldErrors !== previous.fieldErrors || p.creating !== previous.creating) showError(p);
    if (!previous || p.created !== previous.created) showCreated(p.created);
    if (!previous || p.tokens !== previous.tokens || p.phase !== previous.phase || p.revoking !== previous.revoking) {
      if (confirming && !p.tokens.some((t) => t.id === confirming)) confirming = null;
      showList(p);
    }
    if (!previous || p.open !== previous.open) sync(p);
  };
  update(store.get().tokenPanel, null);
  store.subscribe((s, prev) => s.tokenPanel !== prev.tokenPanel && update(s.tokenPanel, prev.tokenPanel));
  return dialog;
}

/** The Clipboard API where the browser allows it; else the old copy command on a selected, hidden text area. */
async function copyText(within: HTMLElement, text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // A modal dialog makes the rest of the page inert, so the text area goes inside it.
    const area = h('textarea', { class: 'copy-buffer', readonly: true, 'aria-hidden': 'true', tabindex: -1 });
    area.value = text;
    within.append(area);
    area.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    } finally {
      area.remove();
    }
  }
}
