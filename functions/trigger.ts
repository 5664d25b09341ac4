import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { getServices, servicesReady } from '../lib/clients';
import { ConfigError } from '../lib/errors';
import { logger } from '../lib/observability/logger';
import { metrics } from '../lib/observability/metrics';
import { loadTrigger } from '../lib/triggers/catalog';
import type { TriggerDefinition } from '../lib/triggers/definitions';
import { handleTriggerEvent, type TriggerOutcome } from '../lib/triggers/handle-event';

let trigger: TriggerDefinition | undefined;

function triggerOfThisFunction(): TriggerDefinition {
  const name = process.env.SLUICE_TRIGGER?.trim();
  if (!name) {
    throw new ConfigError('SLUICE_TRIGGER is missing; set it to the trigger this function serves', { setting: 'SLUICE_TRIGGER' });
  }
  const services = getServices();
  trigger ??= loadTrigger(name, services.queues, services.jobTypes);
  return trigger;
}

/**
 * Target of one trigger (SLUICE_TRIGGER): an EventBridge rule, an SNS subscription or S3
 * notifications, all invoked asynchronously. Malformed events return normally; other errors are
 * thrown, so Lambda retries the event and then sends it to the trigger's on-failure queue.
 */
export const handler = middy<unknown, TriggerOutcome>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(servicesReady())
  .handler(async (event) => {
    const definition = triggerOfThisFunction();
    metrics.addDimension('trigger', definition.name);
    return handleTriggerEvent(getServices(), definition, event, logger);
  });
