// A small but real LoRA file for the trainer emulator: F16 lora_A/lora_B pairs with seeded values, and
// metadata that records what it was trained with.
import { buildSafetensors, type TensorInput } from '#domain/safetensors';

const RANK = 4;
const WIDTH = 64;
const BLOCKS = 2;

export interface LoraSpec {
  requestId: string;
  endpoint: string;
  triggerPhrase?: string;
  steps: number;
}

export function buildEmulatedLora(spec: LoraSpec): Uint8Array {
  const random = seeded(spec.requestId);
  const tensors: TensorInput[] = [];
  for (let block = 0; block < BLOCKS; block++) {
    for (const projection of ['to_q', 'to_v']) {
      const prefix = `transformer.single_transformer_blocks.${block}.attn.${projection}`;
      tensors.push({ name: `${prefix}.lora_A.weight`, dtype: 'F16', shape: [RANK, WIDTH], data: halves(RANK * WIDTH, random) });
      tensors.push({ name: `${prefix}.lora_B.weight`, dtype: 'F16', shape: [WIDTH, RANK], data: halves(RANK * WIDTH, random) });
    }
  }
  return buildSafetensors(tensors, {
    format: 'pt',
    trainer: spec.endpoint,
    trigger_word: spec.triggerPhrase ?? '',
    steps: String(spec.steps),
    lora_rank: String(RANK),
    request_id: spec.requestId,
    generator: 'loraworks-trainer-emulator',
  });
}

function halves(count: number, random: () => number): Uint8Array {
  const bytes = new Uint8Array(count * 2);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < count; index++) view.setUint16(index * 2, toHalf((random() - 0.5) * 0.02), true);
  return bytes;
}

/** IEEE 754 binary16 of a small float; subnormals flush to zero, which is fine for weights this size. */
export function toHalf(value: number): number {
  const bits = new Uint32Array(new Float32Array([value]).buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  if (exponent <= 0) return sign;
  if (exponent >= 31) return sign | 0x7c00;
  return sign | (exponent << 10) | ((bits & 0x7fffff) >>> 13);
}

/** mulberry32 seeded from a string, so the same request always yields the same file. */
function seeded(seed: string): () => number {
  let state = 0;
  for (const char of seed) state = (Math.imul(state, 31) + char.charCodeAt(0)) | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** The same LoRA grown to `megabytes` (exactly, unless smaller than the LoRA itself) by a zero-filled U8 tensor at the end of the data section, as
 * parts: the real bytes, then a count of zeros that is streamed and never held in memory. */
export function buildLargeEmulatedLora(spec: LoraSpec, megabytes: number): [Uint8Array, { zeros: number }] {
  const small = buildEmulatedLora(spec);
  const view = new DataView(small.buffer, small.byteOffset, small.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(small.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  const data = small.subarray(8 + headerLength);
  const target = Math.round(megabytes * 1024 * 1024);
  // The padding's size is written into the header, whose length moves the padding's size: settle both.
  let padding = Math.max(0, target - small.byteLength);
  let head = small;
  for (let round = 0; round < 4; round++) {
    header['emulator.padding'] = { dtype: 'U8', shape: [padding], data_offsets: [data.byteLength, data.byteLength + padding] };
    const json = new TextEncoder().encode(JSON.stringify(header));
    const headerBytes = new Uint8Array(json.byteLength + ((8 - (json.byteLength % 8)) % 8)).fill(0x20);
    headerBytes.set(json);
    head = new Uint8Array(8 + headerBytes.byteLength + data.byteLength);
    new DataView(head.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
    head.set(headerBytes, 8);
    head.set(data, 8 + headerBytes.byteLength);
    const next = Math.max(0, target - head.byteLength);
    if (next === padding) break;
    padding = next;
  }
  return [head, { zeros: padding }];
}
