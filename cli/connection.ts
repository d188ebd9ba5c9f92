// Where the CLI talks to and as whom: the workspace URL from --url, LORAWORKS_URL or the profile (a web origin
// is resolved through its /config.json to the API and WebSocket URLs; an API URL works too), the token from
// --token, LORAWORKS_TOKEN or the profile.
import { WebConfig } from '#domain/schemas';
import { ApiClient } from '#http/api-client';
import { notSignedIn, usageError } from './errors';
import { readProfile, type Profile } from './profile';

export interface ConnectionOptions {
  url?: string;
  token?: string;
}

export interface Endpoints {
  apiUrl: string;
  /** Absent where only an API URL was given and no web origin names its WebSocket: followers then poll. */
  wsUrl?: string;
}

/** The first of the flag, the environment and the profile that gives a value, and which one it was. */
export function pick(flag: string | undefined, env: string | undefined, stored: string | undefined): { value?: string; from?: 'flag' | 'environment' | 'profile' } {
  if (flag) return { value: flag, from: 'flag' };
  if (env) return { value: env, from: 'environment' };
  if (stored) return { value: stored, from: 'profile' };
  return {};
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** A workspace URL as the person typed it, checked: http(s) only, no query. */
export function parseWorkspaceUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(`"${text}" is not a URL. Give the workspace's web address, for example --url https://d1234.cloudfront.net or --url http://localhost:3000.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`The workspace URL must start with http:// or https://; got "${text}".`);
  return url;
}

const ConfigEndpoints = WebConfig.pick({ apiUrl: true, wsUrl: true });

/**
 * The API and WebSocket URLs of a workspace URL. `readConfig(url)` answers the JSON at that address or undefined.
 * A web origin serves /config.json; an API URL does not, and then its own origin's /config.json may still name it
 * (the local cloud serves the API under /api beside the web app).
 */
export async function resolveEndpoints(text: string, readConfig: (url: string) => Promise<unknown>): Promise<Endpoints> {
  const url = parseWorkspaceUrl(text);
  const given = trimSlash(url.href);
  const config = (at: string) => readConfig(at).then((body) => {
    const parsed = ConfigEndpoints.safeParse(body);
    return parsed.success ? { apiUrl: trimSlash(new URL(parsed.data.apiUrl, at).href), wsUrl: new URL(parsed.data.wsUrl, at).href } : undefined;
  });
  const own = await config(`${given}/config.json`);
  if (own) return own;
  if (url.pathname !== '/' && url.pathname !== '') {
    const origin = await config(`${url.origin}/config.json`);
    if (origin && origin.apiUrl === given) return origin;
  }
  return { apiUrl: given };
}

/** GET a JSON document, or undefined when there is none (any failure: the caller then reads the URL as the API). */
export async function fetchJson(url: string): Promise<unknown> {
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return undefined;
    return await res.json();
  } catch {
    return undefined;
  }
}

export interface Connection extends Endpoints {
  url: string;
  token?: string;
  profile: Profile;
  client: ApiClient;
}

/** The workspace to talk to; with `needsToken`, a missing token is exit 3 before anything is sent. */
export async function connect(options: ConnectionOptions, needsToken = true, env: NodeJS.ProcessEnv = process.env): Promise<Connection & { token: string }> {
  const profile = await readProfile(env);
  const url = pick(options.url, env.LORAWORKS_URL, profile.url).value;
  if (!url) throw usageError('No workspace URL: give --url, set LORAWORKS_URL, or run `loraworks login --url URL` once.');
  const token = pick(options.token, env.LORAWORKS_TOKEN, profile.token).value;
  if (needsToken && !token) throw notSignedIn();
  const endpoints = await resolveEndpoints(url, fetchJson);
  return { url, token: token ?? '', profile, ...endpoints, client: new ApiClient(endpoints.apiUrl, token ?? null) };
}
