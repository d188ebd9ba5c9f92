import { failureAction } from '#domain/job-failures';
import { estimateLine } from '#domain/estimate-line';
import type { Job } from '#domain/schemas';
import type { Actions } from '#web/actions';
import { fileLines } from '#web/artifact-rules';
import { type Child, fill, h, icon } from '#web/dom';
import { chartGeometry, newerReadyVersion, originText, paramRows, timeRows } from '#web/job-details-rules';
import { JOB_STATUS, progressLine, statusIcon } from '#web/job-status';
import { jobFileItem } from './job-files';
import type { State, Store } from '#web/state';

const MOMENT = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' });
const CHART_W = 560;
const CHART_H = 96;
const SVG = 'http://www.w3.org/2000/svg';

const shownJob = (s: State): Job | null => (s.jobDetails ? s.jobs.find((j) => j.id === s.jobDetails!.jobId) ?? s.jobDetails.job : null);

/**
 * A job's details, a modal dialog opened from its row in the jobs list: what it ran with (trainer, dataset version,
 * trigger phrase, every parameter), where it came from, its times, progress and queue position over time, the
 * trainer's last log lines, how it failed and what to do, its files, and "Train again". It follows the job's pushes.
 */
export function jobDetailsPanel(store: Store, actions: Actions): HTMLDialogElement {
  const title = h('h2', { id: 'job-details-title' });
  const body = h('div', { class: 'modal-body job-details-body' });
  const foot = h('div', { class: 'modal-foot job-details-foot' });
  const dialog = h('dialog', { class: 'modal job-modal', 'aria-labelledby': 'job-details-title', 'data-testid': 'job-details' },
    h('div', { class: 'modal-head' }, title,
      h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'Close the job details', 'data-testid': 'job-details-close', onclick: () => actions.closeJob() }, icon('x'))),
    body, foot);

  const render = (s: State) => {
    const details = s.jobDetails;
    const job = shownJob(s);
    if (!details) return;
    if (!job) {
      fill(title, icon('layers'), 'Job details');
      fill(body, details.error
        ? h('div', { class: 'inline-alert', role: 'alert', 'data-testid': 'job-details-load-error' }, icon('alert'), h('span', {}, details.error))
        : h('p', { class: 'muted' }, 'Loading the job…'));
      fill(foot);
      return;
    }
    // A reader scrolled up in the log keeps their place; one at its end follows the new lines.
    const before = body.querySelector('.job-details-logs');
    const followLog = !before || before.scrollTop + before.clientHeight >= before.scrollHeight - 4;
    const logTop = before?.scrollTop ?? 0;
    const st = JOB_STATUS[job.status];
    const trainer = s.trainers.find((t) => t.id === job.trainerId);
    fill(title, h('span', { class: `badge badge-${st.tone}`, 'data-testid': 'job-details-status' },
      statusIcon(job.status), st.text), trainer?.name ?? job.trainerId);
    fill(body,
      h('p', { class: 'job-details-summary', 'data-testid': 'job-details-summary' }, progressLine(job)),
      estimateView(job),
      failureView(job),
      requestView(s, job, actions),
      section('Parameters', paramsView(s, job)),
      section('Times', timesView(job)),
      section('Progress over time', chartView(job)),
      section('Output files', filesView(job, actions)),
      section('Trainer log', logsView(s)));
    const logs = body.querySelector('.job-details-logs');
    logs?.scrollTo({ top: followLog ? logs.scrollHeight : logTop });
    const latest = newerReadyVersion(details.versions ?? [], job);
    fill(foot,
      latest !== null && h('button', { class: 'btn', type: 'button', 'data-testid': 'job-train-again-latest', onclick: () => void actions.trainAgain(job, latest) },
        icon('sparkle'), `Train again on v${latest} (latest)`),
      h('button', { class: 'btn btn-primary', type: 'button', 'data-testid': 'job-train-again', onclick: () => void actions.trainAgain(job, job.datasetVersion) },
        icon('play'), `Train again on v${job.datasetVersion}`));
  };

  let opener: HTMLElement | null = null;
  const sync = (s: State) => {
    if (s.jobDetails && !dialog.open) {
      opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
    } else if (!s.jobDetails && dialog.open) {
      dialog.close();
    }
  };
  // Escape closes a modal dialog by itself; the store follows, and focus goes back to the row's button.
  dialog.addEventListener('close', () => {
    if (store.get().jobDetails) actions.closeJob();
    if (opener?.isConnected) opener.focus();
    opener = null;
  });

  store.subscribe((s, prev) => {
    const changed = s.jobDetails !== prev.jobDetails || (s.jobDetails !== null && (shownJob(s) !== shownJob(prev)
      || s.trainers !== prev.trainers || s.schedules !== prev.schedules || s.datasets !== prev.datasets));
    if (!changed) return;
    render(s);
    sync(s);
  });
  // "Running for" keeps counting between pushes.
  const timer = setInterval(() => {
    if (!dialog.isConnected) return clearInterval(timer);
    const s = store.get();
    if (dialog.open && shownJob(s)?.status === 'RUNNING') render(s);
  }, 15_000);
  return dialog;
}

