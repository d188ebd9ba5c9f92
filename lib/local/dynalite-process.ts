// Starts dynalite (persisted in `path`) and its stream proxy (dynamo-streams.ts) as a child process; `url` is the
// proxy, which handlers use, `tableUrl` dynalite itself (for creating the table). stop() ends it cleanly.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { DynamoDBRecord } from 'aws-lambda';

export interface DynaliteProcess {
  url: string;
  tableUrl: string;
  /** Resolves once every stream record of a write answered so far has reached `onRecords`. */
  sync(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDynaliteProcess(
  path: string,
  onRecords: (records: DynamoDBRecord[], committedAt: number) => void,
): Promise<DynaliteProcess> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./dynalite-child.ts', import.meta.url)), path], {
    cwd: root, // where --import finds tsx
    stdio: ['pipe', 'pipe', 'inherit', 'ipc'],
  });
  let syncs = 0;
  const synced = new Map<number, () => void>();
  child.on('message', (message: { records?: DynamoDBRecord[]; committedAt?: number; synced?: number }) => {
    if (message.records) onRecords(message.records, message.committedAt!);
    if (message.synced !== undefined) {
      synced.get(message.synced)?.();
      synced.delete(message.synced);
    }
  });
  const [tablePort, proxyPort] = await new Promise<number[]>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (data: Buffer) => {
      out += data;
      const line = /^(\d+) (\d+)\n/.exec(out);
      if (line) resolve([Number(line[1]), Number(line[2])]);
    });
    child.once('exit', (code) => reject(new Error(`dynalite exited (${code}) before it listened.`)));
  });
  return {
    url: `http://127.0.0.1:${proxyPort}`,
    tableUrl: `http://127.0.0.1:${tablePort}`,
    // One IPC channel carries records and answers in order: the answer comes after every record sent before it.
    sync: () => (child.connected ? new Promise<void>((resolve) => {
      syncs += 1;
      synced.set(syncs, resolve);
      child.send({ sync: syncs });
    }) : Promise.resolve()),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin!.end();
      await exited;
    },
  };
}
