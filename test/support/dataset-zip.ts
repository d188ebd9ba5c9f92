// Dataset archives for tests: captioned PNG images in a zip, as a person would upload them.
import JSZip from 'jszip';
import { makePng } from './png';

export interface DatasetOptions {
  images?: number;
  size?: number;
  captions?: boolean;
  extra?: Record<string, string | Uint8Array>;
}

export async function makeDatasetZip({ images = 4, size = 64, captions = true, extra = {} }: DatasetOptions = {}): Promise<Buffer> {
  const zip = new JSZip();
  for (let i = 1; i <= images; i++) {
    const name = `photo-${String(i).padStart(2, '0')}`;
    zip.file(`${name}.png`, makePng(size, size, i));
    if (captions) zip.file(`${name}.txt`, `a photo of [trigger], sample ${i}`);
  }
  for (const [name, content] of Object.entries(extra)) zip.file(name, content);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}
