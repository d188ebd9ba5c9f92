// The trainer catalog: the provider's listing, or the built-in entries when it cannot answer (cached briefly).
export { listTrainers } from '#adapters/trainers';
