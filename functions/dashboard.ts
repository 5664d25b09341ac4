import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DASHBOARD_HEADERS, DASHBOARD_PAGE, findDashboardAsset, type DashboardAsset } from '../lib/dashboard/assets';
import { HttpStatus } from '../lib/errors';
import { logger } from '../lib/observability/logger';

function fileResponse(asset: DashboardAsset): APIGatewayProxyStructuredResultV2 {
  return { statusCode: HttpStatus.ok, headers: { ...DASHBOARD_HEADERS, 'content-type': asset.contentType }, body: asset.body };
}

/**
 * `GET /dashboard` and `GET /dashboard/{asset}`: the dashboard page and its script and styles.
 * Public static content; the data comes from the API calls the script makes with the user's key.
 */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const name = event.pathParameters?.asset;
    if (name === undefined) {
      return fileResponse(DASHBOARD_PAGE);
    }
    const asset = findDashboardAsset(name);
    if (!asset) {
      return {
        statusCode: HttpStatus.notFound,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
        body: 'not found: the dashboard has app.js, app.css and favicon.svg; open /dashboard',
      };
    }
    return fileResponse(asset);
  });
