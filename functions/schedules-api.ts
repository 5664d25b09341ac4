import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { getServices, servicesReady } from '../lib/clients';
import { getConfig } from '../lib/config/env';
import { HttpStatus } from '../lib/errors';
import { httpErrors } from '../lib/http/errors-middleware';
import { jsonBody, type JsonEvent } from '../lib/http/json-body';
import { jsonResponse } from '../lib/http/responses';
import { logger } from '../lib/observability/logger';
import { createSchedule, deleteSchedule, getSchedule, pauseSchedule, resumeSchedule } from '../lib/schedules/schedules';

/** Builds a handler that returns, as 200, the schedule of `{id}` that `action` returns. */
function scheduleAction(action: (id: string) => Promise<unknown>) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpErrors(logger))
    .use(servicesReady())
    .handler(async (event) => jsonResponse(HttpStatus.ok, await action(event.pathParameters?.id ?? '')));
}

/** `POST /schedules`: creates a cron schedule; 201 with the schedule, 409 when the id exists. */
export const create = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors(logger))
  .use(servicesReady())
  .use(jsonBody({ maxBytes: getConfig().SLUICE_MAX_PAYLOAD_BYTES }))
  .handler(async (event) => jsonResponse(HttpStatus.created, await createSchedule(getServices(), (event as unknown as JsonEvent).body)));

/** `GET /schedules/{id}`: the schedule, with its next slot. */
export const get = scheduleAction((id) => getSchedule(getServices(), id));

/** `POST /schedules/{id}/pause`: stops creating jobs for the schedule's slots. */
export const pause = scheduleAction((id) => pauseSchedule(getServices(), id));

/** `POST /schedules/{id}/resume`: creates jobs again, from the next slot per the missed-slot policy. */
export const resume = scheduleAction((id) => resumeSchedule(getServices(), id));

/** `DELETE /schedules/{id}`: deletes the schedule; jobs it already created stay. */
export const remove = scheduleAction((id) => deleteSchedule(getServices(), id));
