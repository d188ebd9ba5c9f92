// Polls a provider's training until it leaves queued/running, keeping the fractions it went through.
import type { RemoteJob, RemoteStatus, TrainerProvider } from '#providers/provider';

export async function watchTraining(provider: Pick<TrainerProvider, 'status'>, remote: RemoteJob, pauseMs: number): Promise<{ status: RemoteStatus; fractions: number[] }> {
  const fractions: number[] = [];
  let status = await provider.status(remote);
  while (status.state === 'queued' || status.state === 'running') {
    fractions.push(status.progress.fraction);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    status = await provider.status(remote);
  }
  return { status, fractions };
}
