// The doorway of a Training state machine task: the state passed from task to task, logged under its job.
import { TrainingState } from '#domain/training-state';
import { invocation } from './invocation';

export const workflowTask = (fn: (state: TrainingState) => Promise<TrainingState>) =>
  invocation({ event: TrainingState, logKeys: (state) => ({ jobId: state.jobId }) }, (state) => fn(state));
