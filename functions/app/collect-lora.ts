// Collect: streams every file the trainer returned into the artifacts bucket (multipart, never whole in memory),
// hashing and counting the stored bytes on the way; each LoRA gets the training facts in its safetensors metadata
// and is checked to be well-formed safetensors. Only then is the job completed, listing its files (and its LoRA
// registered when a schedule with autoRegister started it). A config or sample that fails is logged and left out.
import { PassThrough, pipeline, Readable } from 'node:stream';
import { artifactKey, isWeights, safeFileName, uniqueNames } from '#domain/artifacts';
import { settleEstimate } from '#domain/estimates';
import { InvalidArtifact } from '#domain/job-failures';
import { complete, isTerminal } from '#domain/job-lifecycle';
import { metadataOf, trainingFacts } from '#domain/lora-metadata';
import { TarMemberError, tarMember } from '#domain/tar-member';
import { MalformedSafetensors, parseSafetensorsHeader } from '#domain/safetensors';
import type { JobArtifact } from '#domain/schemas';
import type { TrainingState } from '#domain/training-state';
import { deleteObject, uploadStream } from '#adapters/blob-store';
import { config } from '#adapters/config';
import { getVersion } from '#adapters/dataset-store';
import { downloadLora } from '#adapters/lora-download';
import { hasher, headerRewriter } from '#adapters/lora-stream';
import { logger } from '#adapters/logger';
import { providerFor } from '#adapters/trainers';
import { TrainerUnavailable, type TrainingOutput } from '#providers/provider';
import { finishJob } from './finish-job';
import { loadTrainingJob } from './load-training-job';
import { registerScheduledLora } from './register-lora';

const asArtifactError = (error: unknown) =>
  error instanceof MalformedSafetensors ? new InvalidArtifact(error.message) : error;

/** A stream stage failed: a malformed header is final, a download that broke off is worth another try. */
const streamError = (error: Error) =>
  error instanceof MalformedSafetensors || error instanceof TarMemberError
    ? new InvalidArtifact(error.message)
    : new TrainerUnavailable(`The LoRA download broke off: ${error.message}`);

interface StoredFile {
  key: string;
  sha256: string;
  sizeBytes: number;
}

/** Streams one file of the result into the bucket under `key` (multipart, never whole in memory), hashing and
 * counting the stored bytes. Weights (`metadata` given) have their header rewritten with the training facts and
 * are checked as safetensors; a file that fails the check does not stay in the bucket. */
async function storeFile(url: string, key: string, options: { what: string; metadata?: Record<string, string>; archive?: TrainingOutput['archive']; contentType?: string }): Promise<StoredFile> {
  const download = await downloadLora(url, options.what);
  const rewriter = options.metadata ? headerRewriter(options.metadata) : undefined;
  const count = hasher();
  let failure: Error | undefined;
  // An archive (Replicate's tar) is unpacked on the way: only the LoRA member goes on.
  const source = options.archive ? Readable.from(tarMember(options.archive.member)(download)) : download;
  const body = pipeline(source, rewriter?.stream ?? new PassThrough(), count.stream, (error) => { failure ??= error ?? undefined; });
  try {
    await uploadStream(config.artifactsBucket, key, body, options.contentType);
  } catch (error) {
    throw failure ? streamError(failure) : error;
  }
  if (failure) throw streamError(failure);
  const { sha256, size } = count.result();
  if (rewriter) {
    const head = rewriter.storedHead();
    try {
      if (!head) throw new MalformedSafetensors(`The file has ${size} bytes, fewer than its safetensors header needs.`);
      parseSafetensorsHeader(head, { fileSize: size });
    } catch (error) {
      // A file that fails the check is never served: it does not stay in the bucket either.
      await deleteObject(config.artifactsBucket, key).catch((cause: unknown) => logger.warn('Could not delete a refused LoRA', { key, error: String(cause) }));
      throw asArtifactError(error);
    }
  }
  return { key, sha256, sizeBytes: size };
}

const OCTET_STREAM = 'application/octet-stream';
const ROLE_NAMES: Record<JobArtifact['role'], string> = { lora: 'LoRA', 'lora-high-noise': 'high-noise LoRA', config: 'config file', sample: 'sample', other: 'output file' };

export async function collectLora(state: TrainingState): Promise<TrainingState> {
  const job = await loadTrainingJob(state);
  if (isTerminal(job.status)) {
    // A collect retried after the job completed: its schedule's registration may be what was left to do.
    await registerScheduledLora(job, new Date());
    return { ...state, phase: 'done' };
  }
  if (!job.remote) throw new InvalidArtifact('the job never reached the trainer');

  const output = await (await providerFor(job.remote)).result(job.remote);
  const dataset = await getVersion(job.owner, job.datasetId, job.datasetVersion);
  const metadata = metadataOf(trainingFacts(job, dataset?.sha256));

  const wanted = [
    { field: 'lora', url: output.loraUrl, name: safeFileName(output.fileName, 'lora.safetensors'), role: 'lora' as const, contentType: output.contentType },
    ...(output.others ?? []).map((file) => ({ ...file, name: safeFileName(file.name, file.field) })),
  ];
  const names = uniqueNames(wanted);
  const artifacts: JobArtifact[] = [];
  for (const [index, file] of wanted.entries()) {
    const name = names[index]!;
    const contentType = file.contentType || OCTET_STREAM;
    const key = artifactKey(job.owner, job.id, name);
    const weights = isWeights(file.role);
    try {
      const stored = await storeFile(file.url, key, {
        what: ROLE_NAMES[file.role], contentType, ...(weights ? { metadata } : {}), ...(index === 0 && output.archive ? { archive: output.archive } : {}),
      });
      artifacts.push({ name, role: file.role, sizeBytes: stored.sizeBytes, sha256: stored.sha256, contentType });
    } catch (error) {
      // Every LoRA is the training's result: one that cannot be stored fails the job (or is retried), as ever.
      if (weights) {
        await Promise.all(artifacts.map((kept) => deleteObject(config.artifactsBucket, artifactKey(job.owner, job.id, kept.name)).catch(() => undefined)));
        throw error;
      }
      // A config or sample that cannot be fetched is left out; the LoRA is what the job is for.
      logger.warn('An optional output file was left out', { field: file.field, role: file.role, name, error: error instanceof Error ? error.message : String(error) });
    }
  }

  const lora = artifacts[0]!;
  const now = new Date();
  const saved = await finishJob(job, (current) => settleEstimate(complete(current, { fileName: lora.name, sizeBytes: lora.sizeBytes, sha256: lora.sha256 }, now, artifacts)));
  logger.info('LoRA stored', { sizeBytes: lora.sizeBytes, files: artifacts.length, status: saved.status });
  await registerScheduledLora(saved, now);
  return { ...state, phase: 'done' };
}
