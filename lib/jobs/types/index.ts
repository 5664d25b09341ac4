import { JobTypeRegistry } from '../registry';
import { httpJobType } from './http';

/**
 * Builds the registry of job types this deployment runs. Add your own types here with
 * `defineJobType`; every function bundles the same registry.
 */
export function createJobTypeRegistry(): JobTypeRegistry {
  return new JobTypeRegistry().register(httpJobType);
}
