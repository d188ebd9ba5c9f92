// A fal answer (queue or platform API) as the trainer emulator's tests read it: every field some answer carries,
// each typed as the test that reads it expects; a test reads only the fields of the answer it asked for.
export interface FalAnswer {
  request_id: string;
  status: string;
  status_url: string;
  response_url: string;
  cancel_url: string;
  queue_position?: number;
  logs: { message: string; level?: string; source?: string; timestamp?: string }[];
  diffusers_lora_file: { url: string; file_size: number };
  detail: { loc: (string | number)[]; msg: string; type: string }[];
  models: { endpoint_id: string; metadata: Record<string, unknown> }[];
  next_cursor: string | null;
  has_more?: boolean;
  /** The text of an answer that is not JSON (a malformed-answer fault). */
  unparsable?: string;
}
