import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A piece of a request body: literal text, or `text` repeated `count` times (oversized and deeply nested bodies). */
export type BodyPart = string | { repeat: string; count: number };

/** Which credentials a corpus request carries. */
export type CorpusAuth = 'admin' | 'none' | 'readOnlyWebhooks' | { header: string };

/** One malformed HTTP request and the 4xx it must get. */
export interface HttpCorpusCase {
  description: string;
  request: {
    method: string;
    /** `{{jobId}}` and `{{scheduleId}}` stand for a job and a schedule that exist. */
    path: string;
    headers?: Record<string, string>;
    /** The body as JSON (sent as its serialisation), as raw text, as parts, or as base64 bytes. */
    json?: unknown;
    body?: string;
    parts?: BodyPart[];
    base64?: string;
    /** Default `admin`: a key with every action on every queue. */
    auth?: CorpusAuth;
  };
  expect: { status: number; message: string };
}

/** One malformed SQS message sent to a queue: the process function must log and acknowledge it. */
export interface EventCorpusCase {
  description: string;
  event: { queue: string; body?: string; json?: unknown };
  expect: { log: string; problem: string };
}

function loadCases<T>(folder: string): [string, T][] {
  const directory = join(__dirname, folder);
  return readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => [name.replace(/\.json$/, ''), JSON.parse(readFileSync(join(directory, name), 'utf8')) as T]);
}

export const loadHttpCases = (): [string, HttpCorpusCase][] => loadCases<HttpCorpusCase>('http');
export const loadEventCases = (): [string, EventCorpusCase][] => loadCases<EventCorpusCase>('events');

/** Builds the body bytes of a corpus request. */
export function requestBody(request: HttpCorpusCase['request']): Buffer | undefined {
  if (request.base64 !== undefined) {
    return Buffer.from(request.base64, 'base64');
  }
  if (request.parts !== undefined) {
    return Buffer.from(request.parts.map((part) => (typeof part === 'string' ? part : part.repeat.repeat(part.count))).join(''), 'utf8');
  }
  if (request.body !== undefined) {
    return Buffer.from(request.body, 'utf8');
  }
  return request.json === undefined ? undefined : Buffer.from(JSON.stringify(request.json), 'utf8');
}
