import {
  MIN_EVENT_SOURCE_CONCURRENCY,
  MIN_MAX_RECEIVE_COUNT,
  SQS_MAX_DELAY_SECONDS,
  VISIBILITY_TIMEOUT_FACTOR,
} from '../queues/limits';
import { iamProblems } from './check-iam';

/** One resource of a packaged CloudFormation template, as far as the checks read it. */
export interface TemplateResource {
  Type?: string;
  Properties?: Record<string, unknown>;
}

/** A packaged CloudFormation template, as far as the checks read it. */
export interface Template {
  Resources?: Record<string, TemplateResource>;
}

/** Lambda's default function timeout in seconds, used when a function sets none. */
const LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3;
/** SQS's default visibility timeout in seconds. */
const SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;

function getAttTarget(value: unknown): string | undefined {
  const target = (value as { 'Fn::GetAtt'?: unknown[] } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(target) && typeof target[0] === 'string' ? target[0] : undefined;
}

function queueProblems(queueId: string, queue: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const redrive = queue.RedrivePolicy as { maxReceiveCount?: unknown } | undefined;
  if (!redrive) {
    problems.push(`${queueId}: no RedrivePolicy; add a dead-letter queue`);
  } else if (Number(redrive.maxReceiveCount) < MIN_MAX_RECEIVE_COUNT) {
    problems.push(`${queueId}: RedrivePolicy.maxReceiveCount ${String(redrive.maxReceiveCount)} is below ${MIN_MAX_RECEIVE_COUNT}; raise it so throttled receives cannot reach the dead-letter queue`);
  }
  if (Number(queue.DelaySeconds ?? 0) > SQS_MAX_DELAY_SECONDS) {
    problems.push(`${queueId}: DelaySeconds ${String(queue.DelaySeconds)} is over the SQS maximum of ${SQS_MAX_DELAY_SECONDS}`);
  }
  return problems;
}

function mappingProblems(mappingId: string, mapping: Record<string, unknown>, queueId: string, queue: Record<string, unknown>, functionId: string, fn: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const timeout = Number(fn.Timeout ?? LAMBDA_DEFAULT_TIMEOUT_SECONDS);
  const window = Number(mapping.MaximumBatchingWindowInSeconds ?? 0);
  const visibility = Number(queue.VisibilityTimeout ?? SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS);
  const minimumVisibility = timeout * VISIBILITY_TIMEOUT_FACTOR + window;
  if (visibility < minimumVisibility) {
    problems.push(
      `${queueId}: VisibilityTimeout ${visibility} s is under ${VISIBILITY_TIMEOUT_FACTOR} x the ${timeout} s timeout of ${functionId} + the ${window} s batching window; raise it to at least ${minimumVisibility} s`,
    );
  }
  const maximumConcurrency = (mapping.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency;
  const reserved = fn.ReservedConcurrentExecutions as number | undefined;
  if (maximumConcurrency === undefined) {
    problems.push(`${mappingId}: ScalingConfig.MaximumConcurrency is not set; set it to at most the reserved concurrency of ${functionId}`);
  } else if (maximumConcurrency < MIN_EVENT_SOURCE_CONCURRENCY) {
    problems.push(`${mappingId}: MaximumConcurrency ${maximumConcurrency} is below the SQS event source's minimum of ${MIN_EVENT_SOURCE_CONCURRENCY}`);
  } else if (reserved === undefined || maximumConcurrency > reserved) {
    problems.push(
      `${mappingId}: MaximumConcurrency ${maximumConcurrency} is above the reserved concurrency (${reserved ?? 'none'}) of ${functionId}; set reserved concurrency to at least the maximum concurrency`,
    );
  }
  if (!(mapping.FunctionResponseTypes as string[] | undefined)?.includes('ReportBatchItemFailures')) {
    problems.push(`${mappingId}: FunctionResponseTypes lacks ReportBatchItemFailures; failed records would return the whole batch`);
  }
  return problems;
}

/** Routes that serve public static files (the dashboard page and its assets) and need no API key. */
const PUBLIC_ROUTE_KEYS = new Set(['GET /dashboard', 'GET /dashboard/{asset}']);

/** Checks that every HTTP API route but the public ones requires the Lambda authorizer, so no data route is deployed open. */
function checkRouteAuthorizers(resources: NonNullable<Template['Resources']>): string[] {
  const problems: string[] = [];
  for (const [routeId, route] of Object.entries(resources)) {
    if (route.Type !== 'AWS::ApiGatewayV2::Route') {
      continue;
    }
    const properties = route.Properties ?? {};
    if (PUBLIC_ROUTE_KEYS.has(String(properties.RouteKey))) {
      continue;
    }
    if (properties.AuthorizationType !== 'CUSTOM' || properties.AuthorizerId === undefined) {
      problems.push(`${routeId} (${String(properties.RouteKey)}): the route has no Lambda authorizer; add "authorizer: { name: apiKey }" to its httpApi event`);
    }
  }
  return problems;
}

/**
 * Checks a packaged template against the rules that keep messages out of the dead-letter queue
 * and the functions' permissions narrow. Each SQS event source mapping must meet four rules:
 * - the queue's visibility timeout is at least 6 times the function timeout plus the batching
 *   window (AWS's guidance for SQS event sources);
 * - the maximum concurrency is set, at least 2 and at most the function's reserved concurrency;
 * - partial batch responses are on;
 * - the queue has a redrive policy with `maxReceiveCount` of at least 5.
 * Every IAM statement must also name its SQS, SSM and Secrets Manager resources (see
 * {@link iamProblems}). Returns one message per problem; an empty list means the template passes.
 */
export function checkTemplate(template: Template): string[] {
  const resources = template.Resources ?? {};
  const problems: string[] = [];
  const mappings = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::EventSourceMapping');
  const checkedQueues = new Set<string>();

  for (const [mappingId, mapping] of mappings) {
    const properties = mapping.Properties ?? {};
    const queueId = getAttTarget(properties.EventSourceArn);
    const functionId = getAttTarget(properties.FunctionName);
    const queue = queueId ? resources[queueId] : undefined;
    const fn = functionId ? resources[functionId] : undefined;
    if (!queueId || !functionId || !queue || queue.Type !== 'AWS::SQS::Queue' || !fn) {
      continue;
    }
    problems.push(...mappingProblems(mappingId, properties, queueId, queue.Properties ?? {}, functionId, fn.Properties ?? {}));
    if (!checkedQueues.has(queueId)) {
      checkedQueues.add(queueId);
      problems.push(...queueProblems(queueId, queue.Properties ?? {}));
    }
  }
  problems.push(...checkRouteAuthorizers(resources));
  if (mappings.length === 0) {
    problems.push('the template has no event source mapping; was it packaged from serverless.yml?');
  }
  problems.push(...iamProblems(resources));
  return problems;
}
