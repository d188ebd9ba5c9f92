// The checks of a training's choices that POST /jobs and POST /schedules share, before anything is written: the
// trainer exists, the trigger phrase and parameters suit it (422), the dataset is the caller's (404).
import { Invalid, NotFound } from '#domain/errors';
import type { Dataset, ParamValues, Trainer } from '#domain/schemas';
import { invalidParamsMessage, validateTrainingRequest } from '#domain/training-request';
import { getDataset } from '#adapters/dataset-store';
import { getTrainer } from '#adapters/trainers';

export interface TrainingChoices {
  trainerId: string;
  triggerPhrase?: string;
  params: Record<string, unknown>;
}

/** The trainer and the checked parameter values; refuses an unknown trainer or unsuitable values (422). */
export async function checkTrainingChoices(choices: TrainingChoices): Promise<{ trainer: Trainer; values: ParamValues }> {
  const trainer = await getTrainer(choices.trainerId);
  if (!trainer) {
    throw new Invalid('UNKNOWN_TRAINER', `There is no trainer ${choices.trainerId}. Pick one from GET /trainers.`, [
      { field: 'trainerId', message: `Unknown trainer ${choices.trainerId}.` },
    ]);
  }
  const checked = validateTrainingRequest(trainer, choices);
  if ('details' in checked) throw new Invalid('INVALID_PARAMS', invalidParamsMessage(trainer), checked.details);
  return { trainer, values: checked.values };
}

/** The caller's dataset; another user's is as absent as a missing one (404). */
export async function ownedDataset(owner: string, datasetId: string): Promise<Dataset> {
  const dataset = await getDataset(owner, datasetId);
  if (!dataset) throw new NotFound('DATASET_NOT_FOUND', `Dataset ${datasetId} does not exist.`);
  return dataset;
}
