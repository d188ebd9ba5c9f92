// What the jobs list and a job's details both draw: a button that stays disabled while its action runs, and one
// output file's line (role, name, size, its own download).
import type { FileLine } from '#web/artifact-rules';
import { h, icon } from '#web/dom';

/** A button that stays disabled while its action runs, so a double click does it once. */
export function busyButton(attrs: Record<string, string>, iconName: string, text: string, run: () => Promise<void>): HTMLButtonElement {
  const el = h('button', { type: 'button', ...attrs }, icon(iconName), text);
  el.addEventListener('click', async () => {
    el.disabled = true;
    await run();
    el.disabled = false;
  });
  return el;
}

/** One output file with its role, size and download; `testId` names the item (its button adds `-download`). */
export function jobFileItem(line: FileLine, testId: string, download: () => Promise<void>): HTMLLIElement {
  return h('li', { class: 'job-file', 'data-testid': testId, 'data-name': line.name },
    h('span', { class: 'chip job-file-role' }, line.label),
    h('code', { class: 'job-file-name', title: line.name }, line.name),
    h('span', { class: 'muted job-file-size' }, line.size),
    busyButton({ class: 'link-btn job-file-download', 'data-testid': `${testId}-download`, 'aria-label': `Download ${line.name}` }, 'download', 'Download', download));
}
