import type { Trainer } from '#domain/schemas';
import { triggerPhraseProblem } from '#domain/training-request';
import { collectParams } from './params';
import { type State, selectedTrainer } from './state';

/** Why Start Training is not available yet, in the order a person would fix it. Empty means ready. */
export function startBlockers(s: State): string[] {
  const reasons: string[] = [];
  const trainer = selectedTrainer(s);
  if (!trainer) reasons.push('Choose a trainer model.');
  const version = s.dataset?.version;
  if (s.upload.phase === 'uploading') reasons.push('Wait for the upload to finish.');
  else if (!version) reasons.push('Upload a training dataset (.zip).');
  else if (version.status === 'UPLOADING' || version.status === 'VALIDATING') reasons.push('Wait for the dataset to pass validation.');
  else if (version.status === 'INVALID') reasons.push('The dataset failed validation: fix its errors and upload a new version.');
  else if (trainer && version.report?.fitsTrainers && !version.report.fitsTrainers.includes(trainer.id)) {
    reasons.push(`This dataset does not meet ${trainer.name}'s requirements.`);
  }
  if (trainer) reasons.push(...choiceProblems(trainer, s));
  return reasons;
}

/** What is wrong with the trigger phrase and parameters typed for `trainer`, as POST /jobs would refuse them. */
function choiceProblems(trainer: Trainer, s: State): string[] {
  const trigger = triggerPhraseProblem(trainer, requestTrigger(trainer, s.triggerPhrase));
  return [...(trigger ? [trigger] : []), ...Object.values(collectParams(trainer, s.params).errors)];
}

/** What the request carries: the typed phrase, trimmed, or nothing for a trainer that takes none (the
 * field is hidden then, and a phrase typed for another trainer stays for when that one is picked again). */
export const requestTrigger = (trainer: { trigger: string }, typed: string): string | undefined =>
  trainer.trigger === 'none' ? undefined : typed.trim();

/** Why "Retrain on a schedule" is not available yet. A schedule trains the dataset's latest READY version when
 * it fires, so the chosen dataset needs no READY version yet; the trainer, trigger phrase and params are
 * checked as Start Training checks them. Empty means ready. */
export function scheduleBlockers(s: State): string[] {
  const reasons: string[] = [];
  const trainer = selectedTrainer(s);
  if (!trainer) reasons.push('Choose a trainer model.');
  if (!s.dataset) reasons.push(s.upload.phase === 'uploading' ? 'Wait for the upload to finish.' : 'Choose or upload the dataset to retrain on.');
  if (trainer) reasons.push(...choiceProblems(trainer, s));
  return reasons;
}
