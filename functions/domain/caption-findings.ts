// The two caption findings said the same way by the validator (on a zip) and by the web editor (on files picked
// before their first upload). Pure and without node imports, so the browser can use it too.
import type { Finding } from './schemas';

const baseOf = (name: string) => name.split('/').pop() ?? name;

/** An image or video with no caption file, when the dataset has captions at all. `stem` is its name without extension. */
export function missingCaption(mediaName: string, stem: string): Finding {
  return { code: 'MISSING_CAPTION', message: `${mediaName} has no caption (${baseOf(stem)}.txt).`, file: mediaName };
}

/** A caption file that holds only whitespace. */
export function emptyCaption(captionName: string): Finding {
  return { code: 'EMPTY_CAPTION', message: `${captionName} is empty; the image will train without a description.`, file: captionName };
}
