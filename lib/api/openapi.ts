import { z } from 'zod';
import packageJson from '../../package.json';
import { HttpStatus } from '../errors';
import { listQuerySchema } from '../jobs-admin/list-jobs';
import { retryRequestSchema } from '../jobs-admin/retry-job';
import { batchRequestSchema, jobRequestSchema } from '../jobs/request';
import { jobPayloadSchemas } from '../jobs/types';
import { scheduleRequestSchema } from '../schedules/schedule-request';
import {
  batchResultSchema,
  enqueuedJobSchema,
  errorResponseSchema,
  jobPageSchema,
  publicJobSchema,
  publicScheduleSchema,
  queueListSchema,
  queueStatsSchema,
} from './response-schemas';

/**
 * Builds the OpenAPI 3.1 description of the HTTP API from the zod schemas that validate its
 * requests and type its responses. `npm run openapi` writes it to docs/openapi.json.
 */

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;

const COMPONENTS = '#/components/schemas/';
const ref = (name: string): JsonSchema => ({ $ref: `${COMPONENTS}${name}` });

/** Names the component of a job type's payload schema: `http` becomes `HttpPayload`. */
const payloadComponent = (type: string): string => `${type.charAt(0).toUpperCase()}${type.slice(1)}Payload`;

/** Converts a zod schema to JSON Schema 2020-12, the dialect OpenAPI 3.1 uses. */
function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  // Refinements (such as "runAt cannot be combined with delaySeconds") have no JSON Schema form
  // and are left out; the API still enforces them and reports them as 400 problems.
  const { $schema: _dialect, ...converted } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  return converted;
}

/** Request schemas, converted as clients send them (fields with defaults are optional). */
function requestSchemas(): Record<string, JsonSchema> {
  const payloadSchemas = Object.fromEntries(
    Object.entries(jobPayloadSchemas).map(([type, schema]) => [payloadComponent(type), toJsonSchema(schema, 'input')]),
  );
  // Each built-in job type's payload schema applies when `type` names it.
  const payloadRules = Object.keys(jobPayloadSchemas).map((type) => ({
    if: { properties: { type: { const: type } }, required: ['type'] },
    then: { properties: { payload: ref(payloadComponent(type)) } },
  }));
  const jobRequest = toJsonSchema(jobRequestSchema, 'input');
  const batchRequest = toJsonSchema(batchRequestSchema, 'input');
  return {
    ...payloadSchemas,
    JobRequest: {
      ...jobRequest,
      description: 'One job. `payload` is checked against the schema of the job type `type` names (422 when it does not match).',
      allOf: payloadRules,
    },
    BatchRequest: {
      ...batchRequest,
      properties: {
        jobs: {
          ...((batchRequest.properties as Record<string, JsonSchema>).jobs ?? {}),
          // The handler validates each entry on its own, so one bad entry does not reject the batch.
          items: ref('JobRequest'),
          description: 'Each entry is validated on its own; an invalid entry gets an error in its place and the valid ones are stored.',
        },
      },
    },
    RetryRequest: toJsonSchema(retryRequestSchema, 'input'),
    ScheduleRequest: toJsonSchema(scheduleRequestSchema, 'input'),
  };
}

function responseSchemas(): Record<string, JsonSchema> {
  return {
    Job: toJsonSchema(publicJobSchema, 'output'),
    EnqueuedJob: toJsonSchema(enqueuedJobSchema, 'output'),
    BatchResult: toJsonSchema(batchResultSchema, 'output'),
    JobPage: toJsonSchema(jobPageSchema, 'output'),
    QueueStats: toJsonSchema(queueStatsSchema, 'output'),
    QueueList: toJsonSchema(queueListSchema, 'output'),
    Schedule: toJsonSchema(publicScheduleSchema, 'output'),
    Error: toJsonSchema(errorResponseSchema, 'output'),
    // API Gateway (and serverless-offline) return 401 themselves when the authorizer rejects the
    // key, with their own body, such as API Gateway's { "message": "Unauthorized" }.
    GatewayError: { type: 'object', properties: { message: { type: 'string' } }, description: 'A 401 written by API Gateway, not by Sluice' },
  };
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  [HttpStatus.badRequest]: 'Malformed request: not JSON, wrong types or out-of-range values. `error.problems` names each field.',
  [HttpStatus.unauthorized]: 'No API key, or an unknown or revoked one.',
  [HttpStatus.forbidden]: "The API key may not perform this action on the job's or route's queue.",
  [HttpStatus.notFound]: 'Unknown queue, job or schedule.',
  [HttpStatus.conflict]: 'The job or schedule is in a state that does not allow the operation, or the schedule id exists.',
  [HttpStatus.payloadTooLarge]: 'The body is larger than SLUICE_MAX_PAYLOAD_BYTES (100 times that for a batch).',
  [HttpStatus.unsupportedMediaType]: 'The content type is not application/json.',
  [HttpStatus.unprocessableEntity]: 'Unknown job type, a payload its schema rejects, or a reused idempotency key with a different request.',
  [HttpStatus.internalServerError]: 'Internal error; the request may be retried.',
};

