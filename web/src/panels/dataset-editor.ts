import type { DatasetFileList, Finding } from '#domain/schemas';
import type { Actions } from '#web/actions';
import { fill, h, icon } from '#web/dom';
import {
  additionCaptionFiles, applyBulk, buildChangeSet, bulkLabel, changeCount, currentCaption, editCaption, editableFiles, editsStorageKey, type EditorEdits,
  type EditorFile, fillFromTemplate, findReplace, insertTrigger, liveSelection, mediaKind, pairAdditions, parseStoredEdits, pickedEditorFiles, pickFindings,
  type PickedMedia, pickUpload, selectAll, serializeEdits, setRemoved, toggleSelected,
} from '#web/editor-rules';
import { formatBytes, plural } from '#web/format';
import type { Store } from '#web/state';
import { entryObjectUrl } from '#web/zip-range';

/** What the editor opens: a READY version (read through its manifest and zip), or files picked before their first
 * upload (read from the local Files; Save hands the edited files to the usual upload). */
export type EditorSource =
  | { kind: 'version'; datasetId: string; datasetName: string; version: number }
  | { kind: 'pick'; files: File[] };

export interface DatasetEditor {
  el: HTMLElement;
  open: (source: EditorSource) => void;
}

const EMPTY: EditorEdits = { captions: {}, remove: [] };

/** A file added in this session (not kept over a reload): its thumbnail is an object URL of the local File. */
interface Added { name: string; file: File; caption: string; url: string }

/**
 * The caption editor of one READY version or of a fresh pick: every image as a card (thumbnail read from the zip by
 * byte range, or from the local file; caption editable inline, findings, a select box, a remove toggle), bulk actions
 * on the selection or on all, and Save. A version's Save posts the change set as a new version, and its unsaved edits
 * are kept in localStorage per (dataset, version); a pick's Save uploads the edited files, and its edits live only here.
 */
