// The `loraworks` command tree. Kept apart from main.ts so tests can parse arguments without a process exit.
import { Command } from 'commander';
import { adaptersCommand } from './commands/adapters';
import { authCommands } from './commands/auth';
import { datasetsCommand } from './commands/datasets';
import { downloadCommand } from './commands/download';
import { jobsCommand } from './commands/jobs';
import { schedulesCommand } from './commands/schedules';
import { trainCommand } from './commands/train';
import { tokensCommand } from './commands/tokens';
import { trainersCommand } from './commands/trainers';

export const EXIT_HELP = `
Exit codes: 0 done, 1 the thing asked failed (an INVALID dataset, a FAILED or CANCELLED job, a sha256 mismatch),
2 usage (a wrong option or value), 3 authentication (no token, or the API refused it).
The workspace URL comes from --url, LORAWORKS_URL or the profile; the token from --token, LORAWORKS_TOKEN or the
profile (\${LORAWORKS_CONFIG_DIR:-~/.config/loraworks}/profile.json, written by loraworks login).`;

export function createProgram(): Command {
  const program = new Command('loraworks')
    .description('Loraworks from a terminal: datasets, training, schedules, LoRAs and API tokens')
    .enablePositionalOptions()
    .addHelpText('after', EXIT_HELP);
  authCommands(program);
  trainersCommand(program);
  datasetsCommand(program);
  trainCommand(program);
  jobsCommand(program);
  downloadCommand(program);
  adaptersCommand(program);
  schedulesCommand(program);
  tokensCommand(program);
  return program;
}

/** Every command below `root`, root included: what exitOverride and the output settings apply to. */
export function everyCommand(root: Command): Command[] {
  return [root, ...root.commands.flatMap((c) => everyCommand(c))];
}
