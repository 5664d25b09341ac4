import { MongoBulkWriteError, MongoServerError } from 'mongodb';

/** MongoDB's error code for a write that breaks a unique index (including `_id`). */
export const DUPLICATE_KEY_CODE = 11000;

/** Tells whether a MongoDB write failed only because a unique key already exists. */
export function isDuplicateKeyError(error: unknown): boolean {
  if (error instanceof MongoBulkWriteError) {
    const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    return writeErrors.length > 0 && writeErrors.every((writeError) => writeError.code === DUPLICATE_KEY_CODE);
  }
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY_CODE;
}