const section = (name: string, content: Child) =>
  h('section', { class: 'job-details-section' }, h('h3', {}, name), content);

function estimateView(job: Job): HTMLElement | null {
  if (!job.estimate) return null;
  const ran = job.status === 'COMPLETED';
  return h('p', { class: 'job-details-estimate', 'data-testid': 'job-details-estimate', title: job.estimate.basis },
    icon('info'), `${ran ? 'Cost from the steps it ran' : 'Estimated when it started'}: ${estimateLine(job.estimate)} — an estimate, not a bill. `,
    h('span', { class: 'muted' }, job.estimate.basis));
}

function failureView(job: Job): HTMLElement | null {
  if (job.status !== 'FAILED' && !job.completedBeforeCancel) return null;
  if (job.completedBeforeCancel) {
    return h('div', { class: 'job-details-note', 'data-testid': 'job-details-error' }, icon('info'),
      h('span', {}, 'Training finished before the cancel arrived; the LoRA was kept.'));
  }
  const error = job.error ?? { code: 'UNKNOWN', message: 'The training failed.' };
  return h('div', { class: 'inline-alert', role: 'alert', 'data-testid': 'job-details-error' }, icon('alert'),
    h('div', {},
      h('p', {}, error.message, h('code', { class: 'job-details-code' }, error.code)),
      h('p', { 'data-testid': 'job-details-action' }, h('strong', {}, 'What to do: '), failureAction(error))));
}

function requestView(s: State, job: Job, actions: Actions): HTMLElement {
  const datasetName = s.datasets.find((d) => d.id === job.datasetId)?.name ?? job.datasetId;
  const row = (term: string, ...value: Child[]) => [h('dt', {}, term), h('dd', {}, ...value)];
  return h('dl', { class: 'job-details-request' },
    ...row('Trainer', s.trainers.find((t) => t.id === job.trainerId)?.name ?? job.trainerId, ' ', h('code', {}, job.trainerId)),
    ...row('Dataset', h('button', {
      class: 'link-btn', type: 'button', 'data-testid': 'job-details-dataset', title: 'Show this version in the dataset',
      onclick: () => void actions.showDatasetVersion(job.datasetId, job.datasetVersion),
    }, icon('layers'), `${datasetName} · v${job.datasetVersion}`)),
    ...row('Trigger phrase', job.triggerPhrase
      ? h('span', { class: 'trigger-chip', 'data-testid': 'job-details-trigger' }, icon('tag'), job.triggerPhrase)
      : h('span', { class: 'muted', 'data-testid': 'job-details-trigger' }, 'none')),
    ...row('Origin', h('span', { 'data-testid': 'job-details-origin' }, originText(job, s.schedules))),
    ...row('Job id', h('code', {}, job.id)));
}

