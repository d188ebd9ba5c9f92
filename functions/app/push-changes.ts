// Every change of a job, a dataset version, a schedule (its last run included) or a registered LoRA goes to its
// owner's open WebSockets. A push is a convenience (DynamoDB is the truth), so a failed push is logged, never
// retried into a stuck stream.
// A batch is pushed per owner: their connections are read once, and each connection gets the batch's messages
// in stream order per record (one job's changes never overtake each other), different records side by side.
import { publicVersion } from '#domain/datasets';
import { publicJob } from '#domain/job-lifecycle';
import { publicSchedule } from '#domain/schedules';
import type { ServerMessage } from '#domain/schemas';
import { deleteConnection, listConnections } from '#adapters/connection-store';
import { toDatasetVersion } from '#adapters/dataset-store';
import { toJobRecord } from '#adapters/job-store';
import { logger } from '#adapters/logger';
import { toAdapter } from '#adapters/lora-registry-store';
import { postToConnection } from '#adapters/notifier';
import { toScheduleRecord } from '#adapters/schedule-store';

/** One table write: the item after it (none for a delete) and before it (none for an insert). */
export interface ItemChange {
  newItem?: Record<string, unknown>;
  oldItem?: Record<string, unknown>;
}

function messageFor(item: Record<string, unknown>, now: Date): ServerMessage | null {
  if (item.type === 'Job') return { type: 'job', job: publicJob(toJobRecord(item)) };
  if (item.type === 'Schedule') return { type: 'schedule', schedule: publicSchedule(toScheduleRecord(item), now) };
  if (item.type === 'Adapter') return { type: 'adapter', adapter: toAdapter(item) };
  if (item.type === 'DatasetVersion') {
    const version = toDatasetVersion(item);
    return { type: 'dataset', datasetId: version.datasetId, version: publicVersion(version) };
  }
  return null;
}

interface Outgoing {
  /** The record's identity: its messages go out in order. */
  key: string;
  message: ServerMessage;
}

/** The messages of a batch, per owner, in stream order. */
function messagesByOwner(changes: readonly ItemChange[], now: Date): Map<string, Outgoing[]> {
  const byOwner = new Map<string, Outgoing[]>();
  for (const { newItem: item, oldItem } of changes) {
    if (!item) continue;
    const message = messageFor(item, now);
    if (!message || typeof item.owner !== 'string') continue;
    // A write that changed only internal fields (the workflow's marks) shows the client nothing new.
    if (oldItem && JSON.stringify(messageFor(oldItem, now)) === JSON.stringify(message)) continue;
    const list = byOwner.get(item.owner) ?? [];
    list.push({ key: `${String(item.PK)}|${String(item.SK)}`, message });
    byOwner.set(item.owner, list);
  }
  return byOwner;
}

async function pushToOwner(owner: string, outgoing: Outgoing[], now: Date): Promise<void> {
  const connections = await listConnections(owner, now);
  const byKey = new Map<string, ServerMessage[]>();
  for (const { key, message } of outgoing) byKey.set(key, [...(byKey.get(key) ?? []), message]);
  await Promise.all(connections.map(async (connectionId) => {
    let gone = false;
    await Promise.all([...byKey.values()].map(async (messages) => {
      for (const message of messages) {
        if (gone) return;
        try {
          if ((await postToConnection(connectionId, message)) === 'gone') gone = true;
        } catch (error) {
          logger.warn('Push to a connection failed', { connectionId, type: message.type, error: String(error) });
        }
      }
    }));
    if (gone) await deleteConnection(owner, connectionId).catch((error: unknown) => logger.warn('Could not delete a gone connection', { connectionId, error: String(error) }));
  }));
}

export async function pushChanges(changes: readonly ItemChange[], now = new Date()): Promise<void> {
  await Promise.all([...messagesByOwner(changes, now)].map(async ([owner, outgoing]) => {
    try {
      await pushToOwner(owner, outgoing, now);
    } catch (error) {
      logger.warn('Push failed', { owner, error: String(error) });
    }
  }));
}
