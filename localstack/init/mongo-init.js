// Run by the mongo-init service of docker-compose.yml with mongosh: initiates the config server and
// shard replica sets (one member each), adds both shards to the cluster through mongos, then runs
// Sluice's database setup from /init/database-plan.json (lib/store/database-plan.json, which
// `npm run db:prepare` applies too): the indexes, then sharding of the collections with a shard key.
// Every step checks first or is a no-op when repeated, so running it again changes nothing.

function connectWithRetry(uri) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const connection = connect(uri);
      connection.adminCommand({ ping: 1 });
      return connection;
    } catch (error) {
      if (attempt === 60) {
        throw new Error(`${uri} did not respond to ping after 60 attempts: ${error.message}`);
      }
      sleep(1000);
    }
  }
}

function initiateReplicaSet(host, replicaSet, configsvr) {
  const admin = connectWithRetry(`mongodb://${host}/admin?directConnection=true`);
  try {
    admin.adminCommand({ replSetGetStatus: 1 });
    print(`replica set ${replicaSet} on ${host} is already initiated`);
  } catch (error) {
    // NotYetInitialized (code 94) is the expected state of a fresh member; anything else is a real failure.
    if (error.code !== 94) {
      throw error;
    }
    admin.adminCommand({ replSetInitiate: { _id: replicaSet, configsvr, members: [{ _id: 0, host }] } });
    print(`initiated replica set ${replicaSet} on ${host}`);
  }
  for (let attempt = 1; !admin.hello().isWritablePrimary; attempt += 1) {
    if (attempt === 60) {
      throw new Error(`replica set ${replicaSet} on ${host} elected no primary within 60 s`);
    }
    sleep(1000);
  }
}

initiateReplicaSet('configsvr:27019', 'configReplSet', true);
initiateReplicaSet('shard1:27018', 'shard1', false);
initiateReplicaSet('shard2:27018', 'shard2', false);

const mongos = connectWithRetry('mongodb://mongos:27017/admin');
const existing = mongos.adminCommand({ listShards: 1 }).shards.map((shard) => shard._id);
for (const [name, host] of [['shard1', 'shard1/shard1:27018'], ['shard2', 'shard2/shard2:27018']]) {
  if (existing.includes(name)) {
    print(`shard ${name} is already in the cluster`);
  } else {
    mongos.adminCommand({ addShard: host, name });
    print(`added shard ${host}`);
  }
}
// The same steps as prepareDatabase in lib/store/collections.ts, in mongosh.
const databaseName = process.env.SLUICE_DATABASE || 'sluice';
const plan = JSON.parse(require('fs').readFileSync('/init/database-plan.json', 'utf8'));
const database = mongos.getSiblingDB(databaseName);
const sharded = [];
for (const [name, collection] of Object.entries(plan.collections)) {
  // `purpose` documents the index; every other field is an option of createIndex.
  for (const { purpose: _purpose, key, ...options } of collection.indexes) {
    database.getCollection(name).createIndex(key, options);
  }
  if (collection.shardKey) {
    const indexName = Object.entries(collection.shardKey).map(([field, kind]) => `${field}_${kind}`).join('_');
    database.getCollection(name).createIndex(collection.shardKey, { name: indexName });
    sharded.push([name, collection.shardKey]);
  }
}
mongos.adminCommand({ enableSharding: databaseName });
for (const [name, key] of sharded) {
  mongos.adminCommand({ shardCollection: `${databaseName}.${name}`, key });
  print(`sharded ${databaseName}.${name} on ${JSON.stringify(key)}`);
}
print('sharded MongoDB ready at mongodb://127.0.0.1:27017');
