// How to use an adapter in a generator: ready-to-paste snippets for fal's `loras` input and for the
// `<lora:name:weight>` prompt syntax (AUTOMATIC1111, Forge, ComfyUI prompt nodes). Shared by the web app and the CLI.
import type { AdapterArtifact } from './schemas';

export interface UsageSnippets {
  /** fal's image endpoints take `loras: [{path, scale}]` (one entry per LoRA file). */
  fal: string;
  /** The prompt syntax: the LoRA's file name without `.safetensors`, then its weight. */
  prompt: string;
}

/** The name the prompt syntax calls a LoRA file by: its file name without the extension, `:`, `<` and `>` left out. */
export const promptName = (fileName: string): string =>
  fileName.replace(/\.safetensors$/i, '').replace(/[:<>\s]+/g, '_') || 'lora';

/**
 * The snippets for an adapter's main LoRA (and a Wan 2.2 adapter's high-noise one): `links` are the download URLs
 * by file name; where a link is not known yet the snippet names the placeholder `<download url of NAME>`.
 */
export function usageSnippets(files: readonly AdapterArtifact[], links: Readonly<Record<string, string>>, triggerPhrase?: string): UsageSnippets {
  const loras = files.filter((f) => f.role === 'lora' || f.role === 'lora-high-noise');
  const path = (f: AdapterArtifact) => links[f.name] ?? `<download url of ${f.name}>`;
  const fal = JSON.stringify({ loras: loras.map((f) => ({ path: path(f), scale: 1 })) }, null, 2);
  const main = loras[0];
  const tag = main ? `<lora:${promptName(main.name)}:1>` : '';
  const prompt = [triggerPhrase?.trim(), tag].filter(Boolean).join(' ');
  return { fal, prompt };
}
