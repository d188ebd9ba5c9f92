import type { Schedule, ScheduleRun } from '#domain/schemas';
import type { Actions } from '#web/actions';
import { fill, h, icon } from '#web/dom';
import { plural, relativeTime } from '#web/format';
import { scheduleBlockers } from '#web/readiness';
import { describeExpression, formatInZone, outcomeText } from '#web/schedule-rules';
import type { ScheduleRunsState, State, Store } from '#web/state';

const OUTCOME_ICON = { started: 'play', skipped: 'clock', failed: 'alert' } as const;

/**
 * Scheduled retraining: every schedule with when it runs (read as a sentence, in its zone), its next run, its
 * last outcome (a link to the job it started, or why it was skipped or failed), and Pause/Resume, Run now,
 * Delete (after a confirmation) and its runs history. Pushed live over the WebSocket like the jobs.
 */
export function schedulesPanel(store: Store, actions: Actions): HTMLElement {
  const summary = h('span', { class: 'muted jobs-summary', 'data-testid': 'schedules-summary' });
  const create = h('button', { class: 'btn btn-sm', type: 'button', 'data-testid': 'schedules-new', onclick: () => actions.openScheduleForm() }, icon('clock'), 'Retrain on a schedule');
  const list = h('ul', { class: 'schedule-list', 'data-testid': 'schedule-list' });
  const empty = h('div', { class: 'empty empty-schedules', 'data-testid': 'schedules-empty' });
  const banner = h('div', { class: 'inline-alert', role: 'alert', hidden: true, 'data-testid': 'schedules-error' });
  const el = h('section', { class: 'card schedules-card', 'aria-labelledby': 'schedules-heading', 'data-testid': 'schedules-panel' },
    h('div', { class: 'card-title-row jobs-head' },
      h('h2', { id: 'schedules-heading' }, 'Scheduled retraining'), summary,
      h('div', { class: 'topbar-spacer' }), create),
    banner, list, empty);

  /** The schedule whose Delete waits for a confirmation. */
  let confirming: string | null = null;

  const update = () => {
    const s = store.get();
    if (confirming && !s.schedules.some((x) => x.id === confirming)) confirming = null;
    fill(list, ...s.schedules.map((schedule) => row(s, schedule)));
    const paused = s.schedules.filter((x) => !x.enabled).length;
    summary.textContent = s.schedules.length ? `${s.schedules.length} ${s.schedules.length === 1 ? 'schedule' : 'schedules'}${paused ? ` · ${paused} paused` : ''}` : '';
    const why = scheduleBlockers(s);
    create.disabled = why.length > 0;
    create.title = why.length ? why.join(' ') : 'Retrain the chosen dataset with the training form’s settings, on a schedule';
    empty.hidden = s.schedules.length > 0;
    fill(empty, ...(s.schedulesPhase === 'loading'
      ? [h('p', { class: 'muted' }, 'Loading your schedules…')]
      : s.schedulesPhase === 'error'
        ? [h('span', { class: 'empty-icon' }, icon('alert')), h('h3', {}, 'Schedules could not be loaded'), h('p', { class: 'muted' }, s.schedulesError ?? ''),
          h('button', { class: 'btn btn-sm', type: 'button', onclick: () => void actions.refreshSchedules() }, 'Try again')]
        : [h('span', { class: 'empty-icon' }, icon('clock')), h('h3', {}, 'No schedules yet'),
          h('p', { class: 'muted' }, 'Set up the training form, then “Retrain on a schedule”: Loraworks retrains the dataset on your schedule, and only when it changed if you like.')]));
    banner.hidden = !s.schedulesError || s.schedulesPhase === 'error';
    fill(banner, icon('alert'), h('span', {}, s.schedulesError ?? ''),
      h('button', { class: 'link-btn', type: 'button', onclick: () => actions.dismissSchedulesError() }, 'Dismiss'));
  };

  const row = (s: State, schedule: Schedule) => {
    const busy = s.scheduleBusy.includes(schedule.id);
    const runs = s.scheduleRuns[schedule.id];
    const dataset = s.datasets.find((d) => d.id === schedule.datasetId)?.name ?? (s.dataset?.id === schedule.datasetId ? s.dataset.name : schedule.datasetId);
    const trainer = s.trainers.find((t) => t.id === schedule.trainerId)?.name ?? schedule.trainerId;
    const steps = typeof schedule.params.steps === 'number' ? ` · ${plural(schedule.params.steps, 'step')}` : '';
    const actionButton = (attrs: Record<string, string>, iconName: string, text: string, run: () => void) =>
      h('button', { type: 'button', class: 'btn btn-ghost btn-sm', disabled: busy, ...attrs, onclick: run }, icon(iconName), text);
    const buttons = h('div', { class: 'schedule-actions' },
      schedule.enabled
        ? actionButton({ 'data-testid': 'schedule-pause', 'aria-label': `Pause ${schedule.name}` }, 'stop', 'Pause', () => void actions.setScheduleEnabled(schedule, false))
        : actionButton({ 'data-testid': 'schedule-resume', 'aria-label': `Resume ${schedule.name}` }, 'play', 'Resume', () => void actions.setScheduleEnabled(schedule, true)),
      actionButton({ 'data-testid': 'schedule-run-now', 'aria-label': `Run ${schedule.name} now` }, 'sparkle', 'Run now', () => void actions.runScheduleNow(schedule)),
      actionButton({ 'data-testid': 'schedule-runs-toggle', 'aria-expanded': String(Boolean(runs)), class: 'btn btn-ghost btn-sm' }, 'layers', runs ? 'Hide runs' : 'Runs',
        () => actions.toggleScheduleRuns(schedule.id)),
      actionButton({ 'data-testid': 'schedule-delete', class: 'btn btn-ghost btn-sm btn-danger', 'aria-label': `Delete ${schedule.name}` }, 'x', 'Delete', () => {
        confirming = schedule.id;
        update();
        list.querySelector<HTMLButtonElement>('[data-testid="schedule-delete-cancel"]')?.focus();
      }));
    return h('li', { class: `schedule-row${schedule.enabled ? '' : ' schedule-paused'}`, 'data-testid': 'schedule-row', 'data-schedule-id': schedule.id, 'data-enabled': String(schedule.enabled) },
      h('div', { class: 'schedule-head' },
        h('div', { class: 'schedule-title' },
          h('span', { class: 'schedule-name', 'data-testid': 'schedule-name', title: schedule.name }, schedule.name),
          schedule.enabled ? null : h('span', { class: 'badge badge-cancelling', 'data-testid': 'schedule-paused' }, icon('stop'), 'Paused')),
        buttons),
      h('div', { class: 'schedule-grid' },
        h('div', { class: 'schedule-main' },
          h('span', { class: 'schedule-col-label' }, 'Runs'),
          h('div', { class: 'schedule-when', 'data-testid': 'schedule-when' }, icon('clock'), `${describeExpression(schedule.expression)} · ${schedule.timezone}`),
          h('div', { class: 'job-meta' }, `${dataset} · ${trainer}${steps}`,
            schedule.onlyIfDatasetChanged ? ' · only when the dataset changed' : '', schedule.autoRegister ? ' · registers the LoRA' : '')),
        h('div', { class: 'schedule-next', 'data-testid': 'schedule-next' },
          h('span', { class: 'schedule-col-label' }, 'Next run'),
          schedule.nextRunAt
            ? h('span', { title: `${new Date(schedule.nextRunAt).toLocaleString()} your time` },
              formatInZone(schedule.nextRunAt, schedule.timezone), h('span', { class: 'muted schedule-rel' }, relativeTime(schedule.nextRunAt)))
            : h('span', { class: 'muted' }, schedule.enabled ? 'none: it has run' : 'paused')),
        h('div', { class: 'schedule-last', 'data-testid': 'schedule-last', 'data-outcome': schedule.lastRun?.outcome ?? 'NONE' },
          h('span', { class: 'schedule-col-label' }, 'Last run'),
          schedule.lastRun ? outcome(schedule.lastRun, schedule.timezone) : h('span', { class: 'muted' }, 'not run yet'))),
      confirming === schedule.id ? confirmBox(schedule) : null,
      runs ? runsList(runs, schedule.timezone) : null);
  };

  const outcome = (run: ScheduleRun, timezone: string) => {
    const { tone, text } = outcomeText(run);
    const when = h('time', { class: 'muted schedule-rel', dateTime: run.at, title: formatInZone(run.at, timezone) }, relativeTime(run.at));
    const line = h('span', { class: `outcome outcome-${tone}`, 'data-testid': 'schedule-outcome' }, icon(OUTCOME_ICON[tone]), text);
    const show = run.outcome === 'STARTED' && run.jobId
      ? h('button', { class: 'link-btn', type: 'button', 'data-testid': 'schedule-last-job', 'data-job-id': run.jobId, onclick: () => void actions.showJob(run.jobId!) }, 'Show the job')
      : null;
    return h('span', { class: 'outcome-line' }, line, show, when);
  };

  const runsList = (state: ScheduleRunsState, timezone: string) => h('div', { class: 'schedule-runs', 'data-testid': 'schedule-runs' },
    h('h3', {}, 'Recent runs'),
    state.phase === 'loading' && state.runs.length === 0 ? h('p', { class: 'muted' }, 'Loading runs…')
      : state.phase === 'error' ? h('p', { class: 'field-error' }, state.error ?? '')
        : state.runs.length === 0 ? h('p', { class: 'muted' }, 'No runs yet: the first one happens at the next run time, or use Run now.')
          : h('ol', { class: 'run-list' }, ...state.runs.map((run) => {
            const { tone, text } = outcomeText(run);
            return h('li', { class: 'run-item', 'data-testid': 'schedule-run-row', 'data-outcome': run.outcome },
              h('time', { dateTime: run.at, class: 'run-when' }, formatInZone(run.at, timezone)),
              h('span', { class: `outcome outcome-${tone}` }, icon(OUTCOME_ICON[tone]), text),
              run.jobId ? h('button', { class: 'link-btn', type: 'button', 'data-job-id': run.jobId, onclick: () => void actions.showJob(run.jobId!) }, 'Show the job') : h('span', {}));
          })));

  const confirmBox = (schedule: Schedule) => h('div', { class: 'token-confirm-box schedule-confirm', role: 'group', 'aria-label': `Confirm deleting ${schedule.name}`, 'data-testid': 'schedule-confirm' },
    icon('alert'),
    h('span', {}, h('strong', {}, `Delete “${schedule.name}”? `), 'It stops running. The jobs it started and the LoRAs it registered stay.'),
    h('button', {
      class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'schedule-delete-cancel', onclick: () => {
        confirming = null;
        update();
      },
    }, 'Cancel'),
    h('button', {
      class: 'btn btn-sm btn-danger-solid', type: 'button', 'data-testid': 'schedule-delete-confirm', onclick: () => {
        confirming = null;
        void actions.deleteSchedule(schedule);
      },
    }, 'Delete schedule'));

  update();
  store.subscribe((s, prev) => {
    if (s.schedules !== prev.schedules || s.schedulesPhase !== prev.schedulesPhase || s.schedulesError !== prev.schedulesError || s.scheduleRuns !== prev.scheduleRuns
      || s.scheduleBusy !== prev.scheduleBusy || s.datasets !== prev.datasets || s.trainers !== prev.trainers || s.dataset !== prev.dataset
      || s.trainerId !== prev.trainerId || s.params !== prev.params || s.triggerPhrase !== prev.triggerPhrase) update();
  });
  // "in 3 days", "2 hours ago" keep moving between pushes.
  const timer = setInterval(() => {
    if (!el.isConnected) return clearInterval(timer);
    update();
  }, 60_000);
  return el;
}
