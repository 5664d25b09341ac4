/**
 * Benchmark of the MongoDB wire test server with 100,000 job documents, through the real driver
 * over loopback TCP: bulk insert, `_id` lookups, the indexed queries Sluice makes, and updates.
 *
 *   npx tsx test/bench/mongo-wire.bench.ts [--jobs 100000]
 *
 * Prints progress while it runs and a table of operations per second at the end. Each operation
 * runs sequentially (one request in flight) unless its name states otherwise. The docs/op column
 * is the documents returned per operation, or the count itself for countDocuments.
 */
import { performance } from 'node:perf_hooks';
import { MongoClient, type Collection } from 'mongodb';
import { startMongoWireServer } from '../../localstack/mongo-wire';

interface Job {
  _id: string;
  queue: string;
  type: string;
  state: string;
  attempts: number;
  maxAttempts: number;
  priority: number;
  runAt: Date;
  createdAt: Date;
  updatedAt: Date;
  outbox: boolean;
  sentAt: Date | null;
  leaseToken?: string;
  leaseExpiresAt?: Date;
  dispatchToken?: string;
  finishedAt?: Date;
  history?: { state: string; at: Date; attempt: number }[];
  payload: { url: string; method: string; headers: Record<string, string>; body: string };
}

const QUEUES = 10;
const INSERT_BATCH = 1_000;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

function readJobCount(): number {
  const flag = process.argv.indexOf('--jobs');
  if (flag < 0) return 100_000;
  const value = Number(process.argv[flag + 1]);
  if (!Number.isInteger(value) || value < 1_000) {
    process.stderr.write(`--jobs needs an integer of at least 1000, got '${process.argv[flag + 1] ?? ''}'; for example --jobs 100000\n`);
    process.exit(2);
  }
  return value;
}

function jobId(index: number): string {
  return `job-${String(index).padStart(7, '0')}`;
}

/** Returns the state of job `index`: 50% queued, 20% delayed, 10% active, 15% completed, 5% dead. */
function stateFor(index: number): string {
  const roll = index % 100;
  if (roll < 50) return 'queued';
  if (roll < 70) return 'delayed';
  if (roll < 80) return 'active';
  if (roll < 95) return 'completed';
  return 'dead';
}

