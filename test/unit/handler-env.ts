// Environment and fixtures the handler tests share. Imported first, so config reads these values.
import './quiet-logs';
process.env.TABLE_NAME = 'loraworks-test';
process.env.DATASETS_BUCKET = 'datasets-test';
process.env.ARTIFACTS_BUCKET = 'artifacts-test';
process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:Training';
process.env.WS_MANAGEMENT_URL = 'https://ws.example.test/prod';
process.env.JWT_ISSUER = 'https://issuer.example.test';
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
process.env.UPLOAD_ROLE_ID = 'AROAUPLOADROLETEST';
process.env.UPLOAD_ROLE_ARN = 'arn:aws:iam::123456789012:role/ToolingUpload';

export const TRAINER_ID = 'fal-ai/flux-lora-fast-training';

export const readyVersion = (images = 6, status: 'READY' | 'VALIDATING' | 'INVALID' = 'READY') => ({
  PK: 'OWNER#alice', SK: 'DSV#ds1#000001', type: 'DatasetVersion', owner: 'alice', datasetId: 'ds1',
  version: 1, status, sizeBytes: 1000, fileName: 'set.zip', source: 'web', createdAt: '2025-01-01T00:00:00.000Z',
  report: { images, videos: 0, captions: 0, pairs: 0, errors: [], warnings: [], fitsTrainers: [TRAINER_ID] },
});

export const datasetItem = { PK: 'OWNER#alice', SK: 'DS#ds1', type: 'Dataset', owner: 'alice', id: 'ds1', name: 'Faces', createdAt: '2025-01-01T00:00:00.000Z', latestVersion: 1 };

export const jobItem = (patch: Record<string, unknown> = {}) => ({
  PK: 'OWNER#alice', SK: 'JOB#01JOB', GSI1PK: 'JOB#01JOB', GSI1SK: 'JOB', type: 'Job', owner: 'alice',
  id: '01JOB', status: 'QUEUED', trainerId: TRAINER_ID, datasetId: 'ds1', datasetVersion: 1, triggerPhrase: 'tok',
  params: { steps: 1000 }, origin: 'web', progress: { fraction: 0 },
  createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z',
  ...patch,
});
