/** Readers for command fields that reject a wrong type with a TypeMismatch naming the field. */
import type { Document } from 'bson';
import { CommandError } from '../errors';
import { isPlainObject } from '../store/document-shape';

function mismatch(command: string, field: string, expected: string, value: unknown): CommandError {
  return new CommandError('TypeMismatch', `'${command}.${field}' must be ${expected}, got ${JSON.stringify(value)}`);
}

/** Returns an optional document field. */
export function optionalDocument(command: Document, name: string, field: string): Document | undefined {
  const value: unknown = command[field];
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw mismatch(name, field, 'a document', value);
  return value;
}

/** Returns an optional boolean field; numbers count as booleans, as in MongoDB. */
export function optionalBoolean(command: Document, name: string, field: string): boolean | undefined {
  const value: unknown = command[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  throw mismatch(name, field, 'a boolean', value);
}

/** Returns an optional integer field. */
export function optionalInteger(command: Document, name: string, field: string): number | undefined {
  const value: unknown = command[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw mismatch(name, field, 'an integer', value);
  return value;
}

/** Returns an optional non-negative integer field. */
export function optionalCount(command: Document, name: string, field: string): number | undefined {
  const value = optionalInteger(command, name, field);
  if (value !== undefined && value < 0) {
    throw new CommandError('BadValue', `'${name}.${field}' must not be negative, got ${value}`);
  }
  return value;
}

/** Returns a required array of documents, such as `insert.documents`. */
export function documentArray(command: Document, name: string, field: string): Document[] {
  const value: unknown = command[field];
  if (!Array.isArray(value) || !value.every(isPlainObject)) throw mismatch(name, field, 'an array of documents', value);
  return value;
}
