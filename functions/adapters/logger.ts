// One structured logger per process. Trainer keys and tokens are never passed to it.
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'loraworks', logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO' });
