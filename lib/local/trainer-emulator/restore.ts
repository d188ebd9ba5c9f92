// Requests kept in dataDir, brought back after a restart: a finished one keeps its result, an unfinished one
// waits in the queue again from the step it had reached (and downloads its dataset again if it had not yet).
import type { FaultCounter } from './faults';
import { isTerminalStatus, type Entry } from './request';
import type { LoadedRequest } from './store';

/** The loaded requests as queue entries, in submission order (which is queue order). */
export function restoredEntries(loaded: LoadedRequest[], counterFor: (entry: Entry) => FaultCounter): Entry[] {
  const restored = loaded.map(({ view, logs, outputFiles, files }) => {
    view.protocol ??= 'fal';
    view.faults ??= {};
    view.faultsApplied ??= [];
    // A completed request whose LoRA did not reach the disk trains its last step again rather than being lost.
    if (!files && view.status === 'COMPLETED') {
      view.status = 'IN_PROGRESS';
      delete view.completedAt;
      delete view.finishedAt;
      delete view.outputBytes;
    }
    const unfinished = !isTerminalStatus(view.status);
    if (unfinished) view.status = 'IN_QUEUE';
    const entry: Entry = {
      view, logs, files: files ?? new Map(), resumedFrom: view.step, counter: undefined as unknown as FaultCounter,
      datasetReady: unfinished && view.datasetBytes !== undefined,
      ...(outputFiles && files ? { outputFiles } : {}),
    };
    entry.counter = counterFor(entry);
    return entry;
  });
  return restored.sort((a, b) => a.view.submittedAt.localeCompare(b.view.submittedAt));
}
