// Collect: streams the LoRA from the trainer into the artifacts bucket (multipart, never whole in memory),
// writing the training facts into its safetensors metadata and hashing and counting the stored bytes on the
// way, checks the stored file is well-formed safetensors, and only then completes the job (and registers its LoRA
// when a schedule with autoRegister started it).
import { pipeline, Readable } from 'node:stream';
import { artifactKey } from '#domain/artifacts';
import { InvalidArtifact } from '#domain/job-failures';
import { complete, isTerminal } from '#domain/job-lifecycle';
import { metadataOf, trainingFacts } from '#domain/lora-metadata';
import { TarMemberError, tarMember } from '#domain/tar-member';
import { MalformedSafetensors, parseSafetensorsHeader } from '#domain/safetensors';
import type { TrainingState } from '#domain/training-state';
import { deleteObject, uploadStream } from '#adapters/blob-store';
import { config } from '#adapters/config';
import { getVersion } from '#adapters/dataset-store';
import { downloadLora } from '#adapters/lora-download';
import { hasher, headerRewriter } from '#adapters/lora-stream';
import { logger } from '#adapters/logger';
import { providerFor } from '#adapters/trainers';
import { TrainerUnavailable } from '#providers/provider';
import { finishJob } from './finish-job';
import { loadTrainingJob } from './load-training-job';
import { registerScheduledLora } from './register-lora';

const safeFileName = (name: string | undefined) => {
  const base = (name ?? '').split(/[/\\]/).pop()?.replace(/[^\w.\-]+/g, '_') ?? '';
  return base && base !== '.' && base !== '..' ? base : 'lora.safetensors';
};

const asArtifactError = (error: unknown) =>
  error instanceof MalformedSafetensors ? new InvalidArtifact(error.message) : error;

/** A stream stage failed: a malformed header is final, a download that broke off is worth another try. */
const streamError = (error: Error) =>
  error instanceof MalformedSafetensors || error instanceof TarMemberError
    ? new InvalidArtifact(error.message)
    : new TrainerUnavailable(`The LoRA download broke off: ${error.message}`);

export async function collectLora(state: TrainingState): Promise<TrainingState> {
  const job = await loadTrainingJob(state);
  if (isTerminal(job.status)) {
    // A collect retried after the job completed: its schedule's registration may be what was left to do.
    await registerScheduledLora(job, new Date());
    return { ...state, phase: 'done' };
  }
  if (!job.remote) throw new InvalidArtifact('the job never reached the trainer');

  const output = await (await providerFor(job.remote)).result(job.remote);
  const download = await downloadLora(output.loraUrl);

  const fileName = safeFileName(output.fileName);
  const dataset = await getVersion(job.owner, job.datasetId, job.datasetVersion);
  const rewriter = headerRewriter(metadataOf(trainingFacts(job, dataset?.sha256)));
  const count = hasher();
  let failure: Error | undefined;
  // An archive (Replicate's tar) is unpacked on the way: only the LoRA member goes on.
  const source = output.archive ? Readable.from(tarMember(output.archive.member)(download)) : download;
  const body = pipeline(source, rewriter.stream, count.stream, (error) => { failure ??= error ?? undefined; });
  const key = artifactKey(job.owner, job.id, fileName);
  try {
    await uploadStream(config.artifactsBucket, key, body);
  } catch (error) {
    throw failure ? streamError(failure) : error;
  }
  if (failure) throw streamError(failure);
  const { sha256, size } = count.result();
  const head = rewriter.storedHead();
  try {
    if (!head) throw new MalformedSafetensors(`The file has ${size} bytes, fewer than its safetensors header needs.`);
    parseSafetensorsHeader(head, { fileSize: size });
  } catch (error) {
    // A file that fails the check is never served: it does not stay in the bucket either.
    await deleteObject(config.artifactsBucket, key).catch((cause: unknown) => logger.warn('Could not delete a refused LoRA', { key, error: String(cause) }));
    throw asArtifactError(error);
  }

  const now = new Date();
  const saved = await finishJob(job, (current) => complete(current, { fileName, sizeBytes: size, sha256 }, now));
  logger.info('LoRA stored', { sizeBytes: size, status: saved.status });
  await registerScheduledLora(saved, now);
  return { ...state, phase: 'done' };
}