function json(schema: JsonSchema, description: string): JsonSchema {
  return { description, content: { 'application/json': { schema } } };
}

/**
 * Builds an operation's responses: its successes, the listed errors, 401 and 403 (every route
 * with data requires an API key), and 500 (every route can fail).
 */
function responses(successes: Record<number, [string, string]>, errors: number[]): Record<string, JsonSchema> {
  const entries: Array<[string, JsonSchema]> = Object.entries(successes).map(([status, [schema, description]]) => [status, json(ref(schema), description)]);
  const statuses = [...new Set([...errors, HttpStatus.unauthorized, HttpStatus.forbidden])].sort((a, b) => a - b);
  for (const status of [...statuses, HttpStatus.internalServerError]) {
    const schema = status === HttpStatus.unauthorized ? 'GatewayError' : 'Error';
    entries.push([String(status), json(ref(schema), ERROR_DESCRIPTIONS[status] ?? 'Error')]);
  }
  return Object.fromEntries(entries);
}

const pathParameter = (name: string, description: string): JsonSchema => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const queueParameter = pathParameter('queue', 'a queue of queues.json');
const jobIdParameter = pathParameter('id', 'the job id returned by enqueue');
const scheduleIdParameter = pathParameter('id', 'the schedule id');

function jsonBody(schema: string, required = true): JsonSchema {
  return { required, content: { 'application/json': { schema: ref(schema) } } };
}

/** Query parameters of the listing, one per property of its query schema. */
function listParameters(): JsonSchema[] {
  const query = toJsonSchema(listQuerySchema, 'input');
  const descriptions: Record<string, string> = {
    state: 'required without updatedAfter, and then one of dead, completed or cancelled; with updatedAfter any state filters the list',
    updatedAfter: 'lists jobs of any state updated after this time, oldest update first',
    limit: 'jobs per page, 1 to 100 (default 50)',
    after: 'the `next` cursor of the previous page',
  };
  return Object.entries(query.properties as Record<string, JsonSchema>).map(([name, schema]) => ({
    name,
    in: 'query',
    required: false,
    description: descriptions[name],
    schema,
  }));
}

function scheduleAction(operationId: string, summary: string): Operation {
  return { operationId, summary, parameters: [scheduleIdParameter], responses: responses({ 200: ['Schedule', 'The schedule'] }, [HttpStatus.notFound]) };
}

