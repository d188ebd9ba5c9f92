// One structured logger (level from POWERTOOLS_LOG_LEVEL, default INFO). Trainer keys and tokens are never
// passed to it. Each invocation logs through a child of its own (withOwnLogger, which every event wrapper
// uses): the local cloud runs every function in one process, several at a time, and a shared logger would
// stamp one invocation's lines with another's function name and keys.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';

const root = new Logger({ serviceName: 'loraworks' });
const current = new AsyncLocalStorage<Logger>();

/** The running invocation's logger, or the process's outside any invocation. */
export const logger: Logger = new Proxy(root, {
  get(target, property) {
    const active = current.getStore() ?? target;
    const value: unknown = Reflect.get(active, property, active);
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(active) : value;
  },
});

/** Runs one invocation with a fresh child logger: its keys and Lambda context die with it. */
export const withOwnLogger = <T>(run: () => T): T => current.run(root.createChild(), run);
