import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Cluster, Command } from 'ioredis';
import type { RedisClient } from '../../../lib/clients/redis';

/**
 * Commands that Redis Cluster nodes receive from replication, topology discovery and these
 * statistics themselves, not from Sluice's code. They are left out of the counts.
 */
const NON_SLUICE_REDIS_COMMANDS = new Set(['info', 'cluster', 'replconf', 'psync', 'sync', 'ping', 'command', 'client', 'readonly', 'hello', 'select', 'auth']);

/**
 * Counts the HTTP requests `client` sends, by command name, in the returned object. The middleware
 * sits in the deserialize step, below the retry middleware, so each retried attempt counts too.
 */
export function countSqsRequests(client: SQSClient): Record<string, number> {
  const counts: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'deserialize', name: 'benchCountRequests' },
  );
  return counts;
}

/** Commands and round trips of one Redis client, each by command name or kind. */
export interface RedisCounts {
  commands: Record<string, number>;
  /**
   * `pipeline`: batches of commands written to one node together, whose replies arrive together
   * (auto-pipelining makes one per node per event loop turn). `command`: commands sent on their own.
   */
  roundTrips: Record<string, number>;
}

/**
 * Counts the commands `client` sends to Redis by command name, and its round trips. With
 * auto-pipelining, the commands one event loop turn sends to one node share one round trip. The
 * commands a Lua script runs inside Redis are not sent by the client and do not count.
 */
export function countRedisCommands(client: RedisClient): RedisCounts {
  const counts: RedisCounts = { commands: {}, roundTrips: {} };
  const increment = (into: Record<string, number>, name: string) => {
    into[name] = (into[name] ?? 0) + 1;
  };
  const send = client.sendCommand.bind(client) as (command: Command, stream?: unknown, ...rest: unknown[]) => unknown;
  (client as { sendCommand: unknown }).sendCommand = (command: Command, stream?: unknown, ...rest: unknown[]) => {
    increment(counts.commands, command.name);
    // A pipeline passes the stream it writes its commands to; a command sent on its own does not.
    if (stream === undefined) {
      increment(counts.roundTrips, 'command');
    }
    return send(command, stream, ...rest);
  };
  const pipeline = client.pipeline.bind(client) as (...args: unknown[]) => unknown;
  (client as { pipeline: unknown }).pipeline = (...args: unknown[]) => {
    increment(counts.roundTrips, 'pipeline');
    return pipeline(...args);
  };
  return counts;
}

/**
 * Reads the calls of every command from INFO commandstats on the cluster's masters and returns
 * their totals by command name, including the commands Lua scripts run, without the commands in {@link NON_SLUICE_REDIS_COMMANDS}.
 */
export async function readRedisCommandCounts(cluster: Cluster): Promise<Record<string, number>> {
  const reports = await Promise.all(cluster.nodes('master').map((node) => node.info('commandstats')));
  const counts: Record<string, number> = {};
  for (const report of reports) {
    for (const match of report.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      const name = (match[1] as string).toLowerCase();
      if (!NON_SLUICE_REDIS_COMMANDS.has(name.split('|')[0] as string)) {
        counts[name] = (counts[name] ?? 0) + Number(match[2]);
      }
    }
  }
  return counts;
}
