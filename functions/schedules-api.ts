import { assertAllowed, requestGrants } from '../lib/auth/authorize';
import { ApiAction } from '../lib/auth/grants';
import { queueOfSchedule } from '../lib/auth/resource-queues';
import { getServices } from '../lib/clients';
import { getConfig } from '../lib/config/env';
import { ForbiddenError, HttpStatus } from '../lib/errors';
import { apiRoute } from '../lib/http/api-route';
import { jsonBody, type JsonEvent } from '../lib/http/json-body';
import { jsonResponse } from '../lib/http/responses';
import { createSchedule, deleteSchedule, getSchedule, pauseSchedule, resumeSchedule } from '../lib/schedules/schedules';

/**
 * Builds a handler that returns, as 200, the schedule of `{id}` that `action` returns, once the
 * key holds `grant` on the schedule's queue.
 */
function scheduleAction(grant: ApiAction, action: (id: string) => Promise<unknown>) {
  return apiRoute().handler(async (event) => {
    const id = event.pathParameters?.id ?? '';
    assertAllowed(requestGrants(event), await queueOfSchedule(getServices(), id), grant);
    return jsonResponse(HttpStatus.ok, await action(id));
  });
}

/** `POST /schedules`: creates a cron schedule; 201 with the schedule, 409 when the id exists; 403 without `admin` on its queue. */
export const create = apiRoute()
  .use(jsonBody({ maxBytes: getConfig().SLUICE_MAX_PAYLOAD_BYTES }))
  .handler(async (event) => {
    const grants = requestGrants(event);
    const body = (event as unknown as JsonEvent).body;
    if (!grants.actions.includes(ApiAction.admin)) {
      throw new ForbiddenError(`API key ${grants.keyId} may not create schedules; use a key granted admin on the schedule's queue`, { operation: 'createSchedule' });
    }
    // A missing or mistyped queue is left to the request's validation, which names the field.
    const queue = (body as { queue?: unknown } | null)?.queue;
    if (typeof queue === 'string') {
      assertAllowed(grants, queue, ApiAction.admin);
    }
    return jsonResponse(HttpStatus.created, await createSchedule(getServices(), body));
  });

/** `GET /schedules/{id}`: the schedule, with its next slot. */
export const get = scheduleAction(ApiAction.read, (id) => getSchedule(getServices(), id));

/** `POST /schedules/{id}/pause`: stops creating jobs for the schedule's slots. */
export const pause = scheduleAction(ApiAction.admin, (id) => pauseSchedule(getServices(), id));

/** `POST /schedules/{id}/resume`: creates jobs again, from the next slot per the missed-slot policy. */
export const resume = scheduleAction(ApiAction.admin, (id) => resumeSchedule(getServices(), id));

/** `DELETE /schedules/{id}`: deletes the schedule; jobs it already created stay. */
export const remove = scheduleAction(ApiAction.admin, (id) => deleteSchedule(getServices(), id));
