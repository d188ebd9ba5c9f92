// The browser's side of the API: the shared typed client, and the upload that needs XMLHttpRequest.
export { ApiClient, ApiError, apiErrorFrom, asksToSignIn, type JobRequest } from '#http/api-client';

/**
 * Send the file to the presigned POST with XMLHttpRequest: fetch cannot report upload progress.
 * Fields come first, the file last, as S3 requires.
 */
export function uploadToPresignedPost(
  upload: { url: string; fields: Record<string, string> },
  file: Blob,
  onProgress: (fraction: number) => void,
): { done: Promise<void>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<void>((resolve, reject) => {
    const form = new FormData();
    for (const [key, value] of Object.entries(upload.fields)) form.append(key, value);
    form.append('file', file);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else {
        const s3Message = /<Message>([^<]*)<\/Message>/.exec(xhr.responseText)?.[1];
        reject(new Error(`Storage refused the upload (HTTP ${xhr.status})${s3Message ? `: ${s3Message}` : '.'}`));
      }
    };
    xhr.onerror = () => reject(new Error('The upload was interrupted. Check your connection and try again.'));
    xhr.onabort = () => reject(new Error('Upload cancelled.'));
    xhr.open('POST', upload.url);
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}
