import { Command, InvalidArgumentError } from 'commander';
import { MongoClient } from 'mongodb';
import { apiKeysCollection, createApiKey, listApiKeys, revokeApiKey, type ApiKeyDocument } from '../../lib/auth/api-key-store';
import { ALL_QUEUES, API_ACTIONS, type ApiAction } from '../../lib/auth/grants';
import type { Collection } from 'mongodb';

const queueNamePattern = /^[A-Za-z0-9_-]{1,80}$/;

function parseQueues(value: string): string[] {
  const queues = value.split(',').map((queue) => queue.trim()).filter(Boolean);
  const invalid = queues.filter((queue) => queue !== ALL_QUEUES && !queueNamePattern.test(queue));
  if (queues.length === 0 || invalid.length > 0) {
    throw new InvalidArgumentError(`queues ${JSON.stringify(value)} are invalid; give queue names separated by commas, or ${ALL_QUEUES} for every queue`);
  }
  return queues;
}

function parseActions(value: string): ApiAction[] {
  const actions = value.split(',').map((action) => action.trim()).filter(Boolean);
  const invalid = actions.filter((action) => !(API_ACTIONS as readonly string[]).includes(action));
  if (actions.length === 0 || invalid.length > 0) {
    throw new InvalidArgumentError(`actions ${JSON.stringify(value)} are invalid; use one or more of ${API_ACTIONS.join(', ')} separated by commas`);
  }
  return actions as ApiAction[];
}

/** Connects to MONGODB_URI, runs `work` on the API keys collection of MONGODB_DATABASE (default sluice), then disconnects. */
async function withKeys<T>(work: (keys: Collection<ApiKeyDocument>) => Promise<T>): Promise<T> {
  const uri = process.env.MONGODB_URI?.trim();
  if (!uri) {
    throw new Error('MONGODB_URI is missing; set it to the MongoDB connection string of the deployment whose keys to manage');
  }
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000 });
  try {
    return await work(apiKeysCollection(client.db(process.env.MONGODB_DATABASE?.trim() || 'sluice')));
  } finally {
    await client.close();
  }
}

function write(line: string): void {
  process.stdout.write(`${line}\n`);
}

/**
 * `keys create|revoke|list`: manages the API keys of the HTTP API in MongoDB (MONGODB_URI,
 * MONGODB_DATABASE). `create` prints the key once; only its hash is stored.
 */
export function keysCommand(): Command {
  const keys = new Command('keys').description('create, revoke and list API keys of the HTTP API (MONGODB_URI, MONGODB_DATABASE)');

  keys
    .command('create')
    .description('create an API key and print it once; only its hash is stored')
    .requiredOption('--name <name>', 'who or what uses the key')
    .requiredOption('--queues <queues>', `queues the key may use, separated by commas, or ${ALL_QUEUES} for every queue`, parseQueues)
    .requiredOption('--actions <actions>', `allowed actions, separated by commas: ${API_ACTIONS.join(', ')} (admin implies read)`, parseActions)
    .action(async (options: { name: string; queues: string[]; actions: ApiAction[] }) => {
      const created = await withKeys((collection) => createApiKey(collection, options));
      write(`id      ${created.id}`);
      write(`key     ${created.key}`);
      write('Store the key now: it is not shown again. Clients send it as "Authorization: Bearer <key>".');
    });

  keys
    .command('revoke')
    .description('revoke an API key; API Gateway may accept it for up to the authorizer cache TTL (60 s)')
    .argument('<id>', 'the key id printed by create or list')
    .action(async (id: string) => {
      const found = await withKeys((collection) => revokeApiKey(collection, id));
      if (!found) {
        throw new Error(`API key ${JSON.stringify(id)} not found; run "keys list" to see the key ids`);
      }
      write(`revoked ${id}`);
    });

  keys
    .command('list')
    .description('list API keys (ids, names, grants, dates; never secrets)')
    .action(async () => {
      const listed = await withKeys((collection) => listApiKeys(collection));
      for (const key of listed) {
        const status = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active';
        write(`${key.id}  ${key.name}  queues=${key.queues.join(',')}  actions=${key.actions.join(',')}  created ${key.createdAt.toISOString()}  ${status}`);
      }
      if (listed.length === 0) {
        write('no API keys; create one with "keys create --name <name> --queues <queues> --actions <actions>"');
      }
    });

  return keys;
}
