// The `loraworks` process: parse, run, print the error's message on stderr, exit with the documented code.
import { CommanderError } from 'commander';
import { EXIT, errorJson, errorLines, exitCodeFor } from './errors';
import { wroteResult } from './output';
import { createProgram, everyCommand } from './program';

async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  for (const cmd of everyCommand(program)) cmd.exitOverride().showHelpAfterError('(add --help for usage)');
  try {
    await program.parseAsync(argv);
    return EXIT.done;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and the version are answers; anything else commander refuses is a usage error (it printed why).
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version' || error.exitCode === 0 ? EXIT.done : EXIT.usage;
    }
    for (const line of errorLines(error)) process.stderr.write(`loraworks: ${line}\n`);
    if (argv.includes('--json') && !wroteResult()) process.stdout.write(`${JSON.stringify(errorJson(error), null, 2)}\n`);
    return exitCodeFor(error);
  }
}

// Ctrl-C while a bar is drawn: give the terminal its cursor back, and exit as an interrupted command does.
process.once('SIGINT', () => {
  if (process.stderr.isTTY) process.stderr.write('\x1b[?25h\n');
  process.exit(130);
});

// The exit code is set and the streams drain; sockets and timers left open must not hold the process.
const code = await main(process.argv);
process.exitCode = code;
process.stdout.write('', () => process.exit(code));
