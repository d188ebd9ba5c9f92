import { describe, expect, it } from 'vitest';
import { buildSafetensors, parseSafetensorsHeader, readHeaderLength } from '#domain/safetensors';

const withHeader = (header: string, dataBytes = 0) => {
  const json = new TextEncoder().encode(header);
  const file = new Uint8Array(8 + json.byteLength + dataBytes);
  new DataView(file.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  file.set(json, 8);
  return file;
};

describe('safetensors files', () => {
  it('round-trips tensors and metadata', () => {
    const data = new Uint8Array(2 * 4 * 2).map((_, index) => index);
    const file = buildSafetensors(
      [{ name: 'a.lora_A.weight', dtype: 'F16', shape: [2, 4], data }, { name: 'a.lora_B.weight', dtype: 'F32', shape: [4, 2] }],
      { trigger_word: 'ohwx' },
    );
    const header = parseSafetensorsHeader(file);
    expect(header.metadata).toEqual({ trigger_word: 'ohwx' });
    expect(header.tensors).toEqual([
      { name: 'a.lora_A.weight', dtype: 'F16', shape: [2, 4], dataOffsets: [0, 16] },
      { name: 'a.lora_B.weight', dtype: 'F32', shape: [4, 2], dataOffsets: [16, 48] },
    ]);
    expect(header.dataStart % 8).toBe(0);
    expect(file.subarray(header.dataStart, header.dataStart + 16)).toEqual(data);
    expect(file.byteLength).toBe(header.dataStart + 48);
  });

  it('reads the header length from the first 8 bytes and parses a header prefix given the file size', () => {
    const file = buildSafetensors([{ name: 'w', dtype: 'F32', shape: [100] }], {});
    const length = readHeaderLength(file.subarray(0, 8));
    const header = parseSafetensorsHeader(file.subarray(0, 8 + length), { fileSize: file.byteLength });
    expect(header.tensors[0]?.dataOffsets).toEqual([0, 400]);
  });

  it('refuses tensor data of the wrong size when building', () => {
    expect(() => buildSafetensors([{ name: 'w', dtype: 'F16', shape: [4], data: new Uint8Array(3) }], {})).toThrow(/needs 8/);
  });

  it.each([
    ['a header longer than the file', withHeader('{}').subarray(0, 9), /truncated or not safetensors/],
    ['fewer than 8 bytes', new Uint8Array(4), /8 length bytes/],
    ['a header that is not JSON', withHeader('{"a": '), /not valid JSON/],
    ['a header that is not an object', withHeader('[1,2]'), /must be a JSON object/],
    ['offsets beyond the data', withHeader('{"w":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}}', 4), /outside the 4-byte data section/],
    ['offsets that disagree with the shape', withHeader('{"w":{"dtype":"F16","shape":[4],"data_offsets":[0,6]}}', 6), /needs 8/],
    ['an unknown dtype', withHeader('{"w":{"dtype":"F17","shape":[1],"data_offsets":[0,2]}}', 2), /unknown dtype/],
    ['trailing bytes', withHeader('{"w":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}', 5), /trailing bytes/],
    ['non-string metadata', withHeader('{"__metadata__":{"steps":100}}'), /must be a string/],
  ])('rejects %s', (_, bytes, message) => {
    expect(() => parseSafetensorsHeader(bytes)).toThrow(message);
  });

  it('rejects an absurd header length before reading it', () => {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 40n, true);
    expect(() => readHeaderLength(bytes)).toThrow(/limit/);
  });
});
