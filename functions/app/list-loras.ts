// The owner's registered LoRAs, newest first.
import type { Adapter } from '#domain/schemas';
import { listRegisteredLoras } from '#adapters/lora-registry-store';

export const listLoras = (owner: string): Promise<Adapter[]> => listRegisteredLoras(owner);
