import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hasher, headerRewriter } from '#adapters/lora-stream';
import { metadataOf, rewriteHeader } from '#domain/lora-metadata';
import { buildSafetensors, parseSafetensorsHeader } from '#domain/safetensors';

const lora = Buffer.from(buildSafetensors([
  { name: 'a.lora_A', dtype: 'F16', shape: [4, 8], data: new Uint8Array(64).map((_, i) => i) },
  { name: 'a.lora_B', dtype: 'F16', shape: [8, 4] },
], { format: 'pt', ss_network_dim: '4' }));
const facts = { jobId: 'J1', trainerId: 'fal-ai/x', triggerPhrase: 'ohwx "cat"', steps: 600, learningRate: 0.0004, datasetId: 'D', datasetVersion: 3, datasetSha256: 'ab'.repeat(32) };

describe('the training facts in the stored LoRA', () => {
  it('merges them into __metadata__, keeps the trainer’s keys, and keeps the data section aligned', () => {
    const head = lora.subarray(0, parseSafetensorsHeader(lora).dataStart);
    const rewritten = rewriteHeader(head, metadataOf(facts));
    const file = Buffer.concat([rewritten, lora.subarray(head.length)]);
    const parsed = parseSafetensorsHeader(file);
    expect(parsed.metadata).toEqual({
      format: 'pt', ss_network_dim: '4', 'loraworks.job_id': 'J1', 'loraworks.trainer': 'fal-ai/x',
      'loraworks.trigger_phrase': 'ohwx "cat"', 'modelspec.trigger_phrase': 'ohwx "cat"', 'loraworks.steps': '600',
      'loraworks.learning_rate': '0.0004', 'loraworks.dataset_id': 'D', 'loraworks.dataset_version': '3', 'loraworks.dataset_sha256': 'ab'.repeat(32),
    });
    expect(parsed.dataStart % 8).toBe(0);
    expect(parsed.tensors.map((t) => t.dataOffsets)).toEqual(parseSafetensorsHeader(lora).tensors.map((t) => t.dataOffsets));
  });

  it('rewrites while streaming, whatever the chunking, and hashes the bytes it passes on', async () => {
    for (const chunkSize of [1, 7, 8, 100, lora.length]) {
      const rewriter = headerRewriter(metadataOf(facts));
      const count = hasher();
      const out: Buffer[] = [];
      const chunks = Array.from({ length: Math.ceil(lora.length / chunkSize) }, (_, i) => lora.subarray(i * chunkSize, (i + 1) * chunkSize));
      await pipeline(Readable.from(chunks), rewriter.stream, count.stream, async function* (source) {
        for await (const chunk of source) out.push(chunk as Buffer);
      });
      const stored = Buffer.concat(out);
      expect(parseSafetensorsHeader(stored).metadata['loraworks.job_id'], `chunks of ${chunkSize}`).toBe('J1');
      expect(count.result()).toEqual({ sha256: createHash('sha256').update(stored).digest('hex'), size: stored.length });
      expect(rewriter.storedHead()!.equals(stored.subarray(0, rewriter.storedHead()!.length))).toBe(true);
    }
  });

  it('refuses a file whose first bytes are not a safetensors header', async () => {
    const rewriter = headerRewriter({});
    await expect(pipeline(Readable.from([Buffer.from('<html>gone</html>')]), rewriter.stream, async function* (s) { for await (const _ of s); }))
      .rejects.toThrow(/header/);
  });
});
