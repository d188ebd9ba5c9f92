import { monotonicFactory } from 'ulid';

// Monotonic so two jobs created in the same millisecond still list newest first.
const next = monotonicFactory();

/** A new ULID: sortable by creation time, which is what makes listings newest first. */
export const newId = (at: Date = new Date()): string => next(at.getTime());
