// What text the API stores and shows back: names, trigger phrases, free-text parameters and upload file names
// are single-line text a person reads in a terminal or the web app, so characters that steer a terminal
// (NUL, ESC sequences, line breaks), reorder what is shown (bidi overrides) or are not text at all (lone
// surrogates) are refused with the rule, not stored. One rule for every such field, API and web form alike.
import { z } from 'zod';

// C0 controls, DEL and C1 controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
// Bidi embeddings/overrides (U+202A–U+202E) and isolates (U+2066–U+2069).
const BIDI = /[\u202a-\u202e\u2066-\u2069]/u;
// With the u flag a surrogate pair is one code point, so this matches only surrogates left unpaired.
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** Why `text` is not safe single-line text, as the end of a sentence naming the field, or undefined. */
export function unsafeTextProblem(text: string): string | undefined {
  if (CONTROL.test(text)) return 'must not contain control characters (U+0000–U+001F, U+007F–U+009F: NUL, tab, line breaks, ESC and the like)';
  if (BIDI.test(text)) return 'must not contain bidirectional override or isolate characters (U+202A–U+202E, U+2066–U+2069)';
  if (LONE_SURROGATE.test(text)) return 'must not contain lone surrogates (text that is not valid Unicode)';
  return undefined;
}

/** The message for a field: "The dataset name must not contain …". */
export const unsafeTextMessage = (label: string, text: string): string | undefined => {
  const problem = unsafeTextProblem(text);
  return problem ? `${label} ${problem}; remove them and send it again.` : undefined;
};

/** A trimmed string schema that refuses unsafe text, its message naming the field by `label` ("The dataset name"). */
export const safeText = (label: string) =>
  z.string().trim().superRefine((text, ctx) => {
    const message = unsafeTextMessage(label, text);
    if (message) ctx.addIssue({ code: 'custom', message });
  });

/** The rule for an upload's file name, as said to the client. */
export const ZIP_FILE_NAME_RULE =
  'The file name must be a plain file name ending in .zip (for example "my-set.zip"): no folders ("/" or "\\"), no "..", no control characters, 255 characters at most.';

/**
 * A base name ending in .zip, flag-free so the OpenAPI document carries it as a working JSON Schema pattern;
 * the rest of the rule (no "..", no bidi or unpaired characters) is checked beside it.
 */
export const ZIP_FILE_NAME_PATTERN = /^[^/\\\u0000-\u001f\u007f-\u009f]+\.[zZ][iI][pP]$/;

/** Why `name` cannot be an upload's file name, or undefined. */
export function zipFileNameProblem(name: string): string | undefined {
  if (!ZIP_FILE_NAME_PATTERN.test(name) || name.includes('..') || name.length > 255) return ZIP_FILE_NAME_RULE;
  const unsafe = unsafeTextProblem(name);
  return unsafe ? `The file name ${unsafe}.` : undefined;
}
