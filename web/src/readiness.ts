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
  if (!s.triggerPhrase.trim()) reasons.push('Set a trigger phrase.');
  else if (s.triggerPhrase.trim().length > 100) reasons.push('Keep the trigger phrase under 100 characters.');
  if (trainer) {
    const { errors } = collectParams(trainer, s.params);
    for (const error of Object.values(errors)) reasons.push(error);
  }
  return reasons;
}