function paramsView(s: State, job: Job): HTMLElement {
  const rows = paramRows(s.trainers.find((t) => t.id === job.trainerId), job.params);
  if (!rows.length) return h('p', { class: 'muted', 'data-testid': 'job-details-params' }, 'No parameters.');
  return h('table', { class: 'job-details-params', 'data-testid': 'job-details-params' },
    h('tbody', {}, ...rows.map((r) => h('tr', { 'data-param': r.key, class: r.isDefault ? 'is-default' : '' },
      h('th', { scope: 'row' }, r.label, ' ', h('code', {}, r.key)),
      h('td', {}, r.value, r.isDefault ? h('span', { class: 'muted' }, ' (default)') : null)))));
}

function timesView(job: Job): HTMLElement {
  return h('ol', { class: 'job-details-times', 'data-testid': 'job-details-times' },
    ...timeRows(job, new Date().toISOString()).map((r) => h('li', { 'data-label': r.label },
      h('span', { class: 'job-time-label' }, r.label),
      r.label === 'Running for' ? h('span', {}) : h('time', { dateTime: r.at }, MOMENT.format(new Date(r.at))),
      h('span', { class: 'muted' }, r.took ?? ''))));
}

function chartView(job: Job): HTMLElement {
  const geometry = chartGeometry(job.history ?? [], CHART_W, CHART_H);
  if (!geometry) return h('p', { class: 'muted', 'data-testid': 'job-details-chart' }, 'No progress recorded yet.');
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${CHART_W} ${CHART_H}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `Progress${geometry.maxQueue ? ' and queue position' : ''} over ${geometry.span}`);
  const line = (points: string, cls: string) => {
    const el = document.createElementNS(SVG, 'polyline');
    el.setAttribute('points', points);
    el.setAttribute('class', cls);
    el.setAttribute('vector-effect', 'non-scaling-stroke');
    svg.append(el);
  };
  if (geometry.queue) line(geometry.queue, 'chart-queue');
  line(geometry.progress, 'chart-progress');
  return h('figure', { class: 'job-details-chart', 'data-testid': 'job-details-chart' }, svg,
    h('figcaption', { class: 'muted' },
      h('span', { class: 'chart-key chart-key-progress' }, 'progress 0–100 %'),
      geometry.maxQueue ? h('span', { class: 'chart-key chart-key-queue' }, `queue position (up to ${geometry.maxQueue})`) : null,
      h('span', {}, `over ${geometry.span}`)));
}

function filesView(job: Job, actions: Actions): HTMLElement {
  const lines = fileLines(job);
  if (!lines.length) {
    return h('p', { class: 'muted', 'data-testid': 'job-details-files-empty' },
      job.status === 'COMPLETED' ? 'The trainer returned no files.' : 'Files appear here when the training completes.');
  }
  return h('ul', { class: 'job-details-files' }, ...lines.map((line) => jobFileItem(line, 'job-details-file', () => actions.downloadArtifact(job, line.name))));
}

function logsView(s: State): HTMLElement {
  const details = s.jobDetails!;
  const note = (text: string) => h('p', { class: 'muted', 'data-testid': 'job-details-logs-note' }, text);
  if (details.logsError) return note(details.logsError);
  if (!details.logs) return note('Loading the log lines…');
  if (!details.logs.lines.length) return note('The trainer has sent no log lines yet.');
  return h('div', {},
    details.logs.truncated ? note('Only the last lines are kept; older ones were dropped.') : null,
    h('ol', { class: 'job-details-logs', 'data-testid': 'job-details-logs' },
      ...details.logs.lines.map((line) => h('li', {},
        h('time', { dateTime: line.at }, new Date(line.at).toLocaleTimeString('en', { hour12: false })), h('span', {}, line.message)))));
}
