// One structured logger per process (level from POWERTOOLS_LOG_LEVEL, default INFO). Trainer keys and
// tokens are never passed to it.
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'loraworks' });
