// What changed between two decided versions of a dataset, from their manifests.
import { diffBase, diffManifests } from '#domain/dataset-diff';
import type { DatasetDiff } from '#domain/schemas';
import { decidedVersion, versionFiles } from './list-dataset-files';

export async function diffDatasetVersions(owner: string, datasetId: string, version: number, from?: number): Promise<DatasetDiff> {
  const to = await decidedVersion(owner, datasetId, version);
  const base = from ?? diffBase(to);
  const toFiles = await versionFiles(owner, datasetId, version);
  if (base === version) return { from: base, to: version, added: [], removed: [], changed: [] };
  let fromFiles: Awaited<ReturnType<typeof versionFiles>> = [];
  if (base > 0) {
    await decidedVersion(owner, datasetId, base);
    fromFiles = await versionFiles(owner, datasetId, base);
  }
  return diffManifests({ version: base, files: fromFiles }, { version, files: toFiles });
}
