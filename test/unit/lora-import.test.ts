// The check of an imported LoRA file (pure: the bytes of its header and its size), the trigger phrase its
// metadata names, and the usage snippets every adapter shows.
import { describe, expect, it } from 'vitest';
import { usageSnippets } from '#domain/adapter-usage';
import { checkLoraFile, importKey, parseImportKey, triggerPhraseOf } from '#domain/lora-import';
import { buildSafetensors } from '#domain/safetensors';

const goodLora = (metadata: Record<string, string> = {}) => buildSafetensors([
  { name: 'lora_unet_down_blocks_0.lora_down.weight', dtype: 'F16', shape: [4, 32] },
  { name: 'lora_unet_down_blocks_0.lora_up.weight', dtype: 'F16', shape: [16, 4] },
  { name: 'lora_unet_down_blocks_0.alpha', dtype: 'F32', shape: [] },
], metadata);

describe('checking an imported LoRA file', () => {
  it('accepts a kohya LoRA and a PEFT one, with their rank', () => {
    expect(checkLoraFile(goodLora(), goodLora().byteLength)).toMatchObject({ tensorCount: 3, rank: 4 });
    const peft = buildSafetensors([
      { name: 'transformer.blocks.0.attn.to_q.lora_A.weight', dtype: 'F32', shape: [8, 64] },
      { name: 'transformer.blocks.0.attn.to_q.lora_B.weight', dtype: 'F32', shape: [64, 8] },
    ], {});
    expect(checkLoraFile(peft, peft.byteLength)).toMatchObject({ tensorCount: 2, rank: 8 });
  });

  it('reads only the header: the first 8 + headerLength bytes with the full size', () => {
    const file = goodLora({ ss_trigger_phrase: 'ohwx dog' });
    const length = Number(new DataView(file.buffer).getBigUint64(0, true));
    expect(checkLoraFile(file.subarray(0, 8 + length), file.byteLength).triggerPhrase).toBe('ohwx dog');
  });

  it('refuses a full checkpoint, saying it is one', () => {
    const checkpoint = buildSafetensors([
      { name: 'model.diffusion_model.input_blocks.0.0.weight', dtype: 'F16', shape: [8, 4] },
      { name: 'model.diffusion_model.input_blocks.0.0.bias', dtype: 'F16', shape: [8] },
    ], {});
    expect(() => checkLoraFile(checkpoint, checkpoint.byteLength)).toThrow(/full checkpoint, not a LoRA/);
    expect(() => checkLoraFile(checkpoint, checkpoint.byteLength)).toThrow(expect.objectContaining({ code: 'FULL_CHECKPOINT', status: 422 }));
  });

  it('refuses what is not safetensors, a truncated header and a header length past the file', () => {
    const zip = new TextEncoder().encode('PK\u0003\u0004 this is a zip, not a LoRA');
    expect(() => checkLoraFile(zip, zip.byteLength)).toThrow(/^Not a safetensors file: /);
    const file = goodLora();
    expect(() => checkLoraFile(file.subarray(0, 5), file.byteLength)).toThrow(/Not a safetensors file: .*8 length bytes/);
    const length = Number(new DataView(file.buffer).getBigUint64(0, true));
    expect(() => checkLoraFile(file.subarray(0, 8 + length), 8 + length - 10)).toThrow(/Not a safetensors file: .*truncated/);
    const cut = file.subarray(0, file.byteLength - 4);
    expect(() => checkLoraFile(cut, cut.byteLength)).toThrow(/Not a safetensors file: .*(truncated|outside)/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    expect(() => checkLoraFile(huge, 1 << 20)).toThrow(/Not a safetensors file: .*limit/);
  });

  it('refuses an up matrix of another rank and a down matrix without its up', () => {
    const mismatched = buildSafetensors([
      { name: 'a.lora_down.weight', dtype: 'F16', shape: [4, 32] },
      { name: 'a.lora_up.weight', dtype: 'F16', shape: [16, 8] },
    ], {});
    expect(() => checkLoraFile(mismatched, mismatched.byteLength)).toThrow(/disagree on the rank/);
    const alone = buildSafetensors([{ name: 'a.lora_A.weight', dtype: 'F16', shape: [4, 32] }], {});
    expect(() => checkLoraFile(alone, alone.byteLength)).toThrow(/no matching "a.lora_B.weight"/);
  });
});

describe('the trigger phrase of an imported LoRA', () => {
  it('comes from the metadata keys trainers write, ours first', () => {
    expect(triggerPhraseOf({ 'modelspec.trigger_phrase': 'sks cat', ss_trigger_phrase: 'other' })).toBe('sks cat');
    expect(triggerPhraseOf({ trigger_word: 'TOK' })).toBe('TOK');
    expect(triggerPhraseOf({})).toBeUndefined();
  });

  it('else is the most frequent tag of ss_tag_frequency', () => {
    const frequency = JSON.stringify({ '10_ohwx': { ohwx: 12, ' smiling': 3 }, '5_more': { ohwx: 5, outdoors: 14 } });
    expect(triggerPhraseOf({ ss_tag_frequency: frequency })).toBe('ohwx');
    expect(triggerPhraseOf({ ss_tag_frequency: 'not json' })).toBeUndefined();
  });
});

describe('import keys and usage snippets', () => {
  it('round-trips an import key with an owner that needs encoding', () => {
    const key = importKey('alice|x@y', '01ABC', 'faces.safetensors');
    expect(key).toBe('imports/alice%7Cx%40y/01ABC/faces.safetensors');
    expect(parseImportKey(key)).toEqual({ owner: 'alice|x@y', adapterId: '01ABC', fileName: 'faces.safetensors' });
    expect(parseImportKey('loras/a/b/c')).toBeNull();
  });

  it('builds fal\'s loras input and the prompt syntax, both LoRAs of a Wan 2.2 adapter', () => {
    const files = [
      { name: 'wan-low.safetensors', role: 'lora' as const, sizeBytes: 1, sha256: 'a' },
      { name: 'wan-high.safetensors', role: 'lora-high-noise' as const, sizeBytes: 1, sha256: 'b' },
    ];
    const snippets = usageSnippets(files, { 'wan-low.safetensors': 'https://x/low' }, 'ohwx');
    expect(JSON.parse(snippets.fal)).toEqual({ loras: [{ path: 'https://x/low', scale: 1 }, { path: '<download url of wan-high.safetensors>', scale: 1 }] });
    expect(snippets.prompt).toBe('ohwx <lora:wan-low:1>');
  });
});
