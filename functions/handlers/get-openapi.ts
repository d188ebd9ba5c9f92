import { openApiDocument } from '#http/openapi';
import { httpRoute } from '#http/http-route';

let document: ReturnType<typeof openApiDocument> | undefined;

export const handler = httpRoute('get-openapi', async () => ({ body: (document ??= openApiDocument()) }));
