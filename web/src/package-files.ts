// Loose images and captions picked together are packaged into one zip in the browser, so they take the same
// upload, validation and versioning path as an archive.
/** What a dataset may hold: images, videos (for video trainers) and .txt captions. */
export const PACKABLE = /\.(jpe?g|png|webp|mp4|mov|webm|txt)$/i;

export interface Packaged {
  zip: File;
  skipped: string[];
}

export async function packageFiles(files: File[], onProgress: (fraction: number) => void): Promise<Packaged | { error: string }> {
  const kept = files.filter((file) => PACKABLE.test(file.name));
  const skipped = files.filter((file) => !PACKABLE.test(file.name)).map((file) => file.name);
  if (!kept.some((file) => !file.name.toLowerCase().endsWith('.txt'))) {
    return { error: 'Pick at least one image (JPG, PNG or WEBP), with its .txt caption of the same name if you have one.' };
  }
  // Loaded only when someone packages files, so the workspace itself stays small.
  const { default: JSZip } = await import('jszip');
  const zip = new JSZip();
  for (const file of kept) zip.file(file.name, file);
  // Images are compressed already: storing them is as small and far faster than deflating them again.
  const blob = await zip.generateAsync({ type: 'blob', compression: 'STORE' }, (meta) => onProgress(meta.percent / 100));
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
  return { zip: new File([blob], `dataset-${stamp}-${kept.length}-files.zip`, { type: 'application/zip' }), skipped };
}
