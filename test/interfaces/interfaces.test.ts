import { startTestStack, type TestStack } from '../support/test-stack';
import { cliCases } from './cli.cases';
import { openApiResponseCases } from './openapi-responses.cases';
import { sdkCases } from './sdk.cases';

/**
 * The SDK, CLI and OpenAPI tests share one local stack, because starting one takes most of the
 * time these tests need. Each case set uses fresh job keys and ids, so the sets do not interfere.
 */
jest.setTimeout(60_000);

let testStack: TestStack;

beforeAll(async () => {
  // The tests compare job totals before and after a request, so stats are not cached.
  testStack = await startTestStack({ stagePrefix: 'api', functionEnv: { SLUICE_STATS_CACHE_TTL_SECONDS: '0' } });
}, 120_000);

afterAll(async () => {
  await testStack?.stop();
});

const getStack = (): TestStack => testStack;

sdkCases(getStack);
cliCases(getStack);
openApiResponseCases(getStack);
