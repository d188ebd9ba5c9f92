// The local OpenID provider's pages: the "Sign in as" step of authorize and the refusal a person sees, styled
// like the workspace. Plain HTML strings: the provider serves nothing else a template engine would be worth.
import type { ServerResponse } from 'node:http';

export function page(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-frame-options': 'DENY' });
  res.end(html);
}

export const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The authorize step: any user name signs in (a new one signs up); the request's parameters ride along. */
export function signInPage(params: URLSearchParams, users: string[], error?: string, typed = ''): string {
  const carried = [...params].filter(([key]) => key !== 'username' && key !== 'pick')
    .map(([key, value]) => `<input type="hidden" name="${escape(key)}" value="${escape(value)}">`).join('');
  const known = users.slice(-6).reverse()
    .map((user) => `<button class="user" type="submit" name="pick" value="${escape(user)}" formnovalidate>${escape(user)}</button>`).join('');
  return layout('Sign in · Loraworks (local)', `
    <h1>Sign in as</h1>
    <p class="muted">The local cloud's OpenID provider, standing in for Cognito's managed login. Any user name works; a new name signs up.</p>
    <form method="post" class="form">${carried}
      <label for="username">User name</label>
      <input id="username" name="username" data-testid="provider-user" autocomplete="username" required maxlength="40"
        pattern="[A-Za-z0-9_.\\-]{1,40}" placeholder="e.g. alice" value="${escape(typed)}" autofocus>
      <p class="error" role="alert" data-testid="provider-error">${error ? escape(error) : ''}</p>
      <button class="primary" type="submit" data-testid="provider-continue">Continue</button>
      ${known ? `<p class="muted small">Signed up here before</p><div class="users">${known}</div>` : ''}
    </form>`);
}

export function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title><style>
  :root { color-scheme: dark; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #0b0e14; color: #e7eaf3;
    font: 14px/1.5 'Inter', ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; }
  main { width: min(400px, calc(100vw - 32px)); background: #121722; border: 1px solid #232b3b; border-radius: 12px; padding: 28px;
    box-shadow: 0 8px 24px rgba(0, 0, 0, 0.25); }
  .brand { display: flex; align-items: center; gap: 10px; font-weight: 650; font-size: 15px; margin-bottom: 18px; }
  .mark { width: 28px; height: 28px; border-radius: 8px; background: linear-gradient(135deg, #8a97ff, #5865f2); color: #fff; display: grid; place-items: center; }
  .tag { margin-left: auto; font-size: 11px; font-weight: 500; color: #8089a0; border: 1px solid #2f3950; border-radius: 999px; padding: 1px 8px; }
  h1 { font-size: 20px; margin: 0 0 6px; }
  .muted { color: #8089a0; margin: 0 0 18px; } .small { font-size: 12px; margin: 18px 0 8px; }
  label { display: block; font-weight: 550; margin-bottom: 6px; color: #b7bfd1; }
  input { box-sizing: border-box; width: 100%; padding: 9px 12px; border-radius: 8px; border: 1px solid #2f3950; background: #0b0e14; color: inherit; font: inherit; }
  input:focus { outline: 2px solid #7c8cff; outline-offset: 1px; }
  .error { color: #f26d6d; min-height: 1.5em; margin: 6px 0; }
  button { font: inherit; cursor: pointer; border-radius: 8px; }
  .primary { width: 100%; padding: 10px; border: 0; background: #6273ff; color: white; font-weight: 600; }
  .primary:hover { background: #7c8cff; }
  .users { display: flex; flex-wrap: wrap; gap: 6px; }
  .user { padding: 4px 10px; border: 1px solid #2f3950; background: #171d2a; color: #e7eaf3; }
</style></head><body><main>
  <div class="brand"><span class="mark"><svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="m12 2 10 5-10 5L2 7l10-5Z"/><path d="m2 17 10 5 10-5"/><path d="m2 12 10 5 10-5"/></svg></span>Loraworks<span class="tag">local sign-in</span></div>
  ${body}
</main></body></html>`;
}
