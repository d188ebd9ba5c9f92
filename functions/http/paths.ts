// The path parameters of the HTTP routes, with the bounds of the ids they name (identifiers.ts).
import { z } from 'zod';
import { ArtifactName, DatasetId, RecordId } from '#domain/schemas';

export const DatasetPath = z.object({ datasetId: DatasetId });
export const JobPath = z.object({ jobId: RecordId('job') });
export const JobArtifactPath = z.object({ jobId: RecordId('job'), name: ArtifactName });
export const AdapterPath = z.object({ adapterId: RecordId('adapter') });
export const AdapterArtifactPath = z.object({ adapterId: RecordId('adapter'), name: ArtifactName });
export const TokenPath = z.object({ tokenId: RecordId('token') });
export const SchedulePath = z.object({ scheduleId: RecordId('schedule') });
