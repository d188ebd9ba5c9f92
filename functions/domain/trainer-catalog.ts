// The built-in catalog: every described trainer (trainers/) as GET /trainers serves it. It answers when the
// provider's listing cannot be reached and supplies the parameters and dataset rules the listing does not carry.
import type { Trainer } from './schemas';
import { genericTrainerSpec, trainerSpecs } from './trainers';
import { publicTrainer } from './trainers/trainer-spec';

export const fallbackTrainers: Trainer[] = trainerSpecs.map(publicTrainer);

/** The entry served for a training model the provider lists but Loraworks has no built-in entry for. */
export const genericTrainer = (id: string, name?: string, description?: string): Trainer => publicTrainer(genericTrainerSpec(id, name, description));

export function findTrainer(trainers: readonly Trainer[], id: string): Trainer | undefined {
  return trainers.find((trainer) => trainer.id === id);
}
