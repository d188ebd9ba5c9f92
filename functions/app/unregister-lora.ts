// Removing a LoRA from the owner's registry; its file stays with the job it came from.
import { NotFound } from '#domain/errors';
import { deleteRegisteredLora } from '#adapters/lora-registry-store';

export async function unregisterLora(owner: string, id: string): Promise<void> {
  if (!(await deleteRegisteredLora(owner, id))) throw new NotFound('ADAPTER_NOT_FOUND', `Adapter ${id} does not exist.`);
}
