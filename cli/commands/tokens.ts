// tokens create NAME [--days N], tokens list, tokens revoke ID: API tokens (lwk_…) for tooling.
import type { Command } from 'commander';
import { command, contextOf, type CommonOptions } from '#cli/command';
import { usageError } from '#cli/errors';
import { table } from '#cli/output';

/** The id an API token carries (`lwk_{id}_{secret}`), or undefined for anything else. */
export function apiTokenId(token: string): string | undefined {
  return /^lwk_([^_]+)_./.exec(token)?.[1];
}

export function tokensCommand(program: Command): void {
  const tokens = command('tokens', 'API tokens for tooling: create, list, revoke')
    .action(async (options: CommonOptions) => {
      // `loraworks tokens` alone lists them, as `datasets` and `jobs` do.
      await listTokens(options);
    });

  tokens.addCommand(command('create', 'Create an API token; it is printed once and stored only as a hash')
    .argument('<name>', 'where the token is used, for example "ci"')
    .option('--days <n>', 'days until it expires (1 to 365; default 90)')
    .action(async (name: string, options: CommonOptions & { days?: string }) => {
      const ctx = contextOf(options);
      let expiresInDays: number | undefined;
      if (options.days !== undefined) {
        expiresInDays = Number(options.days);
        if (!Number.isInteger(expiresInDays)) throw usageError(`--days must be a whole number of days (1 to 365); got "${options.days}".`);
      }
      const { client } = await ctx.connection();
      const created = await client.call('create-token', { body: { name, ...(expiresInDays !== undefined ? { expiresInDays } : {}) } });
      ctx.out.result(created, () => [
        `Created API token ${created.id} "${created.name}", valid until ${created.expiresAt}:`,
        created.token,
        'It is shown only now: store it where your tooling reads it (LORAWORKS_TOKEN, or loraworks login --token).',
      ]);
    }));

  tokens.addCommand(command('list', 'List your API tokens with their expiry and last use').action(listTokens));

  tokens.addCommand(command('revoke', 'Revoke an API token: it is refused from now on')
    .argument('<id>', 'the token id (see loraworks tokens list)')
    .action(async (id: string, options: CommonOptions) => {
      const ctx = contextOf(options);
      const { client } = await ctx.connection();
      await client.call('delete-token', { params: { tokenId: id } });
      ctx.out.result({ revoked: id }, () => `Revoked API token ${id}.`);
    }));
  program.addCommand(tokens);
}

async function listTokens(options: CommonOptions): Promise<void> {
  const ctx = contextOf(options);
  const { client } = await ctx.connection();
  const list = await client.call('list-tokens');
  ctx.out.result(list, () => list.tokens.length === 0 ? 'No API tokens: loraworks tokens create NAME.'
    : table(['ID', 'NAME', 'CREATED', 'EXPIRES', 'LAST USED'], list.tokens.map((t) => [t.id, t.name, t.createdAt, t.expiresAt, t.lastUsedAt ?? 'never'])));
}
