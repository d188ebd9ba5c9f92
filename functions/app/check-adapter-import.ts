// The check of an imported LoRA, run by the S3 notification of each object under imports/: its safetensors header
// read by two ranged GETs (the 8 length bytes, then the header, at most 100 MB as the format says), its tensors
// checked to be a LoRA's, its metadata read for a trigger phrase, the file hashed by streaming. The adapter ends
// READY with the file or INVALID with what is wrong. Duplicate events check once (a claim on the record).
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { isDomainError } from '#domain/errors';
import { checkLoraFile, parseImportKey } from '#domain/lora-import';
import { readHeaderLength } from '#domain/safetensors';
import { objectSize, readObject } from '#adapters/blob-store';
import { logger } from '#adapters/logger';
import { claimImportCheck, finishImportCheck, getRegisteredLora, releaseImportCheck } from '#adapters/lora-registry-store';
import type { UploadedObject } from './validate-dataset-version';

type Outcome = 'ignored' | 'already-checked' | 'READY' | 'INVALID';

async function readRange(bucket: string, key: string, start: number, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await readObject(bucket, key, { start, end: start + length - 1 })) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function sha256Of(bucket: string, key: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(await readObject(bucket, key), async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) hash.update(chunk);
  });
  return hash.digest('hex');
}

/** The header bytes the check needs: the first 8, then the header they announce when the file is long enough to hold it. */
async function headOf(bucket: string, key: string, size: number): Promise<Buffer> {
  const first = await readRange(bucket, key, 0, Math.min(8, size));
  let length: number;
  try {
    length = readHeaderLength(first);
  } catch {
    return first; // checkLoraFile says what is wrong with it
  }
  if (8 + length > size) return first;
  return Buffer.concat([first, await readRange(bucket, key, 8, length)]);
}

export async function checkImport(object: UploadedObject, leaseMs: number, now = () => new Date()): Promise<Outcome> {
  const target = parseImportKey(object.key);
  if (!target) return 'ignored';
  const { owner, adapterId, fileName } = target;
  const found = await getRegisteredLora(owner, adapterId);
  if (!found || found.importFile?.fileName !== fileName) {
    logger.warn('Ignored an import object no import waits for', { key: object.key });
    return 'ignored';
  }
  const at = now();
  if (!(await claimImportCheck(owner, adapterId, at, new Date(at.getTime() - leaseMs)))) return 'already-checked';
  try {
    const size = await objectSize(object.bucket, object.key);
    const check = checkLoraFile(await headOf(object.bucket, object.key, size), size);
    const sha256 = await sha256Of(object.bucket, object.key);
    const triggerPhrase = found.adapter.triggerPhrase || check.triggerPhrase;
    await finishImportCheck(owner, adapterId, {
      status: 'READY',
      artifacts: [{ name: fileName, role: 'lora', sizeBytes: size, sha256 }],
      artifact: { fileName, sizeBytes: size, sha256 },
      ...(triggerPhrase ? { triggerPhrase } : {}),
    });
    logger.info('Imported a LoRA', { adapterId, tensors: check.tensorCount, rank: check.rank, sizeBytes: size });
    return 'READY';
  } catch (error) {
    if (!isDomainError(error)) {
      // Storage failed, not the file: free the claim so S3's retry of this event checks it again.
      await releaseImportCheck(owner, adapterId).catch(() => undefined);
      throw error;
    }
    await finishImportCheck(owner, adapterId, { status: 'INVALID', error: { code: error.code, message: error.message } });
    logger.info('Refused an imported file', { adapterId, code: error.code });
    return 'INVALID';
  }
}

/** Checks an S3 event's objects in turn; a claim outlives this invocation (`remainingMs`, when known) by a margin. */
export async function checkImports(objects: readonly UploadedObject[], remainingMs: number | undefined): Promise<void> {
  const leaseMs = (remainingMs ?? 120_000) + 5_000;
  for (const object of objects) logger.info('Checked an import object', { key: object.key, outcome: await checkImport(object, leaseMs) });
}
