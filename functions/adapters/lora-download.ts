// The trainer's LoRA file as a stream. A download that cannot start, or answers 5xx/429, is worth another try
// (TrainerUnavailable); any other refusal means the file is not there (InvalidArtifact).
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { InvalidArtifact } from '#domain/job-failures';
import { TrainerUnavailable } from '#providers/provider';

export async function downloadLora(url: string): Promise<Readable> {
  const response = await fetch(url).catch((error: Error) => {
    throw new TrainerUnavailable(`Could not download the LoRA: ${error.message}`);
  });
  if (!response.ok || !response.body) {
    if (response.status >= 500 || response.status === 429) throw new TrainerUnavailable(`The LoRA download answered ${response.status}.`);
    throw new InvalidArtifact(`the LoRA download answered ${response.status}`);
  }
  return Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
}
