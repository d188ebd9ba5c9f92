// How to use an adapter: its trigger phrase, and ready-to-paste snippets for fal's `loras` input and the
// `<lora:name:1>` prompt syntax (built by the domain's usageSnippets, as the CLI's `adapters show` builds them).
import { usageSnippets } from '#domain/adapter-usage';
import { adapterFiles } from '#domain/lora-registry';
import type { Adapter } from '#domain/schemas';
import { fill, h, icon } from '#web/dom';

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

function snippet(label: string, text: string, testId: string): HTMLElement {
  const status = h('span', { class: 'sr-only', role: 'status' });
  const button = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': `${testId}-copy`, 'aria-label': `Copy ${label}` }, icon('copy'), 'Copy');
  button.addEventListener('click', () => {
    void copy(text).then((ok) => {
      fill(button, icon(ok ? 'check' : 'alert'), ok ? 'Copied' : 'Select and press Ctrl+C');
      status.textContent = ok ? `${label} copied.` : `The browser did not allow copying; select the ${label} and press Ctrl+C.`;
      setTimeout(() => fill(button, icon('copy'), 'Copy'), 2500);
    });
  });
  return h('div', { class: 'usage-snippet' },
    h('div', { class: 'usage-snippet-head' }, h('span', { class: 'field-label' }, label), button, status),
    h('pre', { class: 'usage-code', 'data-testid': testId }, text));
}

/**
 * The usage block of a READY adapter. `links` (the files' download URLs, valid 15 minutes) are asked for when
 * the block opens, so the fal snippet carries a URL fal can fetch.
 */
export function adapterUsage(adapter: Adapter, links: () => Promise<Record<string, string>>): HTMLElement {
  const files = adapterFiles(adapter);
  const body = h('div', { class: 'usage-body' });
  const render = (urls: Record<string, string>, note: string) => {
    const snippets = usageSnippets(files, urls, adapter.triggerPhrase);
    fill(body,
      adapter.triggerPhrase
        ? h('p', { class: 'usage-line' }, 'Put the trigger phrase ', h('code', { 'data-testid': 'usage-trigger' }, adapter.triggerPhrase), ' in your prompts.')
        : h('p', { class: 'usage-line muted' }, 'This LoRA names no trigger phrase: describe the subject as its captions did.'),
      snippet('fal.ai “loras” input', snippets.fal, 'usage-fal'),
      snippet('Prompt syntax (A1111, Forge, ComfyUI)', snippets.prompt, 'usage-prompt'),
      h('p', { class: 'field-help' }, note));
  };
  render({}, 'Getting download links…');
  const details = h('details', { class: 'adapter-usage', 'data-testid': 'adapter-usage' }, h('summary', {}, icon('book'), 'How to use'), body);
  let asked = false;
  details.addEventListener('toggle', () => {
    if (!details.open || asked) return;
    asked = true;
    links().then(
      (urls) => render(urls, 'The download links are valid for 15 minutes; fal fetches the file once per request. Open this again for fresh links.'),
      (error: unknown) => render({}, `Could not get download links (${error instanceof Error ? error.message : String(error)}); the snippets name where they go.`),
    );
  });
  return details;
}
