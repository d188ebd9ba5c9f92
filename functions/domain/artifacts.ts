/** `loras/{owner}/{jobId}/{fileName}` in the artifacts bucket (owner URI-encoded, as for dataset keys). */
export const artifactKey = (owner: string, jobId: string, fileName: string): string =>
  `loras/${encodeURIComponent(owner)}/${jobId}/${fileName}`;