export function datasetEditorPanel(store: Store, actions: Actions): DatasetEditor {
  const title = h('h2', { id: 'editor-heading' }, 'Edit captions');
  const notice = h('p', { class: 'editor-notice', 'data-testid': 'editor-restored', hidden: true });
  const count = h('span', { class: 'editor-count', 'data-testid': 'editor-count' });
  const error = h('span', { class: 'field-error editor-error', 'data-testid': 'editor-error', role: 'alert' });
  const save = h('button', { class: 'btn btn-primary btn-sm', type: 'button', 'data-testid': 'editor-save' }, icon('check'), 'Save as new version');
  const discard = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'editor-discard' }, 'Discard');
  const close = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'editor-close', 'aria-label': 'Close the editor' }, icon('x'));
  const trigger = h('input', { type: 'text', placeholder: 'trigger phrase', 'data-testid': 'editor-trigger', 'aria-label': 'Trigger phrase' });
  const find = h('input', { type: 'text', placeholder: 'find', 'data-testid': 'editor-find', 'aria-label': 'Find' });
  const replace = h('input', { type: 'text', placeholder: 'replace with', 'data-testid': 'editor-replace', 'aria-label': 'Replace with' });
  const template = h('input', { type: 'text', placeholder: 'template, e.g. a photo of {name}', 'data-testid': 'editor-template', 'aria-label': 'Template for empty captions' });
  const addInput = h('input', {
    type: 'file', multiple: true, class: 'sr-only', id: 'editor-add-input', 'data-testid': 'editor-add-input',
    accept: '.jpg,.jpeg,.png,.webp,.mp4,.mov,.webm,.txt', 'aria-label': 'Add images and their .txt captions',
  });
  const addLabel = h('label', { for: 'editor-add-input', class: 'btn btn-sm', 'data-testid': 'editor-add' }, icon('upload'), 'Add files');
  const grid = h('div', { class: 'editor-grid', 'data-testid': 'editor-grid' });
  const status = h('p', { class: 'muted', 'data-testid': 'editor-status' });
  const bulkButtons: { button: HTMLButtonElement; label: string }[] = [];
  const bulk = (label: string, testid: string, run: () => void) => {
    const button = h('button', { class: 'btn btn-sm', type: 'button', 'data-testid': testid, onclick: run }, label);
    bulkButtons.push({ button, label });
    return button;
  };
  const toolbar = h('div', { class: 'editor-toolbar' },
    h('div', { class: 'editor-tool' }, trigger, bulk('Insert trigger', 'editor-insert-trigger', () => runBulk((c) => insertTrigger(c, trigger.value)))),
    h('div', { class: 'editor-tool' }, find, replace, bulk('Replace all', 'editor-replace-all', () => runBulk((c) => findReplace(c, find.value, replace.value)))),
    h('div', { class: 'editor-tool' }, template, bulk('Fill empty', 'editor-fill-empty', () => runBulk((c, f) => fillFromTemplate(c, template.value, f.name)))));
  const selectedText = h('span', { class: 'editor-selected', 'data-testid': 'editor-selected' });
  const selectAllButton = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'editor-select-all' }, 'Select all');
  const clearButton = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'editor-select-clear' }, 'Clear');
  const removeSelected = h('button', { class: 'btn btn-sm btn-danger', type: 'button', 'data-testid': 'editor-remove-selected' }, icon('x'), 'Remove selected');
  const selectBar = h('div', { class: 'editor-selectbar' }, selectedText, selectAllButton, clearButton, removeSelected,
    h('span', { class: 'editor-spacer' }), h('span', { class: 'muted editor-scope', 'data-testid': 'editor-scope' }));
  const el = h('section', { class: 'card editor-card', 'aria-labelledby': 'editor-heading', 'data-testid': 'dataset-editor', hidden: true },
    h('div', { class: 'card-title-row' }, title, close),
    notice, toolbar, selectBar,
    h('div', { class: 'editor-savebar' }, count, error, h('span', { class: 'editor-spacer' }), addInput, addLabel, discard, save),
    status, grid);

  let source: EditorSource | null = null;
  /** Set while a version is open: which one, for its storage key and its thumbnails. */
  let target: { datasetId: string; version: number } | null = null;
  let list: DatasetFileList | null = null;
  let files: EditorFile[] = [];
  /** A pick's files, paired, and their thumbnails (object URLs, revoked when the editor closes). */
  let picked: PickedMedia<File>[] = [];
  const pickUrls = new Map<string, string>();
  let edits: EditorEdits = EMPTY;
  let selection = new Set<string>();
  let added: Added[] = [];
  let saving = false;
  const cells = new Map<string, { cell: HTMLElement; caption: HTMLTextAreaElement; toggle: HTMLButtonElement; select: HTMLInputElement; findings: HTMLElement }>();
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      observer.unobserve(entry.target);
      loadThumb(entry.target as HTMLImageElement);
    }
  }, { rootMargin: '200px' });

  const storageKey = () => (target ? editsStorageKey(target.datasetId, target.version) : '');
  const persist = () => {
    if (!target || source?.kind !== 'version') return;
    if (changeCount(edits) === 0) localStorage.removeItem(storageKey());
    else localStorage.setItem(storageKey(), serializeEdits(edits, Date.now()));
  };
  const addedNames = () => added.map((a) => a.name);
  const dropAdded = () => {
    for (const a of added) URL.revokeObjectURL(a.url);
    added = [];
  };
  const pick = () => source?.kind === 'pick';
  const saveLabel = () => (!pick() ? 'Save as new version' : store.get().dataset ? 'Upload as new version' : 'Upload as new dataset');
  const refreshBar = () => {
    const n = changeCount(edits, addedNames());
    const kept = files.filter((f) => !edits.remove.includes(f.name)).length;
    const changed = n ? `${plural(n, 'image')} changed` : 'No changes';
    count.textContent = pick() ? `${plural(kept, 'image')} to upload · ${changed.toLowerCase()}` : changed;
    save.disabled = (pick() ? kept === 0 : n === 0) || saving;
    discard.disabled = n === 0 || saving;
    save.replaceChildren(saving ? icon('spinner', 'spin') : icon(pick() ? 'upload' : 'check'), saving ? 'Saving…' : saveLabel());
    addLabel.classList.toggle('disabled', saving);
    addLabel.hidden = pick();
    addInput.disabled = saving || pick();
    const chosen = selection.size;
    selectedText.textContent = `${chosen} selected`;
    selectAllButton.disabled = chosen === selectAll(files, edits).size;
    clearButton.disabled = chosen === 0;
    removeSelected.disabled = chosen === 0;
    (selectBar.lastElementChild as HTMLElement).textContent = chosen ? 'Bulk actions apply to the selected images' : 'Bulk actions apply to every image';
    for (const { button, label } of bulkButtons) button.textContent = bulkLabel(label, chosen);
  };
  const setEdits = (next: EditorEdits, redraw = true) => {
    edits = next;
    selection = liveSelection(selection, files, edits);
    persist();
    error.textContent = '';
    if (pick()) syncFindings();
    if (redraw) for (const file of files) syncCell(file);
    refreshBar();
  };
  const setSelection = (next: Set<string>) => {
    selection = next;
    for (const file of files) syncCell(file);
    refreshBar();
  };
  const runBulk = (rule: (caption: string, file: EditorFile) => string) => setEdits(applyBulk(files, edits, selection, rule));
  selectAllButton.addEventListener('click', () => setSelection(selectAll(files, edits)));
  clearButton.addEventListener('click', () => setSelection(new Set()));
  removeSelected.addEventListener('click', () => setEdits(setRemoved(edits, selection)));

  /** A pick's findings follow its edits: they are what the validator will say of the upload. */
  const syncFindings = () => {
    const byName = pickFindings(picked, edits);
    for (const file of files) {
      file.findings = byName.get(file.name) ?? [];
      const parts = cells.get(file.name);
      if (parts) fill(parts.findings, ...findingBadges(file.findings));
    }
  };

  const syncCell = (file: EditorFile) => {
    const parts = cells.get(file.name);
    if (!parts) return;
    const removed = edits.remove.includes(file.name);
    const text = currentCaption(file, edits);
    if (parts.caption.value !== text) parts.caption.value = text;
    parts.caption.disabled = removed;
    parts.cell.classList.toggle('removed', removed);
    parts.cell.classList.toggle('edited', file.name in edits.captions && !removed);
    parts.toggle.replaceChildren(removed ? 'Restore' : 'Remove');
    parts.toggle.setAttribute('aria-pressed', String(removed));
    parts.select.checked = selection.has(file.name);
    parts.select.disabled = removed;
    parts.cell.classList.toggle('selected', parts.select.checked);
  };

  const loadThumb = (img: HTMLImageElement) => {
    const local = pickUrls.get(img.dataset.name ?? '');
    if (local) return void (img.src = local);
    const file = list?.files.find((f) => f.name === img.dataset.name);
    if (!file || !list?.url || !target) return img.closest('.editor-thumb')?.classList.add('failed');
    entryObjectUrl(`${target.datasetId}/v${target.version}`, list.url, file.name, file.zip)
      .then((src) => { img.src = src; })
      .catch(() => img.closest('.editor-thumb')?.classList.add('failed'));
  };

  const cell = (file: EditorFile): HTMLElement => {
    const img = h('img', { alt: file.name, loading: 'lazy', 'data-name': file.name, 'data-testid': 'editor-thumb' });
    const dims = () => (file.width && file.height ? `${file.width}×${file.height}` : null);
    const meta = h('span', { class: 'muted', 'data-testid': 'editor-size' }, [formatBytes(file.sizeBytes), dims()].filter(Boolean).join(' · '));
    img.onerror = () => img.closest('.editor-thumb')?.classList.add('failed');
    img.onload = () => {
      img.closest('.editor-thumb')?.classList.add('loaded');
      // A picked file's dimensions are known once the browser has decoded it.
      if (!file.width && img.naturalWidth) {
        file.width = img.naturalWidth;
        file.height = img.naturalHeight;
        meta.textContent = [formatBytes(file.sizeBytes), dims()].join(' · ');
      }
    };
    const select = h('input', { type: 'checkbox', class: 'editor-select', 'data-testid': 'editor-select', 'aria-label': `Select ${file.name}` });
    select.addEventListener('change', () => setSelection(toggleSelected(selection, file.name, select.checked)));
    const caption = h('textarea', { rows: 3, class: 'editor-caption', 'data-testid': 'editor-caption', 'aria-label': `Caption of ${file.name}`, placeholder: 'No caption' });
    caption.addEventListener('input', () => setEdits(editCaption(edits, file, caption.value), false));
    caption.addEventListener('input', () => syncCell(file));
    const toggle = h('button', { class: 'btn btn-ghost btn-sm editor-remove', type: 'button', 'data-testid': 'editor-remove' }, 'Remove');
    toggle.addEventListener('click', () => setEdits(setRemoved(edits, [file.name], !edits.remove.includes(file.name))));
    const findings = h('div', { class: 'editor-findings', 'data-testid': 'editor-findings' }, ...findingBadges(file.findings));
    const el = h('article', { class: 'editor-cell', 'data-testid': 'editor-cell', 'data-name': file.name },
      h('div', { class: 'editor-thumb' }, img, h('label', { class: 'editor-select-box' }, select),
        h('span', { class: 'editor-thumb-fallback' }, icon('file'), file.kind === 'video' ? 'video' : 'no preview')),
      h('div', { class: 'editor-meta' },
        h('span', { class: 'editor-name', title: file.name }, file.name),
        meta),
      findings, caption, toggle);
    cells.set(file.name, { cell: el, caption, toggle, select, findings });
    if (file.kind === 'image') observer.observe(img);
    else el.querySelector('.editor-thumb')?.classList.add('failed');
    return el;
  };

  const addedCell = (a: Added): HTMLElement => {
    const img = h('img', { alt: a.name, src: a.url, 'data-testid': 'editor-thumb' });
    img.onerror = () => img.closest('.editor-thumb')?.classList.add('failed');
    img.onload = () => img.closest('.editor-thumb')?.classList.add('loaded');
    const caption = h('textarea', { rows: 3, class: 'editor-caption', 'data-testid': 'editor-caption', 'aria-label': `Caption of ${a.name}`, placeholder: 'No caption' });
    caption.value = a.caption;
    caption.addEventListener('input', () => { a.caption = caption.value; });
    const drop = h('button', { class: 'btn btn-ghost btn-sm editor-remove', type: 'button', 'data-testid': 'editor-remove' }, 'Remove');
    drop.addEventListener('click', () => {
      URL.revokeObjectURL(a.url);
      added = added.filter((x) => x !== a);
      render();
    });
    const replaces = files.some((f) => f.name === a.name);
    const video = !/\.(jpe?g|png|webp)$/i.test(a.name);
    return h('article', { class: 'editor-cell added', 'data-testid': 'editor-cell', 'data-name': a.name, 'data-added': 'true' },
      h('div', { class: `editor-thumb${video ? ' failed' : ''}` }, video ? null : img, h('span', { class: 'editor-thumb-fallback' }, icon('file'), 'video')),
      h('div', { class: 'editor-meta' },
        h('span', { class: 'editor-name', title: a.name }, a.name),
        h('span', { class: 'muted' }, formatBytes(a.file.size))),
      h('div', { class: 'editor-findings' }, h('span', { class: 'badge badge-new', 'data-testid': 'editor-new', title: replaces ? `Replaces ${a.name} of this version` : 'Added in this edit' }, replaces ? 'new · replaces' : 'new')),
      caption, drop);
  };

  const render = () => {
    cells.clear();
    observer.disconnect();
    const replaced = new Set(addedNames());
    fill(grid, ...added.map(addedCell), ...files.filter((f) => !replaced.has(f.name)).map(cell));
    for (const file of files) syncCell(file);
    refreshBar();
  };

  const dropPicked = () => {
    for (const url of pickUrls.values()) URL.revokeObjectURL(url);
    pickUrls.clear();
    picked = [];
  };

  const hide = () => {
    el.hidden = true;
    source = null;
    target = null;
    observer.disconnect();
    dropPicked();
    fill(grid);
  };

  const reset = (next: EditorSource, heading: string) => {
    source = next;
    target = null;
    list = null;
    files = [];
    edits = EMPTY;
    selection = new Set();
    saving = false;
    el.hidden = false;
    title.textContent = heading;
    error.textContent = '';
    notice.hidden = true;
    trigger.value = store.get().triggerPhrase;
    dropAdded();
    dropPicked();
    fill(grid);
  };

  const open = (next: EditorSource) => {
    if (next.kind === 'pick') return void openPick(next);
    reset(next, `Edit captions · ${next.datasetName} v${next.version}`);
    const { datasetId, version } = next;
    target = { datasetId, version };
    status.hidden = false;
    status.textContent = 'Loading the files…';
    refreshBar();
    el.scrollIntoView({ block: 'start', behavior: 'smooth' });
    const asked = target;
    actions.datasetFiles(datasetId, version).then((answer) => {
      if (target !== asked) return;
      list = answer;
      files = editableFiles(answer.files);
      const stored = parseStoredEdits(localStorage.getItem(storageKey()));
      if (stored) {
        edits = { captions: stored.captions, remove: stored.remove };
        notice.hidden = false;
        fill(notice, icon('info'), 'Unsaved edits restored — Save or Discard. Added files are not kept over a reload: added files must be added again.');
      }
      status.hidden = files.length > 0;
      status.textContent = 'This version has no images.';
      render();
    }).catch((e: unknown) => {
      if (target === asked) status.textContent = `The files could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
    });
  };

  /** A fresh pick: captions read from the picked .txt files, findings as the validator will say them. */
  const openPick = (next: Extract<EditorSource, { kind: 'pick' }>) => {
    reset(next, `Review captions · ${plural(next.files.length, 'picked file')}`);
    const { media, skipped } = pairAdditions(next.files);
    status.hidden = false;
    status.textContent = 'Reading the captions…';
    refreshBar();
    el.scrollIntoView({ block: 'start', behavior: 'smooth' });
    void Promise.all(media.map(async (m) => ({ ...m, ...(m.caption ? { captionText: (await m.caption.text()).trim() } : {}) }))).then((read) => {
      if (source !== next) return;
      picked = read;
      for (const m of read) if (mediaKind(m.file.name) === 'image') pickUrls.set(m.file.name, URL.createObjectURL(m.file));
      files = pickedEditorFiles(read);
      notice.hidden = false;
      fill(notice, icon('info'), 'Edits of a fresh pick are not kept over a reload: upload to keep them.',
        skipped.length ? ` Left out (not an image, or a caption without its image): ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? '…' : ''}.` : '');
      status.hidden = files.length > 0;
      status.textContent = 'The pick holds no images.';
      render();
      syncFindings();
    });
  };

  close.addEventListener('click', () => { dropAdded(); hide(); });
  discard.addEventListener('click', () => {
    notice.hidden = !pick();
    dropAdded();
    setEdits(EMPTY);
    render();
  });
  addInput.addEventListener('change', () => {
    const picked = [...(addInput.files ?? [])];
    addInput.value = '';
    if (!picked.length || !target) return;
    const { media, skipped } = pairAdditions(picked);
    error.textContent = skipped.length ? `Left out (not an image, or a caption without its image): ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? '…' : ''}` : '';
    void Promise.all(media.map(async (m) => ({ name: m.file.name, file: m.file, caption: m.caption ? (await m.caption.text()).trim() : '', url: URL.createObjectURL(m.file) })))
      .then((fresh) => {
        const names = new Set(fresh.map((a) => a.name));
        for (const a of added) if (names.has(a.name)) URL.revokeObjectURL(a.url);
        added = [...fresh, ...added.filter((a) => !names.has(a.name))];
        status.hidden = true;
        render();
      });
  });
  save.addEventListener('click', () => {
    if (pick() && !saving) {
      const { keep, write } = pickUpload(picked, edits);
      const upload = [...keep, ...write.map((c) => new File([c.text], c.name, { type: 'text/plain' }))];
      hide();
      void actions.uploadPicked(upload);
      return;
    }
    if (!target || saving) return;
    const asked = target;
    saving = true;
    error.textContent = '';
    refreshBar();
    const additions = added.map((a) => a.file);
    const captionFiles = additionCaptionFiles(added).map((c) => new File([c.text], c.name, { type: 'text/plain' }));
    actions.saveDatasetEdit(asked.datasetId, buildChangeSet(asked.version, files, edits, addedNames()), [...additions, ...captionFiles], () => undefined).then(() => {
      saving = false;
      if (target !== asked) return;
      localStorage.removeItem(storageKey());
      dropAdded();
      hide();
    }).catch((e: unknown) => {
      saving = false;
      error.textContent = `Not saved: ${e instanceof Error ? e.message : String(e)}`;
      refreshBar();
    });
  });
  // A pick dropped, replaced or uploaded from the upload section closes its review; the save label follows the dataset.
  store.subscribe((s, prev) => {
    if (source?.kind === 'pick' && s.picked !== source.files && !saving) hide();
    else if (s.dataset !== prev.dataset && source) refreshBar();
  });
  return { el, open };
}

function findingBadges(findings: readonly Finding[]): HTMLElement[] {
  return findings.map((f) => h('span', { class: 'badge badge-cancelling', title: f.message, 'data-testid': 'editor-finding' }, icon('alert'), f.code));
}
