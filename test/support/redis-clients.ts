import Redis from 'ioredis';
import { testRedisNodes } from './services';

/**
 * Lists and kills the connections that carry one client name on every node of the shared test
 * Redis Cluster. It uses connections of its own, because CLIENT KILL skips the calling connection.
 */
export class RedisClientInspector {
  private readonly nodes = testRedisNodes()
    .split(',')
    .map((address) => {
      const [host, port] = address.split(':') as [string, string];
      return new Redis({ host, port: Number(port), lazyConnect: false, maxRetriesPerRequest: 1 });
    });

  /** Client ids of the connections named `name`, as `port:id`, sorted. */
  async ids(name: string): Promise<string[]> {
    const ids: string[] = [];
    for (const node of this.nodes) {
      const list = (await node.call('CLIENT', 'LIST')) as string;
      for (const line of list.split('\n')) {
        const id = / name=(\S*) /.exec(line)?.[1] === name ? /\bid=(\d+)/.exec(line)?.[1] : undefined;
        if (id !== undefined) {
          ids.push(`${node.options.port}:${id}`);
        }
      }
    }
    return ids.sort();
  }

  /** Kills every connection named `name` with CLIENT KILL ID; returns how many it killed. */
  async kill(name: string): Promise<number> {
    let killed = 0;
    for (const entry of await this.ids(name)) {
      const [port, id] = entry.split(':') as [string, string];
      const node = this.nodes.find((candidate) => String(candidate.options.port) === port);
      killed += Number(await node?.call('CLIENT', 'KILL', 'ID', id));
    }
    return killed;
  }

  close(): void {
    for (const node of this.nodes) {
      node.disconnect();
    }
  }
}
