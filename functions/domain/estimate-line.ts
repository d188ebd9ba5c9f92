// How an estimate is said, the same in the web beside Start and in `loraworks train --estimate`: the cost and the
// time, each "about", never as a quote.

/** "45 s", "3 min", "1 h 20 min". */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "$2.40", or "under $0.01". */
export const formatUsd = (usd: number): string => (usd < 0.01 ? 'under $0.01' : `$${usd.toFixed(2)}`);

/** "about $2.40 · about 8 min": an estimate, said as one. */
export const estimateLine = (estimate: { costUsd: number; durationSeconds: number }): string =>
  `about ${formatUsd(estimate.costUsd)} · about ${formatEta(estimate.durationSeconds)}`;
