// What every route of the emulator works with: the queue of requests, the results they ended with, the faults
// waiting for a submission, and the server's own address (for the URLs its answers carry).
import type { FaultTickets } from './fault-tickets';
import type { EmulatorQueue } from './queue';
import type { EmulatorResults } from './results';

export interface Surface {
  queue: EmulatorQueue;
  results: EmulatorResults;
  tickets: FaultTickets;
  /** The server's base URL (known once it listens). */
  url: () => string;
}
