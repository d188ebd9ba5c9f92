// A direct upload's `.train.json` sidecar: the training to start once its zip is READY, or why it cannot.
import { SidecarTrainingRequest } from './schemas';

export type SidecarReading = { request: SidecarTrainingRequest } | { error: { code: string; message: string } };

export function readSidecar(key: string, text: string): SidecarReading {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { error: { code: 'SIDECAR_INVALID', message: `${key} is not valid JSON.` } };
  }
  const parsed = SidecarTrainingRequest.safeParse(json);
  if (!parsed.success) {
    return { error: { code: 'SIDECAR_INVALID', message: `${key} is not a training request: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}.` } };
  }
  return { request: parsed.data };
}

export const sidecarTooLarge = (key: string, maxBytes: number): SidecarReading =>
  ({ error: { code: 'SIDECAR_TOO_LARGE', message: `${key} is over ${maxBytes} bytes; a training request is a small JSON object.` } });
