import { listTrainers } from '../adapters/trainers';
import { httpRoute } from '../http/http-route';

export const handler = httpRoute({}, async () => ({ status: 200, body: await listTrainers() }));
