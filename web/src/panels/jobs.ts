import type { Job, Schedule } from '#domain/schemas';
import { h, icon, fill } from '#web/dom';
import type { Actions } from '#web/actions';
import { fileLines } from '#web/artifact-rules';
import { formatUsd } from '#domain/estimate-line';
import { formatBytes, relativeTime } from '#web/format';
import { JOB_STATUS, progressLine, statusIcon } from '#web/job-status';
import { busyButton, jobFileItem } from './job-files';
import { scheduledBadge } from '#web/schedule-rules';
import type { Store } from '#web/state';

interface Row {
  el: HTMLElement;
  job: Job | null;
  update(job: Job): void;
  tick(): void;
  /** Re-draws the buttons (e.g. after the LoRA was registered). */
  refreshActions(): void;
}

/** Bottom panel: every run, live. Rows are keyed by job id and updated in place so bars animate smoothly. */
export function jobsPanel(store: Store, actions: Actions): HTMLElement {
  const summary = h('span', { class: 'muted jobs-summary', 'data-testid': 'jobs-summary' });
  const list = h('ol', { class: 'job-list', 'data-testid': 'job-list' });
  const empty = h('div', { class: 'empty empty-jobs', 'data-testid': 'jobs-empty' });
  const banner = h('div', { class: 'inline-alert', role: 'alert', hidden: true, 'data-testid': 'jobs-error' });
  const el = h('section', { class: 'card jobs-card', 'aria-labelledby': 'jobs-heading', 'data-testid': 'jobs-panel' },
    h('div', { class: 'card-title-row jobs-head' },
      h('h2', { id: 'jobs-heading' }, 'Training jobs'), summary,
      h('div', { class: 'topbar-spacer' }),
      h('button', { class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'jobs-refresh', onclick: () => void actions.refreshJobs() }, 'Refresh')),
    banner, list, empty);

  const rows = new Map<string, Row>();
  let drawnAdapters = store.get().adapters;
  const registered = (jobId: string) => store.get().adapters.some((a) => a.jobId === jobId);
  const schedules = () => store.get().schedules;
  let drawnSchedules = store.get().schedules;
  let focused: string | null = null;
  const update = () => {
    const s = store.get();
    const trainerName = (id: string) => s.trainers.find((t) => t.id === id)?.name;
    const seen = new Set<string>();
    let previous: Element | null = null;
    for (const job of s.jobs) {
      seen.add(job.id);
      let row = rows.get(job.id);
      if (!row) {
        row = jobRow(actions, trainerName, registered, schedules);
        rows.set(job.id, row);
      }
      if (row.job !== job) row.update(job);
      const expected: Element | null = previous ? previous.nextElementSibling : list.firstElementChild;
      if (expected !== row.el) list.insertBefore(row.el, expected);
      previous = row.el;
    }
    if (drawnSchedules !== s.schedules) {
      drawnSchedules = s.schedules;
      rows.forEach((row) => row.job?.origin === 'schedule' && row.update(row.job));
    }
    if (focused !== s.focusedJobId) {
      focused = s.focusedJobId;
      // A schedule's "Show the job" brings its row into view and marks it.
      rows.forEach((row, id) => {
        if (id === focused) row.el.dataset.focused = 'true';
        else delete row.el.dataset.focused;
      });
      rows.get(focused ?? '')?.el.scrollIntoView({ behavior: 'smooth', block: 'center' });
    }
    if (drawnAdapters !== s.adapters) {
      drawnAdapters = s.adapters;
      rows.forEach((row) => row.refreshActions());
    }
    for (const [id, row] of rows) {
      if (!seen.has(id)) {
        row.el.remove();
        rows.delete(id);
      }
    }
    const active = s.jobs.filter((j) => j.status === 'RUNNING' || j.status === 'QUEUED' || j.status === 'CANCELLING').length;
    const done = s.jobs.filter((j) => j.status === 'COMPLETED').length;
    summary.textContent = s.jobs.length ? `${active} active · ${done} completed · ${s.jobs.length} total` : '';
    empty.hidden = s.jobs.length > 0;
    fill(empty, ...(s.jobsPhase === 'loading'
      ? [h('p', { class: 'muted' }, 'Loading your jobs…')]
      : s.jobsPhase === 'error'
        ? [h('span', { class: 'empty-icon' }, icon('alert')), h('h3', {}, 'Jobs could not be loaded'), h('p', { class: 'muted' }, s.jobsError ?? '')]
        : [h('span', { class: 'empty-icon' }, icon('layers')), h('h3', {}, 'No training jobs yet'),
          h('p', { class: 'muted' }, 'Runs you start appear here with live progress. Completed LoRAs can be downloaded from this list.')]));
    banner.hidden = !s.jobsError || s.jobsPhase === 'error';
    fill(banner, icon('alert'), h('span', {}, s.jobsError ?? ''),
      h('button', { class: 'link-btn', type: 'button', onclick: () => actions.dismissJobsError() }, 'Dismiss'));
  };
  update();
  store.subscribe((s, prev) => {
    if (s.jobs !== prev.jobs || s.jobsPhase !== prev.jobsPhase || s.jobsError !== prev.jobsError || s.trainers !== prev.trainers
      || s.adapters !== prev.adapters || s.schedules !== prev.schedules || s.focusedJobId !== prev.focusedJobId) update();
  });
  // Relative times ("2 minutes ago") and ETAs keep moving between pushes.
  const timer = setInterval(() => {
    if (!el.isConnected) return clearInterval(timer);
    rows.forEach((row) => row.tick());
  }, 15_000);
  return el;
}

