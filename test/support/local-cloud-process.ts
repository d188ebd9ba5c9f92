// Runs the local cloud the way `npm start` does, as its own process, for tests that restart or kill it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface LocalCloudProcess {
  url: string;
  apiUrl: string;
  wsUrl: string;
  child: ChildProcess;
  output(): string;
  /** Ctrl-C: resolves with the exit code. */
  interrupt(): Promise<number | null>;
}

export async function spawnLocalCloud(env: Record<string, string>): Promise<LocalCloudProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (data: Buffer) => {
      output += data;
      const found = /Loraworks is running at (http:\/\/\S+)/.exec(output);
      if (found) resolve(found[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (data: Buffer) => (output += data));
    child.once('exit', (code) => reject(new Error(`The local cloud exited (${code}) before it was ready:\n${output}`)));
  });
  return {
    url,
    apiUrl: `${url}/api`,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    child,
    output: () => output,
    async interrupt() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGINT');
      const [code] = await once(child, 'exit');
      return code as number | null;
    },
  };
}
