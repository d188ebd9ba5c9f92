import { unregisterLora } from '#app/unregister-lora';
import { AdapterPath } from '#http/paths';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute({ path: AdapterPath }, async ({ owner, path }) => {
  await unregisterLora(owner, path.adapterId);
  return { status: 204 };
});
