// Importing a LoRA trained elsewhere: where its file is posted, and the check of that file (a safetensors header
// whose tensors are a LoRA's), with the trigger phrase its metadata names. Pure: the check function reads the
// header by ranged GETs (app/check-adapter-import.ts) and hands the bytes here.
import { Invalid } from './errors';
import { MalformedSafetensors, parseSafetensorsHeader, type SafetensorsHeader, type TensorInfo } from './safetensors';
import type { Adapter } from './schemas';

/**
 * The largest LoRA an import accepts. LoRAs of today's image and video models are 10 MB–1 GB (a rank-128 Flux
 * LoRA in F32 is about 1.2 GB at most); a bigger file is almost always a full checkpoint, which is refused anyway.
 */
export const IMPORT_MAX_BYTES = 2 * 1024 ** 3;
export const IMPORT_MAX_RULE = `A LoRA file is at most ${IMPORT_MAX_BYTES / 1024 ** 3} GiB; a bigger one is a full model, which cannot be imported as a LoRA.`;
/** How long the presigned POST of an import stays valid. */
export const IMPORT_UPLOAD_SECONDS = 3600;
/** Artifacts-bucket prefix of imported files: `imports/{owner}/{adapterId}/{fileName}` (owner URI-encoded). */
export const IMPORTS_PREFIX = 'imports/';

export const importKey = (owner: string, adapterId: string, fileName: string): string =>
  `${IMPORTS_PREFIX}${encodeURIComponent(owner)}/${adapterId}/${fileName}`;

/** The owner, adapter and file name an imported object's key names; null for any other key. */
export function parseImportKey(key: string): { owner: string; adapterId: string; fileName: string } | null {
  const match = /^imports\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(key);
  if (!match) return null;
  try {
    return { owner: decodeURIComponent(match[1]!), adapterId: match[2]!, fileName: match[3]! };
  } catch {
    return null;
  }
}

/** A posted file that is not a LoRA safetensors: the adapter ends INVALID with this code and message. */
export class LoraImportRefused extends Invalid {}

const WHAT_TO_DO = 'Import the LoRA file (.safetensors) your trainer wrote, or convert the file to safetensors first.';

/** Tensor names of the LoRA formats in use: kohya (lora_up/lora_down/alpha), PEFT/diffusers (lora_A/lora_B), LyCORIS. */
const LORA_TENSOR = /(^|[._])(lora_(up|down|A|B|mid)|lora\.(up|down)|hada_w[12]_[ab]|lokr_w[12](_[ab])?|alpha|dora_scale)([._]|$)/;
const FLOAT_DTYPES = new Set(['F16', 'BF16', 'F32', 'F64', 'F8_E4M3', 'F8_E5M2']);

export interface LoraCheck {
  /** Tensors of the LoRA (its up/down pairs and alphas). */
  tensorCount: number;
  /** The rank of its first up/down pair. */
  rank?: number;
  /** The trigger phrase its metadata names, if any. */
  triggerPhrase?: string;
  metadata: Record<string, string>;
}

/**
 * Checks a parsed header is a LoRA's: some tensors named as a LoRA's, all of them (alphas aside) weights of a
 * float dtype, each down/A matrix paired with its up/B one of the same rank. Any other tensors mean a full model.
 */
export function checkLoraTensors(header: SafetensorsHeader): LoraCheck {
  const { tensors, metadata } = header;
  if (tensors.length === 0) throw new LoraImportRefused('NOT_A_LORA', `This safetensors file holds no tensors, so it is not a LoRA. ${WHAT_TO_DO}`);
  const lora = tensors.filter((t) => LORA_TENSOR.test(t.name));
  const other = tensors.filter((t) => !LORA_TENSOR.test(t.name));
  if (lora.length === 0) {
    throw new LoraImportRefused('FULL_CHECKPOINT',
      `This is a full checkpoint, not a LoRA: none of its ${tensors.length} tensors (e.g. "${tensors[0]!.name}") is a LoRA weight (lora_up/lora_down, lora_A/lora_B). Import the LoRA your trainer wrote, not the base model.`);
  }
  if (other.length > 0 && other.length >= lora.length) {
    throw new LoraImportRefused('FULL_CHECKPOINT',
      `This is a full checkpoint (or a model with a LoRA merged in), not a LoRA: ${other.length} of its ${tensors.length} tensors are model weights (e.g. "${other[0]!.name}"). Import the LoRA file alone.`);
  }
  for (const tensor of lora) {
    if (!FLOAT_DTYPES.has(tensor.dtype)) {
      throw new LoraImportRefused('NOT_A_LORA', `Tensor "${tensor.name}" is ${tensor.dtype}; LoRA weights are floating point (F16, BF16, F32). ${WHAT_TO_DO}`);
    }
    const isAlpha = /(^|[._])alpha$/.test(tensor.name);
    if (isAlpha ? tensor.shape.length > 1 : tensor.shape.length < 1 || tensor.shape.length > 5) {
      throw new LoraImportRefused('NOT_A_LORA', `Tensor "${tensor.name}" has shape ${JSON.stringify(tensor.shape)}, which no LoRA weight has. ${WHAT_TO_DO}`);
    }
  }
  const rank = checkPairs(lora);
  const triggerPhrase = triggerPhraseOf(metadata);
  return { tensorCount: lora.length, ...(rank === undefined ? {} : { rank }), ...(triggerPhrase ? { triggerPhrase } : {}), metadata };
}

