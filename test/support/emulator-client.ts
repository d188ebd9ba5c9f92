// The trainer emulator's own record and fault injection (lib/local/trainer-emulator/faults.ts), for tests that
// compare what Loraworks says with what the trainer did.
export interface EmulatorRecord {
  requestId: string;
  endpoint: string;
  status: 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'FORGOTTEN';
  cancelRequested: boolean;
  step: number;
  totalSteps: number;
  input: Record<string, unknown>;
  queuePosition?: number;
  /** sha256 of the dataset the trainer downloaded. */
  datasetSha256?: string;
  faultsApplied?: { fault: string; call?: string; detail?: string }[];
}

export class EmulatorClient {
  constructor(readonly url: string) {}

  /** Faults for the next submission whose body contains `match` (a unique trigger phrase reaches one job). */
  async inject(match: string, faults: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${this.url}/__emulator/faults`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ match, faults }),
    });
    if (res.status >= 300) throw new Error(`registering faults for ${match}: ${res.status} ${await res.text()}`);
  }

  async requests(): Promise<EmulatorRecord[]> {
    return (await (await fetch(`${this.url}/__emulator/requests`)).json()) as EmulatorRecord[];
  }

  /** The requests submitted with this trigger phrase (fal's trigger_word / trigger_phrase). */
  async requestsFor(trigger: string): Promise<EmulatorRecord[]> {
    return (await this.requests()).filter((r) => r.input.trigger_word === trigger || r.input.trigger_phrase === trigger);
  }
}
