import { MongoClient, type CommandStartedEvent } from 'mongodb';
import type { Services } from '../../lib/clients';
import { mongoClientOptions } from '../../lib/clients/mongo';
import { jobsCollection } from '../../lib/store/collections';
import { testMongoUri } from './services';

/**
 * Returns `services` on a MongoClient of its own (the functions' options plus command
 * monitoring), and the commands it sends, so a test can count MongoDB round trips.
 */
export function withCommandMonitoring(services: Services, uri = testMongoUri()): { services: Services; commands: CommandStartedEvent[]; close(): Promise<void> } {
  const commands: CommandStartedEvent[] = [];
  const mongo = new MongoClient(uri, { ...mongoClientOptions(services.config), monitorCommands: true });
  mongo.on('commandStarted', (event) => commands.push(event));
  return {
    services: { ...services, mongo, jobs: jobsCollection(mongo.db(services.config.MONGODB_DATABASE)) },
    commands,
    close: () => mongo.close(),
  };
}