function paths(): Record<string, Record<string, Operation>> {
  const bodyErrors = [HttpStatus.badRequest, HttpStatus.payloadTooLarge, HttpStatus.unsupportedMediaType, HttpStatus.unprocessableEntity];
  return {
    '/queues/{queue}/jobs': {
      post: {
        operationId: 'enqueueJob',
        summary: 'Enqueue one job',
        parameters: [queueParameter],
        requestBody: jsonBody('JobRequest'),
        responses: responses(
          { 200: ['EnqueuedJob', 'A job was enqueued earlier with this idempotency key; no job was created'], 202: ['EnqueuedJob', 'The job was stored'] },
          [...bodyErrors, HttpStatus.notFound],
        ),
      },
      get: {
        operationId: 'listJobs',
        summary: "List a queue's finished jobs of one state, or its jobs updated after a time",
        parameters: [queueParameter, ...listParameters()],
        responses: responses({ 200: ['JobPage', 'One page of jobs'] }, [HttpStatus.badRequest, HttpStatus.notFound]),
      },
    },
    '/queues/{queue}/jobs/batch': {
      post: {
        operationId: 'enqueueBatch',
        summary: 'Enqueue up to 100 jobs',
        parameters: [queueParameter],
        requestBody: jsonBody('BatchRequest'),
        responses: responses({ 202: ['BatchResult', 'One result per entry, in request order'] }, [...bodyErrors, HttpStatus.notFound]),
      },
    },
    '/queues': {
      get: {
        operationId: 'listQueues',
        summary: 'List the queues this deployment defines',
        responses: responses({ 200: ['QueueList', 'The queues, in definition order'] }, []),
      },
    },
    '/queues/{queue}/stats': {
      get: {
        operationId: 'getQueueStats',
        summary: "Count a queue's jobs by state, recent completions and failures, and jobs finished per minute over the last hour",
        parameters: [queueParameter],
        responses: responses({ 200: ['QueueStats', 'Queue statistics, cached for a few seconds'] }, [HttpStatus.notFound]),
      },
    },
    '/dashboard': {
      get: {
        operationId: 'getDashboard',
        security: [],
        summary: 'The dashboard page (HTML); its data comes from the other routes',
        responses: { 200: { description: 'The dashboard page', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
    },
    '/dashboard/{asset}': {
      get: {
        operationId: 'getDashboardAsset',
        security: [],
        summary: "The dashboard's script and style sheet",
        parameters: [pathParameter('asset', 'a file name the dashboard page links, such as app.js')],
        responses: {
          200: { description: 'The file', content: { 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } } } },
          404: { description: 'No such file', content: { 'application/json': { schema: ref('Error') } } },
        },
      },
    },
    '/jobs/{id}': {
      get: {
        operationId: 'getJob',
        summary: 'Get a job',
        parameters: [jobIdParameter],
        responses: responses({ 200: ['Job', 'The job'] }, [HttpStatus.notFound]),
      },
      delete: {
        operationId: 'cancelJob',
        summary: 'Cancel a job that has not started (queued or delayed)',
        parameters: [jobIdParameter],
        responses: responses({ 200: ['Job', 'The cancelled job'] }, [HttpStatus.notFound, HttpStatus.conflict]),
      },
    },
    '/jobs/{id}/retry': {
      post: {
        operationId: 'retryJob',
        summary: 'Retry a dead job',
        parameters: [jobIdParameter],
        requestBody: jsonBody('RetryRequest', false),
        responses: responses({ 202: ['Job', 'The job, queued again'] }, [...bodyErrors, HttpStatus.notFound, HttpStatus.conflict]),
      },
    },
    '/schedules': {
      post: {
        operationId: 'createSchedule',
        summary: 'Create a cron schedule',
        requestBody: jsonBody('ScheduleRequest'),
        responses: responses({ 201: ['Schedule', 'The schedule, with its next slot'] }, [...bodyErrors, HttpStatus.conflict]),
      },
    },
    '/schedules/{id}': {
      get: scheduleAction('getSchedule', 'Get a schedule'),
      delete: scheduleAction('deleteSchedule', 'Delete a schedule; jobs it already created stay'),
    },
    '/schedules/{id}/pause': { post: scheduleAction('pauseSchedule', 'Stop creating jobs') },
    '/schedules/{id}/resume': { post: scheduleAction('resumeSchedule', 'Create jobs again from the next slot') },
  };
}

export function buildOpenApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sluice HTTP API',
      version: packageJson.version,
      description: 'Enqueue jobs, read their status, cancel and retry them, and manage cron schedules.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: 'http://127.0.0.1:3000', description: 'the embedded local stack (npm start)' }],
    paths: paths(),
    // Every route but the dashboard's static files requires a Sluice API key.
    security: [{ apiKey: [] }],
    components: {
      schemas: { ...requestSchemas(), ...responseSchemas() },
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'A Sluice API key (`npm run keys -- create`), sent as `Authorization: Bearer <key>`' },
      },
    },
  };
}

/** Renders the document as docs/openapi.json stores it. */
export function renderOpenApiDocument(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
