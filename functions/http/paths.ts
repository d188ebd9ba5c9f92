import { z } from 'zod';

export const DatasetPath = z.object({ datasetId: z.string().min(1).max(64) });
export const JobPath = z.object({ jobId: z.string().min(1).max(64) });
export const AdapterPath = z.object({ adapterId: z.string().min(1).max(64) });
