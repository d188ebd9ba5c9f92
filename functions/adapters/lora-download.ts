// The trainer's LoRA file as a stream. A download that cannot start, or answers 5xx/429, is worth another try
// (TrainerUnavailable); any other refusal means the file is not there (InvalidArtifact).
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { InvalidArtifact } from '#domain/job-failures';
import { TrainerUnavailable } from '#providers/provider';

/** `what`: the file as messages name it. */
export async function downloadLora(url: string, what = 'LoRA'): Promise<Readable> {
  const response = await fetch(url).catch((error: Error) => {
    throw new TrainerUnavailable(`Could not download the ${what}: ${error.message}`);
  });
  if (!response.ok || !response.body) {
    if (response.status >= 500 || response.status === 429) throw new TrainerUnavailable(`The ${what} download answered ${response.status}.`);
    throw new InvalidArtifact(`the ${what} download answered ${response.status}`);
  }
  return Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
}
