// fal's model listing (GET /api/v1/models): the emulated fal trainers as training models, found by endpoint id,
// searched by text, paged with a cursor. What it says of each (fal-listing.json, in the order Loraworks' catalog
// shows them) is the emulator's own, as fal's listing is fal's own.
import LISTING from './fal-listing.json';
import { json, type Reply } from './reply';

/** Endpoint id → what the listing says of that trainer. */
export const FAL_LISTING = LISTING;

export function listFalModels(query: URLSearchParams, url: string): Reply {
  const wanted = query.getAll('endpoint_id');
  const category = query.get('category');
  const status = query.get('status');
  const text = query.get('q')?.toLowerCase();
  const models = Object.entries(LISTING)
    .map(([id, model]) => ({ id, ...model }))
    .filter((model) => wanted.length === 0 || wanted.includes(model.id))
    .filter(() => !category || category === 'training')
    .filter(() => !status || status === 'active')
    .filter((model) => !text || `${model.id} ${model.name} ${model.description}`.toLowerCase().includes(text))
    .map((model) => ({
      endpoint_id: model.id,
      metadata: {
        display_name: model.name, category: 'training', description: model.description, status: 'active',
        tags: ['lora', 'training', model.kind], model_url: `${url}/queue/${model.id}`, updated_at: '2025-01-01T00:00:00Z',
      },
    }));
  const limit = Math.max(1, Number(query.get('limit')) || 50);
  const offset = Number(Buffer.from(query.get('cursor') ?? '', 'base64').toString('utf8')) || 0;
  const page = models.slice(offset, offset + limit);
  const hasMore = offset + limit < models.length;
  return json(200, { models: page, next_cursor: hasMore ? Buffer.from(String(offset + limit)).toString('base64') : null, has_more: hasMore });
}
