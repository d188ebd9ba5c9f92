// A part of the local cloud in a process of its own (dynalite-child.ts, realtime-child.ts): started by the same
// Node under tsx, it prints its ports on its first line, talks over IPC, and exits when its stdin closes (so
// also when the local cloud is killed). What it prints after the ports is shown as the local cloud's output.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export interface LocalChild {
  child: ChildProcess;
  ports: number[];
  /** Ends the process through its stdin and waits for it to exit. */
  stop(): Promise<void>;
}

/** What a Node process needs of its environment to start at all; nothing of the developer's own settings or keys. */
// LORAWORKS_IAM_REPORT: every process of the local cloud records the (principal, action) pairs it allowed there.
const BASE_VARIABLES = ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT', 'SystemRoot', 'LORAWORKS_IAM_REPORT'];

export function baseEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(BASE_VARIABLES.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]])));
}

export async function startLocalChild(entry: URL, args: string[], what: string): Promise<LocalChild> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(entry), ...args], {
    cwd: root, // where --import finds tsx
    // A child starts with only the base: what its functions need it is given over IPC (realtime-process.ts).
    env: baseEnvironment(),
    stdio: ['pipe', 'pipe', 'inherit', 'ipc'],
  });
  const ports = await new Promise<number[]>((resolve, reject) => {
    let out = '';
    const onData = (data: Buffer) => {
      out += data;
      const line = /^(\d+(?: \d+)*)\n/.exec(out);
      if (!line) return;
      child.stdout!.off('data', onData);
      process.stdout.write(out.slice(line[0].length));
      child.stdout!.pipe(process.stdout, { end: false });
      resolve(line[1]!.split(' ').map(Number));
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it listened.`)));
  });
  return {
    child,
    ports,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin!.end();
      await exited;
    },
  };
}
