// Typed failures the domain raises; the HTTP wrapper maps each to its status and the API error body.
import type { z } from 'zod';

export interface ErrorDetail {
  field: string;
  message: string;
}

/** zod issues as API details: `params.steps` rather than a path array (the HTTP doorway's 422s, the CLI's checks). */
export function zodDetails(error: z.ZodError, prefix?: string): ErrorDetail[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || (prefix ?? 'body'),
    message: issue.message,
  }));
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  constructor(readonly code: string, message: string, readonly details?: ErrorDetail[]) {
    super(message);
  }
}

/** A DomainError class with its own name and HTTP status. */
const kind = (name: string, status: number) => class extends DomainError {
  override readonly name = name;
  readonly status = status;
};

export class NotFound extends kind('NotFound', 404) {}
export class Conflict extends kind('Conflict', 409) {}
export class Invalid extends kind('Invalid', 422) {}
export class TooLarge extends kind('TooLarge', 413) {}

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;
