import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { keysCommand } from '../../cli/commands/keys';
import { apiKeysCollection, verifyApiKey } from '../../lib/auth/api-key-store';
import { testMongoUri } from '../support/services';

const database = `sluice_keys_${randomUUID().slice(0, 8)}`;
let mongo: MongoClient;

beforeAll(() => {
  process.env.MONGODB_URI = testMongoUri();
  process.env.MONGODB_DATABASE = database;
  mongo = new MongoClient(testMongoUri());
});

afterAll(async () => {
  await mongo.db(database).dropDatabase();
  await mongo.close();
});

/** Runs `keys <args>` and returns what it wrote to stdout. */
async function runKeys(...args: string[]): Promise<string> {
  const written: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    const command = keysCommand().exitOverride();
    command.commands.forEach((subcommand) => subcommand.exitOverride());
    await command.parseAsync(args, { from: 'user' });
  } finally {
    write.mockRestore();
  }
  return written.join('');
}

describe('keys command', () => {
  it('creates a key, prints it once and stores its hash', async () => {
    const output = await runKeys('create', '--name', 'billing', '--queues', 'default,webhooks', '--actions', 'enqueue,read');
    const key = /key +(sluice_\S+)/.exec(output)?.[1] as string;
    expect(key).toBeDefined();
    expect(output).toContain('not shown again');
    const grants = await verifyApiKey(apiKeysCollection(mongo.db(database)), key);
    expect(grants).toMatchObject({ queues: ['default', 'webhooks'], actions: ['enqueue', 'read'] });
  });

  it('lists keys without secrets and revokes one', async () => {
    const created = await runKeys('create', '--name', 'temporary', '--queues', '*', '--actions', 'admin');
    const id = /id +([0-9a-f]{16})/.exec(created)?.[1] as string;
    const key = /key +(sluice_\S+)/.exec(created)?.[1] as string;
    const listed = await runKeys('list');
    expect(listed).toContain(`${id}  temporary  queues=*  actions=admin`);
    expect(listed).not.toContain(key.slice(-43));

    expect(await runKeys('revoke', id)).toBe(`revoked ${id}\n`);
    expect(await verifyApiKey(apiKeysCollection(mongo.db(database)), key)).toBeUndefined();
    expect(await runKeys('list')).toMatch(new RegExp(`${id} .* revoked \\d{4}-`));
  });

  it('rejects an unknown action, naming the valid ones', async () => {
    await expect(runKeys('create', '--name', 'x', '--queues', 'default', '--actions', 'enqueue,delete')).rejects.toThrow(
      'actions "enqueue,delete" are invalid; use one or more of enqueue, read, admin',
    );
  });

  it('reports revoking an unknown key', async () => {
    await expect(runKeys('revoke', 'ffffffffffffffff')).rejects.toThrow('API key "ffffffffffffffff" not found');
  });
});
