// Reads a zip's central directory in the browser (no library, no decompression) so the upload panel can
// say what is inside before anything is sent.

export interface ZipPreview {
  files: number;
  images: number;
  videos: number;
  captions: number;
  other: number;
  /** A few image names, for the preview line. */
  sample: string[];
}

const IMAGE = /\.(jpe?g|png|webp|bmp|gif|tiff?|avif|heic)$/i;
const VIDEO = /\.(mp4|mov|webm|mkv|avi)$/i;
const CAPTION = /\.(txt|caption)$/i;

export const isZipName = (name: string) => /\.zip$/i.test(name);

/** Returns null when the file is not a readable zip (the server will still validate it). */
export async function previewZip(file: Blob): Promise<ZipPreview | null> {
  if (file.size < 22) return null;
  const head = new DataView(await file.slice(0, 4).arrayBuffer());
  if (head.getUint32(0, true) !== 0x04034b50 && head.getUint32(0, true) !== 0x06054b50) return null;
  const tailStart = Math.max(0, file.size - 65_557);
  const tail = new DataView(await file.slice(tailStart).arrayBuffer());
  let eocd = -1;
  for (let i = tail.byteLength - 22; i >= 0; i--) {
    if (tail.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const cdSize = tail.getUint32(eocd + 12, true);
  const cdOffset = tail.getUint32(eocd + 16, true);
  if (cdOffset === 0xffffffff || cdOffset + cdSize > file.size) return null; // zip64: leave it to the server
  const cd = new DataView(await file.slice(cdOffset, cdOffset + cdSize).arrayBuffer());
  const decoder = new TextDecoder();
  const preview: ZipPreview = { files: 0, images: 0, videos: 0, captions: 0, other: 0, sample: [] };
  let at = 0;
  while (at + 46 <= cd.byteLength && cd.getUint32(at, true) === 0x02014b50) {
    const nameLength = cd.getUint16(at + 28, true);
    const extraLength = cd.getUint16(at + 30, true);
    const commentLength = cd.getUint16(at + 32, true);
    const name = decoder.decode(new Uint8Array(cd.buffer, cd.byteOffset + at + 46, nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    const base = name.split('/').pop() ?? '';
    if (name.endsWith('/') || name.startsWith('__MACOSX/') || base.startsWith('.')) continue;
    preview.files++;
    if (IMAGE.test(name)) {
      preview.images++;
      if (preview.sample.length < 3) preview.sample.push(base);
    } else if (VIDEO.test(name)) preview.videos++;
    else if (CAPTION.test(name)) preview.captions++;
    else preview.other++;
  }
  return preview;
}
