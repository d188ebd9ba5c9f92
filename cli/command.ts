// What every command shares: the --json, --url and --token options, and the context its action runs with.
import { Command } from 'commander';
import { connect, type Connection } from './connection';
import { Output } from './output';

export interface CommonOptions {
  json?: boolean;
  url?: string;
  token?: string;
}

/** A leaf command with the options every command takes. */
export function command(name: string, description: string): Command {
  // Positional options: `datasets show ID --json` gives --json to `show`, not to `datasets`.
  return new Command(name)
    .description(description)
    .enablePositionalOptions()
    .option('--json', 'machine output: one JSON document on stdout and nothing else')
    .option('--url <url>', 'the workspace: its web address (or its API URL); default LORAWORKS_URL, then the stored profile')
    .option('--token <token>', 'the API token; default LORAWORKS_TOKEN, then the stored profile');
}

export interface Context {
  out: Output;
  /** The workspace and a client holding the token (exit 3 when there is no token). */
  connection(): Promise<Connection & { token: string }>;
}

export function contextOf(options: CommonOptions): Context {
  let connection: Promise<Connection & { token: string }> | undefined;
  return {
    out: new Output(options),
    connection: () => (connection ??= connect(options)),
  };
}
