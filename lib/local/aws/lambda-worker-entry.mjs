// The entry of a function's worker thread (lambda-runtime.ts): TypeScript loads through tsx, as in the rest of
// the local cloud, then the worker proper (lambda-worker.ts) runs.
import { register } from 'tsx/esm/api';

register();
await import('./lambda-worker.ts');
