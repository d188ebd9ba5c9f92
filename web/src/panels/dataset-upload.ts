import type { DatasetVersion, Trainer, ValidationReport } from '#domain/schemas';
import { h, icon, fill } from '#web/dom';
import type { Actions } from '#web/actions';
import { pickSummary } from '#web/editor-rules';
import { formatBytes, plural } from '#web/format';
import { type Store, selectedTrainer } from '#web/state';
import { formatLimit, MAX_UPLOAD_BYTES } from '#domain/upload-limit';

const STATUS_TEXT: Record<DatasetVersion['status'], string> = {
  UPLOADING: 'Uploading',
  VALIDATING: 'Validating',
  READY: 'Ready',
  INVALID: 'Invalid',
};

/** The training data section: the dataset select, the dropzone, a pick waiting for review (`review` opens it in the
 * editor), the upload's progress and the version's validation report. */
export function datasetUploadPanel(store: Store, actions: Actions, review: (files: File[]) => void): HTMLElement {
  const datasetSelect = h('select', {
    id: 'dataset-select', 'data-testid': 'dataset-select',
    onchange: () => void actions.chooseDataset(datasetSelect.value || null),
  });
  const fileInput = h('input', {
    type: 'file', id: 'dataset-file', 'data-testid': 'dataset-file', multiple: true, class: 'sr-only',
    accept: '.zip,application/zip,application/x-zip-compressed,.jpg,.jpeg,.png,.webp,.mp4,.mov,.webm,.txt',
    onchange: () => {
      const files = [...(fileInput.files ?? [])];
      if (files.length) void actions.pickFiles(files);
      fileInput.value = '';
    },
  });
  const rules = h('span', { class: 'dropzone-sub' });
  const dropzone = h('label', { for: 'dataset-file', class: 'dropzone', 'data-testid': 'dropzone' },
    h('span', { class: 'dropzone-icon' }, icon('upload')),
    h('span', { class: 'dropzone-title' }, h('strong', {}, 'Drop a .zip or your images and captions'), ' or ', h('span', { class: 'link' }, 'browse')),
    rules);
  for (const type of ['dragenter', 'dragover']) {
    dropzone.addEventListener(type, (event) => {
      event.preventDefault();
      dropzone.classList.add('dragging');
    });
  }
  for (const type of ['dragleave', 'drop']) dropzone.addEventListener(type, () => dropzone.classList.remove('dragging'));
  dropzone.addEventListener('drop', (event) => {
    event.preventDefault();
    const files = [...((event as DragEvent).dataTransfer?.files ?? [])];
    if (files.length) void actions.pickFiles(files);
  });

  const status = h('div', { class: 'upload-status', 'aria-live': 'polite' });
  const el = h('section', { class: 'side-section', 'aria-labelledby': 'data-heading' },
    h('div', { class: 'section-head' },
      h('h2', { id: 'data-heading' }, h('span', { class: 'step-no' }, '2'), 'Training data'),
      h('button', { class: 'link-btn', type: 'button', 'data-testid': 'open-guide', onclick: () => actions.setGuideOpen(true) }, icon('book'), 'Dataset guide')),
    h('label', { for: 'dataset-select', class: 'label' }, 'Dataset'),
    h('div', { class: 'select-wrap' }, datasetSelect),
    fileInput, dropzone, status);

  let shownDatasets: unknown = null;
  const update = () => {
    const s = store.get();
    if (s.datasets !== shownDatasets || datasetSelect.value !== (s.dataset?.id ?? '')) {
      shownDatasets = s.datasets;
      datasetSelect.replaceChildren(
        h('option', { value: '' }, 'New dataset from upload'),
        ...s.datasets.map((d) => h('option', { value: d.id }, `${d.name}${d.latestVersion ? ` · v${d.latestVersion}` : ''}`)),
      );
      if (s.dataset && !s.datasets.some((d) => d.id === s.dataset!.id)) datasetSelect.append(h('option', { value: s.dataset.id }, s.dataset.name));
      datasetSelect.value = s.dataset?.id ?? '';
    }
    datasetSelect.disabled = s.upload.phase === 'uploading';
    const trainer = selectedTrainer(s);
    rules.textContent = trainer
      ? `${trainer.dataset.formats.join(', ').toUpperCase()} · ${trainer.dataset.minImages}${trainer.dataset.maxImages ? `–${trainer.dataset.maxImages}` : '+'} ${trainer.kind === 'video' ? 'files' : 'images'} · captions ${trainer.dataset.captions} · max ${formatLimit(MAX_UPLOAD_BYTES)}`
      : `Images with matching .txt captions · max ${formatLimit(MAX_UPLOAD_BYTES)}`;
    dropzone.classList.toggle('disabled', s.upload.phase === 'uploading');
    fill(status, pickView(s, actions, review), ...statusView(s, actions));
  };
  update();
  store.subscribe((s, prev) => {
    if (s.upload !== prev.upload || s.picked !== prev.picked || s.dataset !== prev.dataset || s.datasets !== prev.datasets || s.trainerId !== prev.trainerId) update();
  });
  return el;
}

