/**
 * `npm run db:prepare`: creates the indexes of the database named by MONGODB_URI and
 * MONGODB_DATABASE (default sluice) and, on a mongos, shards the jobs collection on a hashed `_id`.
 * Run it once per environment before the first deploy, and again after upgrades; it is idempotent.
 */
import { MongoClient } from 'mongodb';
import { prepareDatabase } from '../lib/store/collections';

async function main(): Promise<void> {
  const uri = process.env.MONGODB_URI;
  if (!uri || !/^mongodb(\+srv)?:\/\//.test(uri)) {
    throw new Error(`MONGODB_URI ${uri ? JSON.stringify(uri) + ' is invalid' : 'is missing'}; set it to a connection string such as mongodb://host:27017`);
  }
  const database = process.env.MONGODB_DATABASE || 'sluice';
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    process.stdout.write(`preparing database ${database}\n`);
    const { sharded } = await prepareDatabase(client.db(database));
    process.stdout.write(`indexes ready${sharded ? '; jobs collection sharded on hashed _id' : ' (not a mongos, so no sharding)'}\n`);
  } finally {
    await client.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`db:prepare failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
