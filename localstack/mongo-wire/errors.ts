/**
 * Server-side command errors, sent to the client as `{ ok: 0, errmsg, code, codeName }` or, for
 * one statement of a write command, as an entry of `writeErrors`. Codes and names are MongoDB's.
 */
import type { Document } from 'bson';

export const ErrorCode = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  Unauthorized: 13,
  TypeMismatch: 14,
  IllegalOperation: 20,
  AlreadyInitialized: 23,
  NamespaceNotFound: 26,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  CannotCreateIndex: 67,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  InvalidIndexSpecificationOption: 197,
  UnsupportedOpQueryCommand: 352,
  DuplicateKey: 11000,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

/** A command failed and the client receives the error in the reply; the connection stays open. */
export class CommandError extends Error {
  readonly codeName: ErrorCodeName;
  readonly code: number;
  /** Extra reply fields, for example `keyPattern` and `keyValue` of a duplicate key. */
  readonly details: Document;

  constructor(codeName: ErrorCodeName, message: string, details: Document = {}) {
    super(message);
    this.name = 'CommandError';
    this.codeName = codeName;
    this.code = ErrorCode[codeName];
    this.details = details;
  }

  /** Builds the reply of a failed command. */
  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.details };
  }

  /** Builds the `writeErrors` entry for statement `index` of an insert, update or delete. */
  toWriteError(index: number): Document {
    return { index, code: this.code, errmsg: this.message, ...this.details };
  }
}

/** Shorthand for the most common error: a field of the command has a bad value. */
export function badValue(message: string): CommandError {
  return new CommandError('BadValue', message);
}
