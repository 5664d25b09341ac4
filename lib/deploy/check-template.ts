import { VISIBILITY_TIMEOUT_FACTOR } from '../queues/definitions';

/** A packaged CloudFormation template, as far as the checks read it. */
interface Template {
  Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
}

/** Lambda's default function timeout in seconds, used when a function sets none. */
const LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3;
/** SQS's default visibility timeout in seconds. */
const SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;

function getAttTarget(value: unknown): string | undefined {
  const target = (value as { 'Fn::GetAtt'?: unknown[] } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(target) && typeof target[0] === 'string' ? target[0] : undefined;
}

/** Checks that every HTTP API route requires the Lambda authorizer, so no route is deployed open. */
function checkRouteAuthorizers(resources: NonNullable<Template['Resources']>): string[] {
  const problems: string[] = [];
  for (const [routeId, route] of Object.entries(resources)) {
    if (route.Type !== 'AWS::ApiGatewayV2::Route') {
      continue;
    }
    const properties = route.Properties ?? {};
    if (properties.AuthorizationType !== 'CUSTOM' || properties.AuthorizerId === undefined) {
      problems.push(`${routeId} (${String(properties.RouteKey)}): the route has no Lambda authorizer; add "authorizer: { name: apiKey }" to its httpApi event`);
    }
  }
  return problems;
}

/**
 * Checks every SQS event source mapping of a packaged template against the rules that keep
 * messages out of the dead-letter queue. The queue's visibility timeout is at least 6 times the
 * function timeout (AWS's guidance for SQS event sources). The event source's maximum concurrency
 * is set and equals the function's reserved concurrency, so Lambda throttling does not count as
 * receives. Partial batch responses are on, and the queue has a redrive policy.
 * Returns one message per problem; an empty list means the template passes.
 */
export function checkTemplate(template: Template): string[] {
  const resources = template.Resources ?? {};
  const problems: string[] = [];
  const mappings = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::EventSourceMapping');

  for (const [mappingId, mapping] of mappings) {
    const properties = mapping.Properties ?? {};
    const queueId = getAttTarget(properties.EventSourceArn);
    const functionId = getAttTarget(properties.FunctionName);
    const queue = queueId ? resources[queueId] : undefined;
    const fn = functionId ? resources[functionId] : undefined;
    if (!queue || queue.Type !== 'AWS::SQS::Queue' || !fn) {
      continue;
    }
    const queueProperties = queue.Properties ?? {};
    const fnProperties = fn.Properties ?? {};
    const timeout = Number(fnProperties.Timeout ?? LAMBDA_DEFAULT_TIMEOUT_SECONDS);
    const visibility = Number(queueProperties.VisibilityTimeout ?? SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS);
    if (visibility < timeout * VISIBILITY_TIMEOUT_FACTOR) {
      problems.push(
        `${queueId}: VisibilityTimeout ${visibility} s is under ${VISIBILITY_TIMEOUT_FACTOR} x the ${timeout} s timeout of ${functionId}; raise it to at least ${timeout * VISIBILITY_TIMEOUT_FACTOR} s`,
      );
    }
    const maximumConcurrency = (properties.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency;
    const reserved = fnProperties.ReservedConcurrentExecutions as number | undefined;
    if (maximumConcurrency === undefined) {
      problems.push(`${mappingId}: ScalingConfig.MaximumConcurrency is not set; set it to the reserved concurrency of ${functionId}`);
    } else if (reserved === undefined || reserved !== maximumConcurrency) {
      problems.push(
        `${mappingId}: MaximumConcurrency ${maximumConcurrency} differs from the reserved concurrency (${reserved ?? 'none'}) of ${functionId}; set both from one value`,
      );
    }
    if (!(properties.FunctionResponseTypes as string[] | undefined)?.includes('ReportBatchItemFailures')) {
      problems.push(`${mappingId}: FunctionResponseTypes lacks ReportBatchItemFailures; failed records would return the whole batch`);
    }
    if (!queueProperties.RedrivePolicy) {
      problems.push(`${queueId}: no RedrivePolicy; add a dead-letter queue`);
    }
  }
  problems.push(...checkRouteAuthorizers(resources));
  if (mappings.length === 0) {
    problems.push('the template has no event source mapping; was it packaged from serverless.yml?');
  }
  return problems;
}
