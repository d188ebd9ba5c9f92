import { registerLora } from '#app/register-lora';
import { CreateAdapterRequest } from '#domain/schemas';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute({ body: CreateAdapterRequest }, async ({ owner, body, now }) =>
  ({ status: 201, body: await registerLora(owner, body.jobId, body.name, now) }));
