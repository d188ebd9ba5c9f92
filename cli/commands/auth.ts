// login, logout, whoami: the stored profile (workspace URL and token) and who the token is.
import type { Command } from 'commander';
import { command, contextOf, type CommonOptions } from '#cli/command';
import { fetchJson, pick, resolveEndpoints } from '#cli/connection';
import { ApiClient, ApiError } from '#http/api-client';
import { CliError, EXIT, usageError } from '#cli/errors';
import { readProfile, removeProfile, writeProfile } from '#cli/profile';
import { apiTokenId } from './tokens';

/** A token's kind and, for a user's JWT, the name its claims give (read, not verified: the API verifies). */
export function describeToken(token: string): { kind: 'api-token' | 'user'; user?: string } {
  if (token.startsWith('lwk_')) return { kind: 'api-token' };
  const payload = token.split('.')[1];
  if (!payload) return { kind: 'user' };
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const user = [claims.email, claims['cognito:username'], claims.username, claims.sub].find((v): v is string => typeof v === 'string' && v !== '');
    return { kind: 'user', user };
  } catch {
    return { kind: 'user' };
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Paste your API token (from the web app\'s API tokens panel) and press Enter: ');
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (process.stdin.isTTY && text.includes('\n')) break;
  }
  return text.trim();
}

/** Whether the API takes the token: a cheap authenticated call. */
async function checkToken(client: ApiClient): Promise<void> {
  await client.call('list-datasets');
}

export function authCommands(program: Command): void {
  program.addCommand(command('login', 'Store the workspace URL and an API token (from --token, from stdin, or --dev USER on a local cloud)')
    .option('--dev <user>', 'a local cloud only: sign in as USER through its POST /dev/token')
    .addHelpText('after', '\nExamples:\n  loraworks login --url https://d1234.cloudfront.net < token.txt\n  loraworks login --url http://localhost:3000 --dev alice')
    .action(async (options: CommonOptions & { dev?: string }) => {
      const { out } = contextOf(options);
      const profile = await readProfile();
      const url = pick(options.url, process.env.LORAWORKS_URL, profile.url).value;
      if (!url) throw usageError('Name the workspace: loraworks login --url https://… (its web address), or set LORAWORKS_URL.');
      if (options.dev && options.token) throw usageError('Give either --token or --dev, not both.');
      const endpoints = await resolveEndpoints(url, fetchJson);
      const client = new ApiClient(endpoints.apiUrl);
      let token: string;
      let user: string | undefined;
      if (options.dev) {
        try {
          token = await client.devToken(options.dev);
        } catch (error) {
          if (error instanceof ApiError && error.status === 404) throw usageError(`${url} has no POST /dev/token: --dev works only against a local cloud. Create an API token in the web app and use --token or stdin.`);
          throw error;
        }
        user = options.dev;
      } else {
        token = options.token ?? (await readStdin());
        if (!token) throw usageError('No token given: pass --token T, pipe it on stdin, or use --dev USER against a local cloud.');
        user = describeToken(token).user;
      }
      client.setToken(token);
      try {
        await checkToken(client);
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) throw new CliError(EXIT.auth, `${url} refused this token: it is revoked, expired or from another workspace. Nothing was stored.`);
        throw error;
      }
      const path = await writeProfile({ url, token, ...(user ? { user } : {}) });
      out.result({ url, apiUrl: endpoints.apiUrl, user, profile: path }, () => `Signed in to ${url}${user ? ` as ${user}` : ''}. The token is stored in ${path}.`);
    }));

  program.addCommand(command('logout', 'Forget the stored token (the workspace URL stays)')
    .action(async (options: CommonOptions) => {
      const { out } = contextOf(options);
      const profile = await readProfile();
      const { url } = profile;
      if (url) await writeProfile({ url });
      else await removeProfile();
      out.result({ signedOut: true, url }, () => (profile.token ? 'Signed out: the stored token is gone. An API token stays valid until you revoke it (loraworks tokens revoke ID).' : 'No token was stored.'));
    }));

  program.addCommand(command('whoami', 'Show the workspace and who the token is, after checking the API takes it')
    .action(async (options: CommonOptions) => {
      const ctx = contextOf(options);
      const connection = await ctx.connection();
      // GET /tokens proves the token works and, for an API token, names it.
      const { tokens } = await connection.client.call('list-tokens');
      const described = describeToken(connection.token);
      const user = described.user ?? (connection.profile.token === connection.token ? connection.profile.user : undefined);
      const apiToken = tokens.find((t) => t.id === apiTokenId(connection.token));
      const answer = { url: connection.url, apiUrl: connection.apiUrl, wsUrl: connection.wsUrl, tokenKind: described.kind, user, ...(apiToken ? { apiToken } : {}) };
      const as = user ? ` as ${user}` : '';
      ctx.out.result(answer, () => [
        `Workspace: ${connection.url}${connection.apiUrl !== connection.url ? ` (API ${connection.apiUrl})` : ''}`,
        apiToken ? `Signed in${as} with the API token ${apiToken.id} "${apiToken.name}", valid until ${apiToken.expiresAt}.`
          : `Signed in${as} with ${described.kind === 'api-token' ? 'an API token' : 'a user token'}.`,
      ]);
    }));
}