function jobRow(actions: Actions, trainerName: (id: string) => string | undefined, registered: (jobId: string) => boolean,
  schedules: () => readonly Schedule[]): Row {
  const badge = h('span', { class: 'badge', 'data-testid': 'job-status' });
  const title = h('div', { class: 'job-title' });
  const meta = h('div', { class: 'job-meta' });
  const origin = h('div', { class: 'job-origin', hidden: true });
  const fillBar = h('span', { class: 'progress-fill' });
  const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-label': 'Training progress', 'aria-valuemin': 0, 'aria-valuemax': 100, 'data-testid': 'job-progress' }, fillBar);
  const progressText = h('div', { class: 'job-progress-text', 'data-testid': 'job-progress-text' });
  const cost = h('div', { class: 'job-estimate', 'data-testid': 'job-estimate', hidden: true });
  const time = h('time', { class: 'job-time', 'data-testid': 'job-created' });
  const buttons = h('div', { class: 'job-actions' });
  const failure = h('div', { class: 'job-failure', 'data-testid': 'job-error', role: 'note' });
  const files = h('ul', { class: 'job-files', 'data-testid': 'job-files', 'aria-label': 'Output files' });
  const el = h('li', { class: 'job-row', 'data-testid': 'job-row' },
    h('div', { class: 'job-status-col' }, badge),
    h('div', { class: 'job-main' }, title, meta, origin, failure),
    h('div', { class: 'job-progress-col' }, bar, progressText, cost),
    time, buttons, files);

  const row: Row = {
    el,
    job: null,
    update(job) {
      const previous = row.job;
      row.job = job;
      const st = JOB_STATUS[job.status];
      el.dataset.status = job.status;
      el.dataset.jobId = job.id;
      el.dataset.origin = job.origin;
      el.className = `job-row tone-${st.tone}`;
      fill(badge, statusIcon(job.status), st.text);
      badge.className = `badge badge-${st.tone}`;
      const name = trainerName(job.trainerId);
      const scheduled = scheduledBadge(job, schedules());
      fill(title, h('button', { class: 'job-model', type: 'button', title: 'Show the job details', onclick: () => void actions.openJob(job.id) }, name ?? job.trainerId),
        job.triggerPhrase && h('span', { class: 'trigger-chip', title: 'Trigger phrase' }, icon('tag'), job.triggerPhrase));
      origin.hidden = !scheduled;
      fill(origin, scheduled && h('span', { class: 'chip chip-schedule', 'data-testid': 'job-origin', title: scheduled }, icon('clock'), scheduled));
      fill(meta, h('code', { class: 'job-model-id' }, job.trainerId), ` · dataset v${job.datasetVersion}`,
        typeof job.params.steps === 'number' ? ` · ${job.params.steps} steps` : '',
        job.artifact ? ` · ${formatBytes(job.artifact.sizeBytes)}` : '');
      cost.hidden = !job.estimate;
      cost.textContent = job.estimate ? `${job.status === 'COMPLETED' ? 'Cost' : 'Estimated'} about ${formatUsd(job.estimate.costUsd)}` : '';
      cost.title = job.estimate
        ? `${job.status === 'COMPLETED' ? 'Estimated from the steps it ran' : 'Estimated when it started'}, not a bill. ${job.estimate.basis}`
        : '';
      const fraction = job.status === 'COMPLETED' ? 1 : Math.max(0, Math.min(1, job.progress.fraction));
      const percent = Math.round(fraction * 1000) / 10;
      fillBar.style.width = `${percent}%`;
      bar.setAttribute('aria-valuenow', String(percent));
      bar.className = `progress progress-${st.tone}${job.status === 'QUEUED' ? ' progress-indeterminate' : ''}`;
      failure.hidden = job.status !== 'FAILED' && !job.completedBeforeCancel;
      failure.textContent = job.status === 'FAILED'
        ? `${job.error?.message ?? 'The training failed.'}${job.error?.code ? ` (${job.error.code})` : ''}`
        : job.completedBeforeCancel ? 'Training finished before the cancel arrived; the LoRA was kept.' : '';
      if (!previous || previous.status !== job.status || previous.artifacts !== job.artifacts) renderFiles(job);
      if (!previous || previous.status !== job.status) renderActions(job);
      row.tick();
    },
    refreshActions() {
      if (row.job) renderActions(row.job);
    },
    tick() {
      const job = row.job;
      if (!job) return;
      time.dateTime = job.createdAt;
      time.title = new Date(job.createdAt).toLocaleString();
      time.textContent = relativeTime(job.createdAt);
      progressText.textContent = progressLine(job);
    },
  };

  /** A completed job's files, each with its role, size and its own download; one LoRA alone needs no list. */
  function renderFiles(job: Job) {
    const lines = fileLines(job);
    files.hidden = lines.length < 2;
    fill(files, ...lines.map((line) => jobFileItem(line, 'job-file', () => actions.downloadArtifact(row.job ?? job, line.name))));
  }

  function renderActions(job: Job) {
    const out: HTMLElement[] = [];
    if (job.status === 'QUEUED' || job.status === 'RUNNING') {
      out.push(busyButton({ class: 'btn btn-ghost btn-sm btn-danger', 'data-testid': 'job-cancel' }, 'stop', 'Cancel', () => actions.cancelJob(row.job ?? job)));
    }
    if (job.status === 'COMPLETED') {
      out.push(busyButton({ class: 'btn btn-sm btn-success', 'data-testid': 'job-download' }, 'download', 'Download', () => actions.downloadJob(row.job ?? job)));
      if (registered(job.id)) {
        out.push(h('span', { class: 'chip chip-ok', 'data-testid': 'job-registered', title: 'Listed under Registered LoRAs' }, icon('check'), 'Registered'));
      } else {
        const name = [job.triggerPhrase, trainerName(job.trainerId) ?? job.trainerId].filter(Boolean).join(' · ');
        out.push(busyButton({ class: 'btn btn-ghost btn-sm', 'data-testid': 'job-register', title: 'Add this LoRA to your registered LoRAs' }, 'tag', 'Register',
          () => actions.registerJob(job, name)));
      }
    }
    out.push(h('button', { class: 'icon-btn icon-btn-sm', type: 'button', 'data-testid': 'job-details-open', title: 'Details: parameters, times, log lines, files', 'aria-label': 'Show the job details', onclick: () => void actions.openJob(job.id) }, icon('info')));
    fill(buttons, ...out);
  }
  return row;
}
