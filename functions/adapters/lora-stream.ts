// The stream stages Collect pipes the trainer's LoRA through on its way to S3: one that rewrites the
// safetensors header with the training facts, and one that hashes and counts the bytes actually stored.
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { rewriteHeader } from '#domain/lora-metadata';
import { readHeaderLength } from '#domain/safetensors';

/** Holds back the first 8 + headerLength bytes, emits them rewritten, then passes the rest unchanged. */
export function headerRewriter(metadata: Record<string, string>) {
  const held: Buffer[] = [];
  let heldBytes = 0;
  let wanted = 8;
  let done = false;
  let originalHead: Buffer | undefined;
  let storedHead: Buffer | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (done) return callback(null, chunk);
      held.push(chunk);
      heldBytes += chunk.length;
      try {
        if (wanted === 8 && heldBytes >= 8) wanted = 8 + readHeaderLength(Buffer.concat(held).subarray(0, 8));
        if (heldBytes < wanted) return callback();
        const all = Buffer.concat(held);
        originalHead = all.subarray(0, wanted);
        storedHead = Buffer.from(rewriteHeader(originalHead, metadata));
        done = true;
        held.length = 0;
        this.push(storedHead);
        callback(null, all.subarray(wanted));
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback) {
      // Shorter than its own header claims: pass what there is, and let the check after the upload say why.
      if (!done && heldBytes > 0) this.push(Buffer.concat(held));
      callback();
    },
  });
  return { stream, storedHead: () => storedHead };
}

/** Passes bytes through while hashing and counting them. */
export function hasher() {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  return { stream, result: () => ({ sha256: hash.digest('hex'), size }) };
}
