import { listTrainers } from '#app/list-trainers';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('list-trainers', async () => ({ body: await listTrainers() }));
