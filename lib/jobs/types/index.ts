import { JobTypeRegistry } from '../registry';
import { httpJobType, httpPayloadSchema } from './http';

/**
 * Payload schemas of the job types below, by name. The typed SDK infers `enqueue` payloads from
 * them and the OpenAPI document describes them, so add each new type's schema here as well.
 * A unit test checks that both lists name the same types with the same schemas.
 */
export const jobPayloadSchemas = {
  http: httpPayloadSchema,
} as const;

/**
 * Builds the registry of job types this deployment runs. Add your own types here with
 * `defineJobType`; every function bundles the same registry.
 */
export function createJobTypeRegistry(): JobTypeRegistry {
  return new JobTypeRegistry().register(httpJobType);
}
