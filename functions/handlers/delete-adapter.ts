import { unregisterLora } from '#app/unregister-lora';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('delete-adapter', async ({ owner, path }) => {
  await unregisterLora(owner, path.adapterId);
  return {};
});
