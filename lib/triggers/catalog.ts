import triggersFile from '../../triggers.json';
import type { JobTypeRegistry } from '../jobs/registry';
import type { QueueCatalog } from '../queues/catalog';
import { ConfigError } from '../errors';
import { parseTriggerDefinitions, readTriggersFile, triggersFileFromEnv, type TriggerDefinition } from './definitions';

/**
 * Returns the trigger called `name` from SLUICE_TRIGGERS_FILE when it is set, otherwise from the
 * bundled `triggers.json` (esbuild inlines it, so a function uses the definitions it was deployed
 * with). Throws {@link ConfigError} when the file is invalid or has no such trigger.
 */
export function loadTrigger(name: string, queues: QueueCatalog, jobTypes: JobTypeRegistry): TriggerDefinition {
  const file = triggersFileFromEnv();
  const known = { queues: queues.definitions.map((queue) => queue.name), jobTypes: jobTypes.names() };
  const triggers = file ? parseTriggerDefinitions(readTriggersFile(file), known, file) : parseTriggerDefinitions(triggersFile, known);
  const trigger = triggers.find((candidate) => candidate.name === name);
  if (!trigger) {
    throw new ConfigError(`trigger "${name}" is not defined; defined triggers: ${triggers.map((candidate) => candidate.name).join(', ') || '(none)'}`, {
      setting: 'SLUICE_TRIGGER',
    });
  }
  return trigger;
}
