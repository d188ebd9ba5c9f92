// A trainer is named by its provider's own id. fal's are endpoint ids, `owner/app` with an optional
// sub-path (`fal-ai/wan-trainer/t2v`); `workflows/` and `comfy/` ids keep their namespace as a third part.
// Replicate's are `replicate/{owner}/{name}`, the model whose versions train.

export interface TrainerRef {
  provider: 'fal' | 'replicate';
  /** fal: the app (`owner/app`, namespace kept), which the queue's status, result and cancel URLs use.
   * Replicate: the model's `owner/name`. */
  app: string;
}

const FAL_NAMESPACES = new Set(['workflows', 'comfy']);

export function parseTrainerId(trainerId: string): TrainerRef {
  const parts = trainerId.split('/').filter(Boolean);
  if (parts[0] === 'replicate') return { provider: 'replicate', app: parts.slice(1, 3).join('/') };
  return { provider: 'fal', app: parts.slice(0, FAL_NAMESPACES.has(parts[0] ?? '') ? 3 : 2).join('/') };
}
