// What the CLI's exit code says (API.md "CLI"): 0 done, 1 the thing asked failed, 2 usage, 3 authentication.
import { ApiError, asksToSignIn } from '#http/api-client';

export const EXIT = { done: 0, failed: 1, usage: 2, auth: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI itself reports, with the exit code it ends with and, where they help, one line per detail. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(readonly exitCode: ExitCode, message: string, readonly details: { field: string; message: string }[] = []) {
    super(message);
  }
}

export const usageError = (message: string, details?: { field: string; message: string }[]) => new CliError(EXIT.usage, message, details);
export const failure = (message: string) => new CliError(EXIT.failed, message);
export const notSignedIn = () => new CliError(EXIT.auth, 'You are not signed in. Run `loraworks login` (or give --token / LORAWORKS_TOKEN) and try again.');

/** The exit code of anything a command threw. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof ApiError) {
    if (asksToSignIn(error)) return EXIT.auth;
    // The values the person gave were refused: the same as a usage error caught before sending.
    if (error.status === 400 || error.status === 422) return EXIT.usage;
    return EXIT.failed;
  }
  return EXIT.failed;
}

/** The lines for stderr: the API's own message (a gateway refusal as "sign in again"), then each detail. */
export function errorLines(error: unknown): string[] {
  if (error instanceof ApiError && asksToSignIn(error)) {
    return ['The API refused the token: it is revoked, expired or not one of this workspace. Run `loraworks login` again.'];
  }
  if (error instanceof CliError || error instanceof ApiError) {
    return [error.message, ...error.details.map((d) => `  ${d.field}: ${d.message}`)];
  }
  return [error instanceof Error ? error.message : String(error)];
}

/** The error as machine output (`--json`): the API's code where there is one. */
export function errorJson(error: unknown): { error: { code: string; message: string; details?: { field: string; message: string }[] } } {
  if (error instanceof ApiError) return { error: { code: error.code, message: errorLines(error)[0]!, ...(error.details.length ? { details: error.details } : {}) } };
  if (error instanceof CliError) {
    const code = ({ 1: 'FAILED', 2: 'USAGE', 3: 'UNAUTHORIZED' } as Record<number, string>)[error.exitCode] ?? 'FAILED';
    return { error: { code, message: error.message, ...(error.details.length ? { details: error.details } : {}) } };
  }
  return { error: { code: 'FAILED', message: errorLines(error)[0]! } };
}
