// Faults that reach a submission before it is a request: those registered ahead (POST /__emulator/faults) for
// the next body containing a text, and those in the body's `emulator_faults`. A submission not yet accepted has
// a ticket, so its spoiled answers are counted across the client's retries of the same body.
import { createHash, randomUUID } from 'node:crypto';
import { FaultCounter, parseFaults, type AnswerPlan, type AppliedFault, type EmulatorFaults } from './faults';
import type { EmulatedProtocol } from './request';

interface Registration {
  id: string;
  match?: string;
  faults: EmulatorFaults;
}

interface Ticket {
  faults: EmulatorFaults;
  applied: AppliedFault[];
  counter: FaultCounter;
  registration?: string;
}

export class FaultTickets {
  private readonly registrations: Registration[] = [];
  private readonly tickets = new Map<string, Ticket>();

  /** Faults for the next submission whose body contains `match` (any, when absent). */
  register(faults: EmulatorFaults, match?: string): string {
    const id = randomUUID();
    this.registrations.push({ id, faults, ...(match ? { match } : {}) });
    return id;
  }

  /** How the answer to a submission is spoiled, counted across retries of the same body (or registration). */
  planSubmit(rawBody: string, input: Record<string, unknown> | undefined, protocol: EmulatedProtocol): AnswerPlan {
    const ticket = this.ticketFor(rawBody, input);
    return ticket ? ticket.counter.next('submit', protocol) : {};
  }

  /** The faults of a submission being accepted, and those already applied to its answers; its ticket is used up. */
  claim(rawBody: string, input: Record<string, unknown>): { faults: EmulatorFaults; applied: AppliedFault[] } {
    const key = this.ticketKey(rawBody, input);
    const ticket = this.ticketFor(rawBody, input);
    if (!key || !ticket) return { faults: {}, applied: [] };
    this.tickets.delete(key);
    if (ticket.registration) this.registrations.splice(this.registrations.findIndex((item) => item.id === ticket.registration), 1);
    return { faults: ticket.faults, applied: [...ticket.applied] };
  }

  private ticketKey(rawBody: string, input: Record<string, unknown> | undefined): string | undefined {
    if (input && input.emulator_faults !== undefined) return `body:${createHash('sha256').update(rawBody).digest('hex')}`;
    const registration = this.registrations.find((item) => !item.match || rawBody.includes(item.match));
    return registration && `registration:${registration.id}`;
  }

  private ticketFor(rawBody: string, input: Record<string, unknown> | undefined): Ticket | undefined {
    const key = this.ticketKey(rawBody, input);
    if (!key) return undefined;
    let ticket = this.tickets.get(key);
    if (!ticket) {
      const registration = key.startsWith('registration:') ? this.registrations.find((item) => `registration:${item.id}` === key) : undefined;
      const faults = registration?.faults ?? parseFaults(input?.emulator_faults);
      const applied: AppliedFault[] = [];
      ticket = { faults, applied, counter: new FaultCounter(() => faults, (fault) => applied.push(fault)), ...(registration ? { registration: registration.id } : {}) };
      this.tickets.set(key, ticket);
    }
    return ticket;
  }
}
