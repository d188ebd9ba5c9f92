// A stand-in for adapters/trainers in unit tests: the built-in catalog, and one provider whose calls each test
// scripts. A test file mocks the adapter with this module and scripts the same `provider` it imports:
//   vi.mock('#adapters/trainers', () => import('./scripted-trainers'));
import { vi } from 'vitest';
import { fallbackTrainers, findTrainer } from '#domain/trainer-catalog';
import type { TrainerProvider } from '#providers/provider';

export const provider = {
  listTrainers: vi.fn(), submit: vi.fn(), status: vi.fn(), cancel: vi.fn(), result: vi.fn(),
} satisfies Record<keyof TrainerProvider, unknown>;

export const getTrainer = async (id: string) => findTrainer(fallbackTrainers, id);
export const listTrainers = async () => ({ source: 'fallback' as const, trainers: fallbackTrainers });
export const providerFor = async () => provider;
