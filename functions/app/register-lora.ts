// Registering a completed job's LoRA in the owner's registry (an "adapter" in the API).
import { newId } from '#domain/ids';
import { alreadyRegistered, registerLora as registration } from '#domain/lora-registry';
import type { Adapter } from '#domain/schemas';
import { putRegisteredLora } from '#adapters/lora-registry-store';
import { ownedJob } from './get-job';

export async function registerLora(owner: string, jobId: string, name: string, now: Date): Promise<Adapter> {
  const job = await ownedJob(owner, jobId);
  const entry = registration(job, name, newId(now), now);
  const outcome = await putRegisteredLora(owner, { ...entry, jobId: job.id });
  if (!outcome.registered) throw alreadyRegistered(job.id, outcome.existing);
  return entry;
}
