// A short-lived download link of one of an adapter's files: a registered job's LoRA (stored with the job), or an
// imported file once its check found it a LoRA.
import { artifactKey } from '#domain/artifacts';
import { Conflict, NotFound } from '#domain/errors';
import { importKey } from '#domain/lora-import';
import { adapterFiles } from '#domain/lora-registry';
import type { ArtifactLink } from '#domain/schemas';
import { presignDownload } from '#adapters/blob-store';
import { config } from '#adapters/config';
import { getRegisteredLora } from '#adapters/lora-registry-store';

const LINK_SECONDS = 15 * 60;

export async function adapterArtifactLink(owner: string, adapterId: string, name: string, now: Date): Promise<ArtifactLink> {
  const found = await getRegisteredLora(owner, adapterId);
  if (!found) throw new NotFound('ADAPTER_NOT_FOUND', `Adapter ${adapterId} does not exist.`);
  const { adapter } = found;
  if (adapter.status === 'CHECKING') {
    throw new Conflict('ADAPTER_CHECKING', `${adapter.name} is still being checked; its file can be downloaded once it is READY.`);
  }
  if (adapter.status === 'INVALID') {
    throw new Conflict('ADAPTER_INVALID', `${adapter.name} was refused (${adapter.error?.message ?? 'its file is not a LoRA'}); it has no file to download. Delete it and import the right file.`);
  }
  const files = adapterFiles(adapter);
  const file = files.find((candidate) => candidate.name === name);
  if (!file) {
    throw new NotFound('ARTIFACT_NOT_FOUND', `Adapter ${adapter.id} has no file named ${JSON.stringify(name)}; its files are ${files.map((f) => f.name).join(', ') || 'none'}.`);
  }
  const key = adapter.source === 'import' || !adapter.jobId ? importKey(owner, adapter.id, file.name) : artifactKey(owner, adapter.jobId, file.name);
  const url = await presignDownload(config.artifactsBucket, key, LINK_SECONDS, file.name);
  return { url, fileName: file.name, sizeBytes: file.sizeBytes, sha256: file.sha256, expiresAt: new Date(now.getTime() + LINK_SECONDS * 1000).toISOString() };
}
