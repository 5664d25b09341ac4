import { SluiceError } from '../errors';

/**
 * An event that can never become a job: wrong shape, a field the payload template needs is
 * missing, or the job it maps to is invalid. Trigger functions log and count it, then return,
 * so Lambda does not retry it.
 */
export class MalformedEventError extends SluiceError {}
