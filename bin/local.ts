// `npm start`: the whole product on this machine, on its embedded default (the local cloud).
import { startLocalCloud } from '#local/cloud';
import { PortInUseError } from '#local/http-util';

const port = Number(process.env.PORT ?? 3000);
const dataDir = process.env.LORAWORKS_DATA_DIR ?? '.data';

try {
  const cloud = await startLocalCloud({ port, dataDir, log: (line) => console.log(line) });
  console.log(`Loraworks is running at ${cloud.url}`);
  console.log(`Trainer keys: the secret in Secrets Manager at ${cloud.secretsManagerUrl} (aws --endpoint-url ${cloud.secretsManagerUrl} secretsmanager list-secrets)`);
  console.log(`Schedules: EventBridge Scheduler at ${cloud.schedulerUrl} (aws --endpoint-url ${cloud.schedulerUrl} scheduler list-schedules --group-name loraworks)`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Loraworks…`);
    await cloud.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
} catch (error) {
  if (error instanceof PortInUseError) {
    console.error(error.message);
  } else {
    console.error(`Loraworks could not start: ${(error as Error).stack ?? error}`);
  }
  process.exit(1);
}
