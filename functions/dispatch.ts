import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { getServices, servicesReady } from '../lib/clients';
import { runDispatch, type DispatchReport } from '../lib/dispatch/dispatch';
import { logger } from '../lib/observability/logger';
import { metrics } from '../lib/observability/metrics';

/** Time kept back from the function timeout so the last round can finish. */
const RESERVE_MS = 10_000;

/** Scheduled (every minute) and invocable: sends due jobs, retries and lost messages to SQS. */
export const handler = middy<unknown, DispatchReport>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(servicesReady())
  .handler(async (_event: unknown, context: Context) =>
    runDispatch(getServices(), { budgetMs: Math.max(1_000, context.getRemainingTimeInMillis() - RESERVE_MS) }),
  );
