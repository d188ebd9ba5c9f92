// The safetensors container: an 8-byte little-endian header length, a JSON header (tensor name → dtype, shape,
// byte offsets into the data section; optional "__metadata__" of strings), then the tensor bytes.
// Collect checks every stored LoRA with parseSafetensorsHeader; the emulator writes its LoRAs with buildSafetensors.

export type SafetensorsDtype =
  | 'BOOL' | 'U8' | 'I8' | 'F8_E4M3' | 'F8_E5M2' | 'I16' | 'U16' | 'F16' | 'BF16' | 'I32' | 'U32' | 'F32' | 'I64' | 'U64' | 'F64';

const DTYPE_BYTES: Record<SafetensorsDtype, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8,
};

/** Headers above this are refused (the reference implementation's limit), so a corrupt length cannot make a reader allocate gigabytes. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface TensorInput {
  name: string;
  dtype: 'F16' | 'F32';
  shape: number[];
  /** Raw little-endian bytes; zeros when absent. */
  data?: Uint8Array;
}

export interface TensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** [begin, end) relative to the start of the data section. */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  metadata: Record<string, string>;
  tensors: TensorInfo[];
  /** Byte length of the JSON header (the value of the first 8 bytes). */
  headerLength: number;
  /** Offset of the data section from the start of the file. */
  dataStart: number;
}

export class MalformedSafetensors extends Error {
  override readonly name = 'MalformedSafetensors';
}

const elementCount = (shape: readonly number[]) => shape.reduce((count, size) => count * size, 1);

export function buildSafetensors(tensors: TensorInput[], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const chunks: Uint8Array[] = [];
  for (const tensor of tensors) {
    if (tensor.name === '__metadata__' || tensor.name in header) throw new Error(`Tensor name "${tensor.name}" is reserved or repeated.`);
    const size = elementCount(tensor.shape) * DTYPE_BYTES[tensor.dtype];
    const data = tensor.data ?? new Uint8Array(size);
    if (data.byteLength !== size) {
      throw new Error(`Tensor "${tensor.name}" has ${data.byteLength} bytes; ${tensor.dtype} ${JSON.stringify(tensor.shape)} needs ${size}.`);
    }
    header[tensor.name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + size] };
    chunks.push(data);
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
  const headerBytes = new Uint8Array(json.byteLength + ((8 - (json.byteLength % 8)) % 8)).fill(0x20);
  headerBytes.set(json);
  const file = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(file.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  file.set(headerBytes, 8);
  let at = 8 + headerBytes.byteLength;
  for (const chunk of chunks) {
    file.set(chunk, at);
    at += chunk.byteLength;
  }
  return file;
}

/** The JSON header's length from a file's first 8 bytes, so a streaming reader knows how much more to read. */
export function readHeaderLength(first8Bytes: Uint8Array): number {
  if (first8Bytes.byteLength < 8) throw new MalformedSafetensors(`A safetensors file starts with 8 length bytes; got only ${first8Bytes.byteLength}.`);
  const length = new DataView(first8Bytes.buffer, first8Bytes.byteOffset, 8).getBigUint64(0, true);
  if (length < 2n) throw new MalformedSafetensors(`The safetensors header length is ${length}, too small for a JSON header.`);
  if (length > BigInt(MAX_HEADER_BYTES)) throw new MalformedSafetensors(`The safetensors header claims ${length} bytes, above the ${MAX_HEADER_BYTES}-byte limit: the file is not safetensors or is corrupt.`);
  return Number(length);
}

/**
 * Parses and checks the header. `bytes` is the whole file, or its first 8 + headerLength bytes with
 * `fileSize` the full size (a streaming reader), so tensor offsets can be checked against the real data size.
 */
export function parseSafetensorsHeader(bytes: Uint8Array, options: { fileSize?: number } = {}): SafetensorsHeader {
  const fileSize = options.fileSize ?? bytes.byteLength;
  const headerLength = readHeaderLength(bytes);
  const dataStart = 8 + headerLength;
  if (dataStart > fileSize) {
    throw new MalformedSafetensors(`The safetensors header claims ${headerLength} bytes but the file has only ${fileSize - 8} after the length: the file is truncated or not safetensors.`);
  }
  if (dataStart > bytes.byteLength) throw new MalformedSafetensors(`Need the first ${dataStart} bytes to read the header; got ${bytes.byteLength}.`);

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (error) {
    throw new MalformedSafetensors(`The safetensors header is not valid JSON (${(error as Error).message}).`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new MalformedSafetensors('The safetensors header must be a JSON object.');
  }

  const dataSize = fileSize - dataStart;
  let metadata: Record<string, string> = {};
  const tensors: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = checkMetadata(entry);
      continue;
    }
    tensors.push(checkTensor(name, entry, dataSize));
  }
  checkCoverage(tensors, dataSize);
  return { metadata, tensors, headerLength, dataStart };
}

function checkMetadata(entry: unknown): Record<string, string> {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new MalformedSafetensors('"__metadata__" must be an object of strings.');
  for (const [key, value] of Object.entries(entry)) {
    if (typeof value !== 'string') throw new MalformedSafetensors(`Metadata "${key}" must be a string.`);
  }
  return entry as Record<string, string>;
}

function checkTensor(name: string, entry: unknown, dataSize: number): TensorInfo {
  const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) throw new MalformedSafetensors(`Tensor "${name}" has an unknown dtype ${JSON.stringify(dtype)}.`);
  if (!Array.isArray(shape) || !shape.every((size) => Number.isInteger(size) && size >= 0)) {
    throw new MalformedSafetensors(`Tensor "${name}" has an invalid shape ${JSON.stringify(shape)}.`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((value) => Number.isInteger(value) && value >= 0)) {
    throw new MalformedSafetensors(`Tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}.`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataSize) {
    throw new MalformedSafetensors(`Tensor "${name}" spans bytes ${begin}..${end}, outside the ${dataSize}-byte data section.`);
  }
  const expected = elementCount(shape) * DTYPE_BYTES[dtype as SafetensorsDtype];
  if (end - begin !== expected) {
    throw new MalformedSafetensors(`Tensor "${name}" holds ${end - begin} bytes; ${dtype} ${JSON.stringify(shape)} needs ${expected}.`);
  }
  return { name, dtype: dtype as SafetensorsDtype, shape: shape as number[], dataOffsets: [begin, end] };
}

/** Tensors must tile the data section exactly: no overlaps, no gaps, nothing after the last one. */
function checkCoverage(tensors: TensorInfo[], dataSize: number): void {
  const sorted = [...tensors].sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0]);
  let expected = 0;
  for (const tensor of sorted) {
    if (tensor.dataOffsets[0] !== expected) {
      throw new MalformedSafetensors(`Tensor "${tensor.name}" starts at byte ${tensor.dataOffsets[0]} of the data section; expected ${expected} (tensors overlap or leave a gap).`);
    }
    expected = tensor.dataOffsets[1];
  }
  if (expected !== dataSize) {
    throw new MalformedSafetensors(`The tensors cover ${expected} bytes but the data section has ${dataSize}: the file is truncated or has trailing bytes.`);
  }
}
