import { openApiDocument } from '#http/openapi';
import { httpRoute } from '#http/http-route';

let document: ReturnType<typeof openApiDocument> | undefined;

export const handler = httpRoute({ auth: false }, async () => ({ status: 200, body: (document ??= openApiDocument()) }));