/** Loose files picked: a small card to review their captions first, upload them as they are, or drop them. */
function pickView(s: ReturnType<Store['get']>, actions: Actions, review: (files: File[]) => void): HTMLElement | null {
  const picked = s.picked;
  if (!picked) return null;
  const bytes = picked.reduce((sum, f) => sum + f.size, 0);
  const busy = s.upload.phase === 'uploading';
  return h('div', { class: 'file-card pick-card', 'data-testid': 'picked-card' },
    h('span', { class: 'file-icon' }, icon('layers')),
    h('div', { class: 'file-body' },
      h('div', { class: 'file-name', 'data-testid': 'picked-summary' }, pickSummary(picked)),
      h('div', { class: 'file-meta' }, `${formatBytes(bytes)} · for ${s.dataset ? `a new version of ${s.dataset.name}` : 'a new dataset'}`)),
    h('button', { class: 'icon-btn icon-btn-sm', type: 'button', title: 'Drop the pick', 'aria-label': 'Drop the pick', 'data-testid': 'picked-drop', onclick: () => actions.dropPick() }, icon('x')),
    h('div', { class: 'pick-actions' },
      h('button', { class: 'btn btn-sm', type: 'button', 'data-testid': 'picked-review', onclick: () => review(picked) }, icon('tag'), 'Review captions'),
      h('button', { class: 'btn btn-primary btn-sm', type: 'button', 'data-testid': 'picked-upload', disabled: busy, title: busy ? 'Another upload is under way' : null, onclick: () => void actions.uploadPicked() }, icon('upload'), 'Upload')));
}

function statusView(s: ReturnType<Store['get']>, actions: Actions): (HTMLElement | null)[] {
  const { upload, dataset } = s;
  const out: (HTMLElement | null)[] = [];
  if (upload.fileName && (upload.phase !== 'idle' || dataset?.version?.status === 'UPLOADING' || dataset?.version?.fileName === upload.fileName)) {
    const percent = Math.round(upload.fraction * 100);
    out.push(h('div', { class: 'file-card' },
      h('span', { class: 'file-icon' }, icon('file')),
      h('div', { class: 'file-body' },
        h('div', { class: 'file-name', title: upload.fileName }, upload.fileName),
        h('div', { class: 'file-meta' }, formatBytes(upload.sizeBytes ?? 0),
          upload.preview ? ` · ${plural(upload.preview.images, 'image')} · ${plural(upload.preview.captions, 'caption')}${upload.preview.videos ? ` · ${plural(upload.preview.videos, 'video')}` : ''}` : ''),
        upload.phase === 'failed' ? null : h('div', {
          class: `progress ${upload.fraction >= 1 ? 'progress-done' : ''}`, role: 'progressbar', 'data-testid': 'upload-progress',
          'aria-label': 'Upload progress', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': percent,
        }, h('span', { class: 'progress-fill', style: `width:${percent}%` })),
      ),
      h('span', { class: 'file-percent' }, upload.phase === 'uploading' ? `${percent}%` : upload.phase === 'failed' ? '' : icon('check', 'ok')),
      upload.phase === 'uploading'
        ? h('button', { class: 'icon-btn icon-btn-sm', type: 'button', title: 'Cancel upload', 'aria-label': 'Cancel upload', onclick: () => actions.cancelUpload() }, icon('x'))
        : null));
  }
  if (upload.phase === 'failed' && upload.error) {
    out.push(h('div', { class: 'inline-alert', role: 'alert', 'data-testid': 'upload-error' }, icon('alert'), h('span', {}, upload.error)));
  }
  const version = dataset?.version;
  if (dataset && version) {
    out.push(h('div', { class: 'dataset-state' },
      h('div', { class: 'dataset-line' },
        h('span', { class: `badge badge-${version.status.toLowerCase()}`, 'data-testid': 'dataset-status', 'data-status': version.status },
          version.status === 'READY' ? icon('check') : version.status === 'INVALID' ? icon('alert') : icon('spinner', 'spin'),
          STATUS_TEXT[version.status]),
        h('span', { class: 'dataset-name', title: dataset.name }, `${dataset.name} · v${version.version}`)),
      version.status === 'VALIDATING' ? h('p', { class: 'hint' }, 'Checking images, captions and sizes…') : null,
      version.status === 'UPLOADING' && upload.phase !== 'uploading' ? h('p', { class: 'hint' }, 'Waiting for storage to confirm the upload…') : null,
      version.report ? reportView(version.report, s.trainers, selectedTrainer(s)?.id) : null));
  } else if (dataset && !version) {
    out.push(h('p', { class: 'hint' }, `${dataset.name} has no uploaded version yet.`));
  }
  return out;
}

