// A folder of images and captions as a zip, made on the fly: jszip streams each file from disk into the archive
// (streamFiles: sizes in data descriptors, nothing held in memory). The archive is made twice, once to learn its
// size (the presigned POST's policy wants the exact size up front) and once to send; the same files and dates
// give the same bytes, and the upload checks the second count against the first.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import JSZip from 'jszip';
import { zipFileNameProblem } from '#domain/safe-text';
import { usageError } from './errors';

export interface FolderFile {
  /** The name inside the archive: the path below the folder, with `/`. */
  name: string;
  path: string;
  mtime: Date;
}

/** Every regular file below `dir`, sorted by name (links and special files are left out). */
export async function listFolder(dir: string, prefix = ''): Promise<FolderFile[]> {
  const files: FolderFile[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listFolder(path, name)));
    else if (entry.isFile()) files.push({ name, path, mtime: (await stat(path)).mtime });
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The archive as a stream; call again for a second, identical one. */
export function zipFolderStream(files: FolderFile[]): Readable {
  const zip = new JSZip();
  for (const file of files) zip.file(file.name, createReadStream(file.path), { binary: true, date: file.mtime, createFolders: false });
  // jszip's stream is an old-style one: piped into a PassThrough it becomes an ordinary Readable.
  const out = new PassThrough();
  const generated = zip.generateNodeStream({ type: 'nodebuffer', streamFiles: true, compression: 'STORE' });
  generated.on('error', (error: Error) => out.destroy(error));
  generated.pipe(out);
  return out;
}

/** How many bytes the archive of these files has, by making it once. */
export async function zipFolderSize(files: FolderFile[]): Promise<number> {
  let size = 0;
  for await (const chunk of zipFolderStream(files)) size += (chunk as Buffer).length;
  return size;
}

/** The upload's file name for a folder: its own name with .zip, made plain where it is not. */
export function zipNameFor(dir: string): string {
  const plain = basename(dir.replace(/[/\\]+$/, '')).replace(/[^\p{L}\p{N}._ -]+/gu, '-').replace(/\.{2,}/g, '.').replace(/^[.\s-]+/, '').slice(0, 200);
  const name = `${plain || 'dataset'}.zip`;
  return zipFileNameProblem(name) ? 'dataset.zip' : name;
}

/** The folder's files, or a usage error saying it holds none. */
export async function folderFiles(dir: string): Promise<FolderFile[]> {
  const files = await listFolder(dir);
  if (files.length === 0) throw usageError(`The folder ${dir} holds no files. Put the images (and their .txt captions) in it and try again.`);
  return files;
}
