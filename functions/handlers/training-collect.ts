// Collect: streams the LoRA from the trainer into the artifacts bucket (never whole in memory), hashing and
// counting on the way, checks it is safetensors, and only then completes the job.
import { createHash } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { uploadStream } from '../adapters/blob-store';
import { config } from '../adapters/config';
import { updateJob } from '../adapters/job-store';
import { logger } from '../adapters/logger';
import { loadTask } from '../adapters/training-jobs';
import { providerFor } from '../adapters/trainers';
import { artifactKey } from '../domain/artifacts';
import { InvalidArtifact } from '../domain/job-failures';
import { complete, isTerminal } from '../domain/job-lifecycle';
import { parseSafetensorsHeader, readHeaderLength } from '../domain/safetensors';
import type { TrainingState } from '../domain/training-state';
import { TrainerUnavailable } from '../providers/provider';

const safeFileName = (name: string | undefined) => {
  const base = (name ?? '').split(/[/\\]/).pop()?.replace(/[^\w.\-]+/g, '_') ?? '';
  return base && base !== '.' && base !== '..' ? base : 'lora.safetensors';
};

/** Passes bytes through while hashing, counting and keeping the safetensors header (8 bytes + its JSON). */
function inspector() {
  const hash = createHash('sha256');
  const head: Buffer[] = [];
  let headLength = 0;
  let wanted = 8;
  let size = 0;
  let failure: InvalidArtifact | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      if (headLength < wanted) {
        const take = chunk.subarray(0, wanted - headLength);
        head.push(take);
        headLength += take.length;
        if (wanted === 8 && headLength === 8) {
          try {
            wanted = 8 + readHeaderLength(Buffer.concat(head));
          } catch (error) {
            failure = new InvalidArtifact((error as Error).message);
            return callback(failure);
          }
          const more = chunk.subarray(take.length, take.length + wanted - 8);
          head.push(more);
          headLength += more.length;
        }
      }
      callback(null, chunk);
    },
  });
  return { stream, failure: () => failure, result: () => ({ sha256: hash.digest('hex'), size, head: Buffer.concat(head) }) };
}

export const handler = async (input: unknown): Promise<TrainingState> => {
  const { state, job } = await loadTask(input);
  if (isTerminal(job.status)) return { ...state, phase: 'done' };
  if (!job.remote) throw new InvalidArtifact('the job never reached the trainer');

  const output = await (await providerFor(job.remote)).result(job.remote);
  const response = await fetch(output.loraUrl).catch((error: Error) => {
    throw new TrainerUnavailable(`Could not download the LoRA: ${error.message}`);
  });
  if (!response.ok || !response.body) {
    if (response.status >= 500 || response.status === 429) throw new TrainerUnavailable(`The LoRA download answered ${response.status}.`);
    throw new InvalidArtifact(`the LoRA download answered ${response.status}`);
  }

  const fileName = safeFileName(output.fileName);
  const check = inspector();
  const body = pipeline(Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>), check.stream, () => undefined);
  try {
    await uploadStream(config.artifactsBucket, artifactKey(job.owner, job.id, fileName), body);
  } catch (error) {
    throw check.failure() ?? error;
  }
  const { sha256, size, head } = check.result();
  try {
    parseSafetensorsHeader(head, { fileSize: size });
  } catch (error) {
    throw new InvalidArtifact((error as Error).message);
  }

  const now = new Date();
  const saved = await updateJob(job, (current) => (isTerminal(current.status) ? null : complete(current, { fileName, sizeBytes: size, sha256 }, now)));
  logger.info('LoRA stored', { sizeBytes: size, status: saved.status });
  return { ...state, phase: 'done' };
};
