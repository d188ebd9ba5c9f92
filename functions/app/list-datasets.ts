// An owner's datasets, newest first.
import type { Dataset } from '#domain/schemas';
import { listDatasets } from '#adapters/dataset-store';

export const listOwnDatasets = (owner: string): Promise<Dataset[]> => listDatasets(owner);
