// Object keys in S3 event records, as S3 writes them: URL-encoded the way an HTML form encodes a value
// (application/x-www-form-urlencoded: a space is `+`, every byte outside `A-Z a-z 0-9 - _ . *` of the key's
// UTF-8 is `%XX`), except that `/` stays as it is. s3rver puts the raw key in its records; the local cloud
// re-encodes each record here, once, before anything reads it.

const KEPT = /[A-Za-z0-9\-_.*/]/;

/** The key as an S3 event record carries it: `my set+1%.zip` → `my+set%2B1%25.zip`. */
export function encodeEventKey(key: string): string {
  let out = '';
  for (const char of key) {
    if (char === ' ') out += '+';
    else if (KEPT.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The stored key of an event record's key (what a Lambda does with it), or null if it is not valid form encoding. */
export function decodeEventKey(eventKey: string): string | null {
  try {
    return decodeURIComponent(eventKey.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

interface RecordWithKey { s3: { object: { key: string } } }

/** s3rver's records with their keys encoded as S3 encodes them. */
export function awsEventRecords<R extends RecordWithKey>(records: R[]): R[] {
  return records.map((r) => ({ ...r, s3: { ...r.s3, object: { ...r.s3.object, key: encodeEventKey(String(r.s3.object.key)) } } }));
}
