// The local Scheduler's clock: the system's, or one a test moves.
export interface SchedulerClock {
  now(): Date;
}

/** A clock that moves only when told to, for tests. */
export interface ManualClock extends SchedulerClock {
  advance(to: Date): void;
}

export const systemClock: SchedulerClock = { now: () => new Date() };

export function manualClock(start: Date): ManualClock {
  let current = start;
  return {
    now: () => current,
    advance(to) {
      if (to.getTime() < current.getTime()) throw new Error(`The clock only moves forward: ${to.toISOString()} is before ${current.toISOString()}.`);
      current = to;
    },
  };
}
