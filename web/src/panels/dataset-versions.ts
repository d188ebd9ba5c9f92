import type { Adapter, DatasetVersion, Job } from '#domain/schemas';
import type { Actions } from '#web/actions';
import { fill, h, icon } from '#web/dom';
import { formatBytes, plural, relativeTime } from '#web/format';
import type { State, Store } from '#web/state';

const SOURCE: Record<DatasetVersion['source'], string> = { web: 'web upload', cli: 'CLI upload', s3: 'S3 drop' };

/**
 * The chosen dataset's versions, newest first: status, where it came from (an upload, or "from vN" when made from
 * an edit), size, counts, what changed against its parent, and the jobs that trained on it with the adapters they
 * produced. Live: a pushed version appears or changes in place.
 */
export function datasetVersionsPanel(store: Store, actions: Actions, edit: (datasetId: string, datasetName: string, version: number) => void): HTMLElement {
  const title = h('h2', { id: 'versions-heading' }, 'Dataset versions');
  const summary = h('span', { class: 'muted jobs-summary', 'data-testid': 'versions-summary' });
  const list = h('ol', { class: 'version-list', 'data-testid': 'version-list' });
  const el = h('section', { class: 'card versions-card', 'aria-labelledby': 'versions-heading', 'data-testid': 'versions-panel', hidden: true },
    h('div', { class: 'card-title-row jobs-head' }, title, summary), list);

  let shownFor: string | null = null;
  const update = () => {
    const s = store.get();
    const datasetId = s.dataset?.id ?? null;
    if (datasetId !== shownFor) {
      shownFor = datasetId;
      void actions.loadVersions(datasetId);
    }
    el.hidden = !datasetId;
    const versions = s.versions?.datasetId === datasetId ? s.versions : null;
    title.textContent = s.dataset ? `Versions of ${s.dataset.name}` : 'Dataset versions';
    summary.textContent = versions ? plural(versions.list.length, 'version') : 'Loading…';
    fill(list, ...(versions?.list ?? []).map((v) => row(s, v, actions, versions!.diffs[v.version], () => void actions.loadVersionDiff(versions!.datasetId, v), () => edit(versions!.datasetId, s.dataset?.name ?? versions!.datasetId, v.version))));
    // A job's details linked here: its version is marked and brought into view once it is listed.
    const focus = s.focusedVersion?.datasetId === datasetId ? list.querySelector<HTMLElement>(`[data-version="${s.focusedVersion?.version}"]`) : null;
    if (focus) {
      focus.dataset.focused = 'true';
      if (focus.dataset.version !== scrolledTo) focus.scrollIntoView({ behavior: 'smooth', block: 'center' });
      scrolledTo = focus.dataset.version ?? null;
    }
  };
  let scrolledTo: string | null = null;
  update();
  store.subscribe((s, prev) => {
    if (s.focusedVersion !== prev.focusedVersion) scrolledTo = null;
    if (s.dataset?.id !== prev.dataset?.id || s.versions !== prev.versions || s.jobs !== prev.jobs || s.adapters !== prev.adapters
      || s.focusedVersion !== prev.focusedVersion) update();
  });
  return el;
}

function row(s: State, version: DatasetVersion, actions: Actions, diff: string | undefined, loadDiff: () => void, edit: () => void): HTMLElement {
  const report = version.report;
  const counts = report ? [plural(report.images, 'image'), plural(report.captions, 'caption'), ...(report.videos ? [plural(report.videos, 'video')] : [])].join(' · ') : null;
  const jobs = jobsOf(s, version);
  const status = version.status.toLowerCase();
  return h('li', { class: 'version-row', 'data-testid': 'version-row', 'data-version': version.version },
    h('div', { class: 'version-main' },
      h('span', { class: 'version-no' }, `v${version.version}`),
      h('span', { class: `badge badge-${status}`, 'data-status': version.status }, version.status === 'READY' ? icon('check') : version.status === 'INVALID' ? icon('alert') : icon('spinner', 'spin'), status),
      h('span', { class: 'version-origin', 'data-testid': 'version-origin' }, version.derivedFrom ? `from v${version.derivedFrom}` : SOURCE[version.source]),
      h('span', { class: 'muted' }, formatBytes(version.sizeBytes)),
      counts ? h('span', { class: 'muted' }, counts) : null,
      h('span', { class: 'muted version-time', title: version.createdAt }, relativeTime(version.createdAt)),
      version.status === 'READY' ? h('button', { class: 'btn btn-sm version-edit', type: 'button', 'data-testid': 'version-edit', onclick: edit }, 'Edit captions') : null),
    h('div', { class: 'version-change', 'data-testid': 'version-change' }, icon('file'), diff
      ? h('span', {}, diff)
      : version.status === 'READY' || version.status === 'INVALID'
        ? h('button', { class: 'link-btn', type: 'button', 'data-testid': 'version-show-changes', onclick: loadDiff }, 'Show what changed')
        : h('span', {}, 'not validated yet')),
    jobs.length
      ? h('ul', { class: 'version-jobs', 'data-testid': 'version-jobs' }, ...jobs.map(({ job, adapters }) => h('li', {},
        h('span', { class: `badge badge-${job.status.toLowerCase()}` }, job.status.toLowerCase()),
        h('span', {}, ` ${s.trainers.find((t) => t.id === job.trainerId)?.name ?? job.trainerId}`),
        h('button', { class: 'link-btn version-job-open', type: 'button', title: `Details of job ${job.id}`, 'data-testid': 'version-job-open', onclick: () => void actions.openJob(job.id) },
          h('code', {}, job.id.slice(-6))),
        ...adapters.map((a) => h('span', { class: 'version-adapter' }, icon('check'), ` adapter “${a.name}”`)))))
      : h('p', { class: 'muted version-nojobs' }, 'No job has trained on this version yet.'));
}

/** The jobs that trained on a version (its jobIds, and any job in view that names it), with the adapters made from each. */
function jobsOf(s: State, version: DatasetVersion): { job: Job; adapters: Adapter[] }[] {
  const datasetId = s.dataset?.id;
  const ids = new Set(version.jobIds ?? []);
  const jobs = s.jobs.filter((j) => ids.has(j.id) || (j.datasetId === datasetId && j.datasetVersion === version.version));
  return jobs.map((job) => ({ job, adapters: s.adapters.filter((a) => a.jobId === job.id) }));
}
