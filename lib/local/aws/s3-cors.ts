// The buckets' CORS rules as the template declares them (lib/storage.ts), in the XML s3rver is configured with.
// An origin the template names by a reference (the web app's CloudFront domain) is the local web app, which is
// served on whatever host the local cloud listens on: locally it is any origin (`*`). Literal origins stay.
import type { CorsRule } from '#local/template';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const tags = (name: string, values: readonly string[] = []) => values.map((v) => `<${name}>${escape(v)}</${name}>`).join('');

export function corsXml(rules: readonly CorsRule[]): string {
  const body = rules.map((rule) => {
    const origins = [...new Set(rule.AllowedOrigins.map((origin) => (typeof origin === 'string' ? origin : '*')))];
    return `<CORSRule>${tags('AllowedOrigin', origins)}${tags('AllowedMethod', rule.AllowedMethods)}${tags('AllowedHeader', rule.AllowedHeaders)}`
      + `${tags('ExposeHeader', rule.ExposedHeaders)}${rule.MaxAge === undefined ? '' : `<MaxAgeSeconds>${rule.MaxAge}</MaxAgeSeconds>`}</CORSRule>`;
  }).join('');
  return `<CORSConfiguration>${body}</CORSConfiguration>`;
}
