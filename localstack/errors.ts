import { SluiceError } from '../lib/errors';

/**
 * A local-stack service (Redis Cluster node, SQS emulator) failed to start or stop: a missing binary,
 * a port held by another process, or a service that did not become ready in time.
 */
export class LocalStackError extends SluiceError {}
