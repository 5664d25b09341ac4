/**
 * MongoDB wire-protocol TEST DOUBLE for Sluice's tests and local quick start. Production never
 * uses it; point MONGODB_URI at a real MongoDB for anything else.
 *
 * It speaks OP_MSG (and the legacy OP_QUERY handshake) over TCP on loopback to the real
 * `mongodb` driver and keeps data in memory. It implements only the commands Sluice uses:
 * hello/isMaster, ping, buildInfo, insert, find, getMore, killCursors, update, delete,
 * findAndModify, aggregate, count, createIndexes, listIndexes, listCollections, create, drop,
 * dropDatabase, endSessions, and in mongos mode enableSharding and shardCollection. Every other
 * command is rejected with CommandNotFound (code 59). Query, update and aggregation semantics
 * come from mingo; unique indexes are enforced with MongoDB's E11000 errors; TTL indexes expire
 * documents; `_id` lookups and declared indexes keep 100,000-document collections fast.
 *
 * Not supported: transactions, retryable-write deduplication, authentication, compression,
 * collation, text and geo indexes, and aggregation stages that read other collections.
 */
export { startMongoWireServer, type MongoWireServer } from './server';
export { DEFAULT_TTL_INTERVAL_MS, type MongoWireServerOptions } from './options';
export type { ShardedCollection, ShardingSnapshot } from './commands/sharding-registry';
export type { RecordedCommand } from './commands/context';
