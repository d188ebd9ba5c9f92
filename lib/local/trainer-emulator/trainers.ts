// Finds the trainer a request is for: a fal endpoint by its owner/app (sub-paths share the app's schema), a
// Replicate training by its model.
import { FAL_TRAINERS } from './fal-trainers';
import { REPLICATE_TRAINERS } from './replicate-trainers';
import type { EmulatedTrainer } from './trainer-schema';

/** owner/app of a fal endpoint id (the sub-path is dropped in status, result and cancel URLs). */
export const appOf = (endpoint: string) => endpoint.split('/').slice(0, 2).join('/');

export function emulatedTrainer(endpoint: string): EmulatedTrainer | undefined {
  if (endpoint.startsWith('replicate/')) return REPLICATE_TRAINERS.find((trainer) => trainer.id === endpoint);
  return FAL_TRAINERS.find((trainer) => trainer.id === appOf(endpoint));
}
