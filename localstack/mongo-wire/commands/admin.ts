/** Commands about the server itself: `ping`, `buildInfo`, `endSessions`. */
import type { Document } from 'bson';
import { MAX_BSON_OBJECT_SIZE, SERVER_VERSION } from './handshake';

export function pingCommand(): Document {
  return { ok: 1 };
}

export function buildInfoCommand(): Document {
  return {
    version: SERVER_VERSION,
    versionArray: SERVER_VERSION.split('.').map(Number).concat(0),
    gitVersion: 'sluice-mongo-wire-test-server',
    bits: 64,
    debug: false,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    storageEngines: ['memory'],
    ok: 1,
  };
}

/** Sessions are not tracked, so ending them has nothing to release. */
export function endSessionsCommand(): Document {
  return { ok: 1 };
}
