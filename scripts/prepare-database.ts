/**
 * `npm run db:prepare`: creates the indexes of the database named by MONGODB_URI and
 * MONGODB_DATABASE (default sluice) and, on a mongos, shards the jobs and idempotency-key
 * collections on a hashed `_id`. Run it once per environment before the first deploy, and again
 * after upgrades: running it again changes nothing. Add the shards (`sh.addShard`) before running
 * it on a new sharded cluster; docs/deploy.md shows how.
 */
import { MongoClient } from 'mongodb';
import { IDEMPOTENCY_COLLECTION } from '../lib/idempotency/idempotency-store';
import { JOBS_COLLECTION, prepareDatabase } from '../lib/store/collections';

async function main(): Promise<void> {
  const uri = process.env.MONGODB_URI;
  if (!uri || !/^mongodb(\+srv)?:\/\//.test(uri)) {
    throw new Error(`MONGODB_URI ${uri ? 'is invalid (it must start with mongodb:// or mongodb+srv://)' : 'is missing'}; set it to a connection string such as mongodb://host:27017`);
  }
  const database = process.env.MONGODB_DATABASE || 'sluice';
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    process.stdout.write(`preparing database ${database}\n`);
    const { sharded } = await prepareDatabase(client.db(database));
    process.stdout.write(
      sharded
        ? `indexes ready; ${database}.${JOBS_COLLECTION} and ${database}.${IDEMPOTENCY_COLLECTION} sharded on { _id: "hashed" }\n`
        : 'indexes ready (the server is not a mongos, so nothing was sharded)\n',
    );
  } finally {
    await client.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`db:prepare failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