function reportView(report: ValidationReport, trainers: Trainer[], chosenId: string | undefined): HTMLElement {
  const counts: (readonly [string, number])[] = [
    ['Images', report.images], ['Captions', report.captions], ['Pairs', report.pairs],
    ...(report.videos ? [['Videos', report.videos] as const] : []),
    ...(report.editPairs ? [['Edit pairs', report.editPairs] as const] : []),
    ...(report.masks ? [['Masks', report.masks] as const] : []),
  ];
  const size = report.minWidth !== undefined && report.minHeight !== undefined
    ? `${report.minWidth}×${report.minHeight}${report.maxWidth !== undefined ? ` – ${report.maxWidth}×${report.maxHeight}` : ''} px`
    : null;
  const findings = [
    ...report.errors.map((f) => ({ ...f, level: 'error' as const })),
    ...report.warnings.map((f) => ({ ...f, level: 'warning' as const })),
  ];
  const fits = report.fitsTrainers ?? [];
  const named = trainers.filter((t) => fits.includes(t.id));
  const fitLine = report.errors.length ? null : h('p', { class: 'fit-line', 'data-testid': 'dataset-fits' },
    ...(named.length
      ? [h('span', { class: 'muted' }, `Fits ${plural(named.length, 'trainer')}: `), ...named.flatMap((t, i) => [
        i ? ', ' : '', h('span', { class: t.id === chosenId ? 'fit-chosen' : '' }, t.name)])]
      : ['Fits no trainer yet; see the warnings.']));
  const chosenUnfit = chosenId && !report.errors.length && !fits.includes(chosenId)
    ? h('p', { class: 'inline-alert', role: 'alert' }, icon('alert'), h('span', {}, 'This version does not fit the selected trainer; pick one it fits or upload a new version.'))
    : null;
  return h('div', { class: 'report', 'data-testid': 'dataset-report' },
    h('dl', { class: 'stats' }, ...counts.map(([label, value]) => h('div', { class: 'stat' }, h('dt', {}, label), h('dd', {}, value)))),
    size ? h('p', { class: 'hint' }, `Resolution ${size}`) : null,
    report.errors.length ? h('p', { class: 'report-verdict' }, `${plural(report.errors.length, 'problem')} to fix before training${report.warnings.length ? `, ${plural(report.warnings.length, 'warning')}` : ''}:`) : null,
    fitLine, chosenUnfit,
    findings.length
      ? h('ul', { class: 'findings', 'data-testid': 'dataset-findings' },
        ...findings.slice(0, 8).map((f) => h('li', { class: `finding finding-${f.level}` },
          icon(f.level === 'error' ? 'alert' : 'info'),
          h('span', {}, f.message, f.file && !f.message.includes(f.file) ? h('code', {}, f.file) : null, h('code', { class: 'finding-code' }, f.code)))),
        findings.length > 8 ? h('li', { class: 'finding muted' }, `…and ${findings.length - 8} more`) : null)
      : null);
}
