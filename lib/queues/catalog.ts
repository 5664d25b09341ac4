import queuesFile from '../../queues.json';
import { NotFoundError } from '../errors';
import { loadQueueDefinitions, parseQueueDefinitions, queuesFileFromEnv, type QueueDefinition, type QueueNaming } from './definitions';

/**
 * The queues of this deployment, parsed from the bundled `queues.json` (esbuild inlines it, so a
 * function uses exactly the definitions it was deployed with).
 */
export class QueueCatalog {
  private readonly byName: Map<string, QueueDefinition>;

  constructor(readonly definitions: QueueDefinition[]) {
    this.byName = new Map(definitions.map((definition) => [definition.name, definition]));
  }

  /** Loads the definitions of SLUICE_QUEUES_FILE when it is set, otherwise the bundled `queues.json`. */
  static load(naming: QueueNaming): QueueCatalog {
    const file = queuesFileFromEnv();
    return new QueueCatalog(file ? loadQueueDefinitions(naming, file) : parseQueueDefinitions(queuesFile, naming));
  }

  /** Returns the queue called `name`; throws {@link NotFoundError} listing the defined queues. */
  get(name: string): QueueDefinition {
    const definition = this.byName.get(name);
    if (!definition) {
      throw new NotFoundError(`queue ${JSON.stringify(name)} is not defined; use one of: ${[...this.byName.keys()].join(', ')}`, {
        queue: name,
      });
    }
    return definition;
  }
}