const PAIRS: [RegExp, string][] = [[/lora_down/, 'lora_up'], [/lora_A/, 'lora_B'], [/lora\.down/, 'lora.up']];

/** Each down (A) matrix has its up (B) matrix, and they agree on the rank: down is [rank, …], up is [out, rank, …]. */
function checkPairs(tensors: TensorInfo[]): number | undefined {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  let first: number | undefined;
  for (const down of tensors) {
    const pair = PAIRS.find(([pattern]) => pattern.test(down.name));
    if (!pair) continue;
    const upName = down.name.replace(pair[0], pair[1]);
    const up = byName.get(upName);
    if (!up) throw new LoraImportRefused('NOT_A_LORA', `Tensor "${down.name}" has no matching "${upName}": the LoRA is incomplete. ${WHAT_TO_DO}`);
    const rank = down.shape[0];
    if (up.shape.length < 2 || up.shape[1] !== rank) {
      throw new LoraImportRefused('NOT_A_LORA',
        `Tensors "${down.name}" ${JSON.stringify(down.shape)} and "${upName}" ${JSON.stringify(up.shape)} disagree on the rank: the file is damaged. ${WHAT_TO_DO}`);
    }
    first ??= rank;
  }
  return first;
}

/** Metadata keys that name the trigger phrase, strongest first (ours, the model spec's, kohya's and others'). */
const TRIGGER_KEYS = ['loraworks.trigger_phrase', 'modelspec.trigger_phrase', 'ss_trigger_phrase', 'trigger_phrase', 'trigger_word', 'ss_trigger_word', 'instance_prompt'];

/** The trigger phrase a LoRA's metadata names, else the most frequent tag of kohya's `ss_tag_frequency`. */
export function triggerPhraseOf(metadata: Record<string, string>): string | undefined {
  for (const key of TRIGGER_KEYS) {
    const value = metadata[key]?.trim();
    if (value) return value.slice(0, 100);
  }
  const frequency = metadata.ss_tag_frequency;
  if (!frequency) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(frequency);
  } catch {
    return undefined;
  }
  const counts = new Map<string, number>();
  for (const folder of Object.values(parsed && typeof parsed === 'object' ? parsed : {})) {
    for (const [tag, count] of Object.entries(folder && typeof folder === 'object' ? folder as Record<string, unknown> : {})) {
      const name = tag.trim();
      if (name && typeof count === 'number') counts.set(name, (counts.get(name) ?? 0) + count);
    }
  }
  let best: [string, number] | undefined;
  for (const entry of counts) if (!best || entry[1] > best[1]) best = entry;
  return best?.[0].slice(0, 100);
}

/**
 * Checks a file's first 8 + headerLength bytes (or the whole file) against its size: a safetensors file whose
 * tensors are a LoRA's. Refusals are LoraImportRefused, with what is wrong and what to do.
 */
export function checkLoraFile(head: Uint8Array, fileSize: number): LoraCheck {
  let header: SafetensorsHeader;
  try {
    header = parseSafetensorsHeader(head, { fileSize });
  } catch (error) {
    if (error instanceof MalformedSafetensors) throw new LoraImportRefused('NOT_SAFETENSORS', `Not a safetensors file: ${error.message} ${WHAT_TO_DO}`);
    throw error;
  }
  return checkLoraTensors(header);
}

/** The adapter an import creates: CHECKING until its file is posted and checked. */
export function newImport(id: string, request: { name: string; trainerId?: string; triggerPhrase?: string }, at: Date): Adapter {
  return {
    id,
    name: request.name,
    source: 'import',
    ...(request.trainerId ? { trainerId: request.trainerId } : {}),
    ...(request.triggerPhrase ? { triggerPhrase: request.triggerPhrase } : {}),
    artifacts: [],
    status: 'CHECKING',
    createdAt: at.toISOString(),
  };
}

/** An adapter whose files can be used: a registered job's, or an import once READY. */
export function adapterUsable(adapter: Pick<Adapter, 'status'>): boolean {
  return adapter.status === undefined || adapter.status === 'READY';
}
