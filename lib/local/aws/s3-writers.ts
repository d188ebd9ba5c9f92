// Who wrote each object, as S3 records it in the event: userIdentity.principalId (`AWS:<RoleId>:<session>` for an
// assumed role's session, `AWS:<UserId>` for a user). The S3 front knows the signer of each request it admits and
// hands it to s3rver in a header of its own (any such header a client sent is dropped first); here s3rver's
// handling of the request runs with that writer in context, and the event records it emits carry it.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingHttpHeaders } from 'node:http';

/** The header that carries the writer from the front to s3rver (s3rver listens on a socket only the front reaches). */
export const WRITER_HEADER = 'x-loraworks-writer';

/** The headers to forward: the client's, less any writer header, plus the writer the front established. */
export function withWriter(headers: IncomingHttpHeaders, writer: string | undefined): IncomingHttpHeaders {
  const { [WRITER_HEADER]: _dropped, ...rest } = headers;
  return writer ? { ...rest, [WRITER_HEADER]: writer } : rest;
}

interface Koa {
  middleware: ((ctx: { get(name: string): string }, next: () => Promise<void>) => Promise<void>)[];
  emit(event: string | symbol, ...args: unknown[]): boolean;
}
interface EventRecord { userIdentity?: { principalId?: string } }

/**
 * Makes s3rver's event records name the writer of each request (before it listens: Koa composes its middleware
 * then). A request that came without the header (none does through the front) records no principal.
 */
export function recordWriters(s3rver: object): void {
  const app = s3rver as Koa;
  const writer = new AsyncLocalStorage<string | undefined>();
  app.middleware.unshift((ctx, next) => writer.run(ctx.get(WRITER_HEADER) || undefined, next));
  const emit = app.emit.bind(app);
  app.emit = (event, ...args) => {
    if (event === 'event') {
      const records = (args[0] as { Records?: EventRecord[] } | undefined)?.Records ?? [];
      const principalId = writer.getStore();
      for (const record of records) record.userIdentity = principalId ? { principalId } : {};
    }
    return emit(event, ...args);
  };
}