/** Builds a job-like document; states, due times and outbox flags follow a fixed pattern by index. */
function makeJob(index: number, now: number): Job {
  const state = stateFor(index);
  // Due times spread over 30 days around now, so a 15-minute window contains about 0.03% of them.
  const runAt = new Date(now - 15 * DAY_MS + ((index * 7_919) % 30_000) * 86_400);
  const job: Job = {
    _id: jobId(index),
    queue: `queue-${index % QUEUES}`,
    type: 'http',
    state,
    attempts: state === 'queued' ? 0 : 1,
    maxAttempts: 5,
    priority: index % 3,
    runAt,
    createdAt: new Date(now - DAY_MS),
    updatedAt: new Date(now - DAY_MS),
    outbox: state === 'queued' && index % 20 === 0,
    sentAt: state === 'queued' && index % 2 === 0 ? null : new Date(now - DAY_MS),
    payload: { url: `https://hooks.example.com/${index}`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hello":"world"}' },
  };
  if (state === 'active') {
    job.leaseToken = `lease-${index}`;
    job.leaseExpiresAt = new Date(now + (index % 2 === 0 ? -60_000 : 300_000));
  }
  if (index % 10 === 3) job.dispatchToken = `dispatch-${Math.floor(index / 100)}`;
  // Completed and dead jobs finished within the last two hours, so the one-hour throughput window contains about half of them.
  if (state === 'completed' || state === 'dead') job.finishedAt = new Date(now - ((index * 7_919) % (2 * HOUR_MS)));
  job.history = [{ state: 'queued', at: job.createdAt, attempt: 0 }];
  return job;
}

interface Result {
  name: string;
  operations: number;
  seconds: number;
  documents: number;
}

const results: Result[] = [];

function progress(message: string): void {
  process.stdout.write(`[bench] ${message}\n`);
}

/** Runs `operation` `count` times with `concurrency` requests in flight; it returns how many documents it touched. */
async function measure(name: string, count: number, operation: (iteration: number) => Promise<number>, concurrency = 1): Promise<void> {
  progress(`running ${name} (${count} operations)`);
  let next = 0;
  let documents = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const iteration = next;
      next += 1;
      const touched = await operation(iteration);
      documents += touched;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  results.push({ name, operations: count, seconds: (performance.now() - started) / 1_000, documents });
}

function printTable(): void {
  const header = ['operation', 'ops', 'seconds', 'ops/s', 'docs/op'];
  const rows = results.map((result) => [
    result.name,
    String(result.operations),
    result.seconds.toFixed(2),
    Math.round(result.operations / result.seconds).toLocaleString('en-US'),
    (result.documents / result.operations).toFixed(1),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const format = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  process.stdout.write(`\n${format(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}\n`);
  for (const row of rows) process.stdout.write(`${format(row)}\n`);
}

async function load(jobs: Collection<Job>, total: number, now: number): Promise<void> {
  progress(`inserting ${total} jobs in batches of ${INSERT_BATCH}`);
  const started = performance.now();
  for (let offset = 0; offset < total; offset += INSERT_BATCH) {
    const batch = Array.from({ length: Math.min(INSERT_BATCH, total - offset) }, (_, position) => makeJob(offset + position, now));
    await jobs.insertMany(batch, { ordered: false });
    if ((offset + INSERT_BATCH) % 20_000 === 0) progress(`inserted ${offset + INSERT_BATCH}/${total}`);
  }
  const seconds = (performance.now() - started) / 1_000;
  results.push({ name: `insertMany (batches of ${INSERT_BATCH})`, operations: Math.ceil(total / INSERT_BATCH), seconds, documents: total });
  progress(`inserted ${total} jobs in ${seconds.toFixed(1)} s (${Math.round(total / seconds)} docs/s)`);
}

async function main(): Promise<void> {
  const total = readJobCount();
  const server = await startMongoWireServer({ log: (line) => progress(`server: ${line}`) });
  const client = new MongoClient(server.uri, { maxPoolSize: 16 });
  progress(`server at ${server.uri}`);

  try {
    const jobs = client.db('bench').collection<Job>('jobs');
    await jobs.createIndexes([
      { key: { outbox: 1, runAt: 1 } },
      { key: { state: 1, runAt: 1 } },
      { key: { state: 1, leaseExpiresAt: 1 } },
      { key: { dispatchToken: 1 } },
      { key: { queue: 1, state: 1 } },
      { key: { queue: 1, state: 1, finishedAt: -1, _id: -1 } },
    ]);
    const now = Date.now();
    await load(jobs, total, now);

    const randomId = (iteration: number) => jobId((iteration * 7_919) % total);
    const dueBy = new Date(now + 15 * 60_000);

    await measure('findOne {_id}', 5_000, async (iteration) => ((await jobs.findOne({ _id: randomId(iteration) })) === null ? 0 : 1));
    await measure('findOne {_id}, 16 in flight', 20_000, async (iteration) => ((await jobs.findOne({ _id: randomId(iteration) })) === null ? 0 : 1), 16);
    await measure('find {_id: {$in: 100 ids}}', 500, async (iteration) => {
      const ids = Array.from({ length: 100 }, (_, position) => randomId(iteration * 100 + position));
      return (await jobs.find({ _id: { $in: ids } }).toArray()).length;
    });

    // Claims walk the queued jobs (every index % 100 < 50) in order, so most find their precondition true.
    await measure('findOneAndUpdate claim {_id, state}', 5_000, async (iteration) => {
      const index = Math.floor(iteration / 50) * 100 + (iteration % 50);
      const claimed = await jobs.findOneAndUpdate(
        { _id: jobId(index), state: 'queued' },
        { $set: { state: 'active', leaseToken: `bench-${iteration}`, leaseExpiresAt: new Date(now + 300_000), updatedAt: new Date() }, $inc: { attempts: 1 } },
        { returnDocument: 'after' },
      );
      return claimed === null ? 0 : 1;
    });
    // The job store's claim: a pipeline update that also appends to the bounded history. It claims other jobs than the claim above.
    await measure('findOneAndUpdate claim, pipeline + history', 5_000, async (iteration) => {
      const index = Math.floor((iteration + 5_000) / 50) * 100 + (iteration % 50);
      const at = new Date();
      const claimed = await jobs.findOneAndUpdate(
        { _id: jobId(index), state: 'queued' },
        [
          {
            $set: {
              state: 'active',
              leaseToken: { $literal: `bench-pipeline-${iteration}` },
              leaseExpiresAt: new Date(now + 300_000),
              updatedAt: at,
              attempts: { $add: ['$attempts', 1] },
              history: { $slice: [{ $concatArrays: [{ $ifNull: ['$history', []] }, [{ state: 'active', at, attempt: { $add: ['$attempts', 1] } }]] }, -20] },
            },
          },
        ],
        { returnDocument: 'after' },
      );
      return claimed === null ? 0 : 1;
    });
    await measure('updateOne complete {_id, leaseToken}', 5_000, async (iteration) => {
      const index = Math.floor(iteration / 50) * 100 + (iteration % 50);
      const result = await jobs.updateOne(
        { _id: jobId(index), leaseToken: `bench-${iteration}` },
        { $set: { state: 'completed', updatedAt: new Date() }, $unset: { leaseToken: '', leaseExpiresAt: '' } },
      );
      return result.modifiedCount;
    });
    await measure('updateMany {_id: {$in: 100}, sentAt: null}', 500, async (iteration) => {
      const ids = Array.from({ length: 100 }, (_, position) => randomId(iteration * 100 + position));
      return (await jobs.updateMany({ _id: { $in: ids }, sentAt: null }, { $set: { sentAt: new Date() } })).modifiedCount;
    });

    await measure('find outbox {outbox, runAt<=} sort limit 100', 1_000, async () => {
      return (await jobs.find({ outbox: true, runAt: { $lte: new Date(now) } }).sort({ runAt: 1 }).limit(100).toArray()).length;
    });
    await measure('find due {state $in, runAt<=, sentAt<=} limit 100', 1_000, async () => {
      return (await jobs.find({ state: { $in: ['queued', 'delayed'] }, runAt: { $lte: dueBy }, sentAt: { $lte: new Date(now) } }).limit(100).toArray()).length;
    });
    await measure('find due in the next 15 min (no limit)', 1_000, async () => {
      return (await jobs.find({ state: { $in: ['queued', 'delayed'] }, runAt: { $gte: new Date(now), $lte: dueBy }, sentAt: { $lte: new Date(now) } }).toArray()).length;
    });
    await measure('find expired leases {state, leaseExpiresAt<}', 200, async () => {
      return (await jobs.find({ state: 'active', leaseExpiresAt: { $lt: new Date(now) } }).limit(100).toArray()).length;
    });
    await measure('find {dispatchToken}', 5_000, async (iteration) => {
      return (await jobs.find({ dispatchToken: `dispatch-${iteration % Math.floor(total / 100)}` }).toArray()).length;
    });
    await measure('aggregate $match queue + $group state', 200, async (iteration) => {
      const pipeline = [{ $match: { queue: `queue-${iteration % QUEUES}` } }, { $group: { _id: '$state', count: { $sum: 1 } } }];
      return (await jobs.aggregate(pipeline).toArray()).length;
    });
    await measure('aggregate throughput per minute, last hour', 200, async (iteration) => {
      const pipeline = [
        { $match: { queue: `queue-${iteration % QUEUES}`, state: { $in: ['completed', 'dead'] }, finishedAt: { $gte: new Date(now - HOUR_MS) } } },
        { $group: { _id: { minute: { $dateTrunc: { date: '$finishedAt', unit: 'minute' } }, state: '$state' }, count: { $sum: 1 } } },
      ];
      return (await jobs.aggregate(pipeline).toArray()).length;
    });
    await measure('countDocuments {queue, state}', 500, async (iteration) => {
      return jobs.countDocuments({ queue: `queue-${iteration % QUEUES}`, state: 'dead' });
    });
    await measure('estimatedDocumentCount', 2_000, async () => (await jobs.estimatedDocumentCount()) > 0 ? 1 : 0);

    printTable();
    process.stdout.write(`\n${total} jobs, Node ${process.version}, driver and server in one process over loopback TCP.\n`);
  } finally {
    await client.close();
    await server.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
