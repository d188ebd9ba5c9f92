// fal's model listing (GET /api/v1/models): the emulated fal trainers as training models, found by endpoint id,
// searched by text, paged with a cursor. Names and descriptions are the emulator's own, as fal's are its own.
import { json, type Reply } from './reply';

interface ListedModel {
  id: string;
  name: string;
  kind: 'image' | 'video';
  description: string;
}

/** In listing order, which is the order Loraworks' catalog shows them in. */
const MODELS: readonly ListedModel[] = [
  { id: 'fal-ai/flux-lora-fast-training', name: 'FLUX.1 [dev] LoRA (fast)', kind: 'image', description: 'Fast LoRA training for FLUX.1 [dev] on a subject, object or style from a few captioned images.' },
  { id: 'fal-ai/flux-lora-portrait-trainer', name: 'FLUX.1 [dev] portrait LoRA', kind: 'image', description: 'FLUX.1 [dev] LoRA training tuned for portraits of one person. Captions may contain [trigger], which is replaced by the trigger phrase.' },
  { id: 'fal-ai/flux-kontext-trainer', name: 'FLUX.1 Kontext [dev] edit LoRA', kind: 'image', description: 'Teaches FLUX.1 Kontext an image edit from before/after pairs named ROOT_start.EXT and ROOT_end.EXT, with an optional ROOT.txt holding the edit instruction.' },
  { id: 'fal-ai/turbo-flux-trainer', name: 'Turbo FLUX LoRA', kind: 'image', description: 'Quick FLUX LoRA training for a subject or a style.' },
  { id: 'fal-ai/wan-trainer', name: 'Wan 2.1 video LoRA', kind: 'video', description: 'LoRA training for the Wan 2.1 video model from images and/or short videos with a consistent subject or style.' },
  { id: 'fal-ai/hunyuan-video-lora-training', name: 'Hunyuan Video LoRA', kind: 'video', description: 'LoRA training for the Hunyuan video model from captioned images.' },
  { id: 'fal-ai/ltx-video-trainer', name: 'LTX Video LoRA', kind: 'video', description: 'LoRA training for LTX Video from videos or images (one kind per dataset, not mixed).' },
  { id: 'fal-ai/qwen-image-trainer', name: 'Qwen-Image LoRA', kind: 'image', description: 'LoRA training for Qwen-Image from images with same-named .txt captions; the trigger phrase captions images that have none.' },
  { id: 'fal-ai/flux-krea-trainer', name: 'FLUX.1 Krea [dev] LoRA', kind: 'image', description: 'LoRA training for FLUX.1 Krea [dev] on a subject, object or style from a few captioned images.' },
  { id: 'fal-ai/flux-2-trainer', name: 'FLUX.2 [dev] LoRA', kind: 'image', description: 'LoRA training for FLUX.2 [dev] from images with same-named .txt captions.' },
  { id: 'fal-ai/wan-22-image-trainer', name: 'Wan 2.2 image LoRA', kind: 'image', description: 'LoRA training for Wan 2.2 text-to-image from images of a person, object or style. The trigger phrase is required.' },
  { id: 'fal-ai/z-image-trainer', name: 'Z-Image LoRA', kind: 'image', description: 'LoRA training for Z-Image from images with same-named .txt captions, tuned for content, style or both.' },
  { id: 'fal-ai/krea-2-trainer', name: 'Krea 2 LoRA', kind: 'image', description: 'LoRA training for Krea 2 from PNG, JPG or WebP images; images without a caption file are captioned with the trigger phrase or by auto-captioning.' },
];

export function listFalModels(query: URLSearchParams, url: string): Reply {
  const wanted = query.getAll('endpoint_id');
  const category = query.get('category');
  const status = query.get('status');
  const text = query.get('q')?.toLowerCase();
  const models = MODELS
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
