// Typed failures the domain raises; the HTTP wrapper maps each to its status and the API error body.
export interface ErrorDetail {
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  constructor(readonly code: string, message: string, readonly details?: ErrorDetail[]) {
    super(message);
  }
}

export class NotFound extends DomainError {
  override readonly name = 'NotFound';
  readonly status = 404;
}

export class Conflict extends DomainError {
  override readonly name = 'Conflict';
  readonly status = 409;
}

export class Invalid extends DomainError {
  override readonly name = 'Invalid';
  readonly status = 422;
}

export class TooLarge extends DomainError {
  override readonly name = 'TooLarge';
  readonly status = 413;
}

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;
