import { listTrainers } from '#app/list-trainers';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute({}, async () => ({ status: 200, body: await listTrainers() }));
