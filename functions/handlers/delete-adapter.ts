import { deleteAdapter } from '../adapters/lora-adapter-store';
import { NotFound } from '../domain/errors';
import { AdapterPath } from '../http/paths';
import { httpRoute } from '../http/http-route';

export const handler = httpRoute({ path: AdapterPath }, async ({ owner, path }) => {
  if (!(await deleteAdapter(owner, path.adapterId))) throw new NotFound('ADAPTER_NOT_FOUND', `Adapter ${path.adapterId} does not exist.`);
  return { status: 204 };
});
