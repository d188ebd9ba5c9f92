import { registerLora } from '#app/register-lora';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('create-adapter', async ({ owner, body, now }) =>
  ({ body: await registerLora(owner, body.jobId, body.name, now) }));
