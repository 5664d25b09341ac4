import { decideBatchOutcome, type BatchOutcome } from '../../localstack/event-source/batch-response';

const batch = new Set(['id-1', 'id-2', 'id-3']);

function decide(payloadText: string, functionError?: string, reportBatchItemFailures = true): BatchOutcome {
  return decideBatchOutcome({ payloadText, functionError }, batch, reportBatchItemFailures);
}

describe('decideBatchOutcome', () => {
  it.each([
    ['an empty body', ''],
    ['null', 'null'],
    ['an object without batchItemFailures', '{"statusCode":200}'],
    ['a null failure list', '{"batchItemFailures":null}'],
    ['an empty failure list', '{"batchItemFailures":[]}'],
  ])('deletes all records for %s', (_case, payloadText) => {
    expect(decide(payloadText)).toEqual({ kind: 'deleteAll' });
  });

  it('keeps only the named records', () => {
    const outcome = decide('{"batchItemFailures":[{"itemIdentifier":"id-2"},{"itemIdentifier":"id-3"}]}');

    expect(outcome).toEqual({ kind: 'keepSome', failedMessageIds: new Set(['id-2', 'id-3']) });
  });

  it.each([
    ['an unknown itemIdentifier', '{"batchItemFailures":[{"itemIdentifier":"id-9"}]}', 'id-9'],
    ['an empty itemIdentifier', '{"batchItemFailures":[{"itemIdentifier":""}]}', 'without an itemIdentifier'],
    ['a null itemIdentifier', '{"batchItemFailures":[{"itemIdentifier":null}]}', 'without an itemIdentifier'],
    ['a misspelled key', '{"batchItemFailures":[{"itemId":"id-1"}]}', 'without an itemIdentifier'],
    ['a failure list that is not an array', '{"batchItemFailures":"id-1"}', 'expected an array'],
    ['a body that is not JSON', '{"batchItemFailures":', 'not valid JSON'],
  ])('keeps the whole batch for %s', (_case, payloadText, reasonPart) => {
    const outcome = decide(payloadText);

    expect(outcome).toEqual({ kind: 'keepAll', reason: expect.stringContaining(reasonPart) });
  });

  it('keeps the whole batch on a function error', () => {
    const outcome = decide('{"errorType":"TypeError","errorMessage":"x is undefined","trace":[]}', 'Unhandled');

    expect(outcome).toEqual({ kind: 'keepAll', reason: 'function error Unhandled: TypeError: x is undefined' });
  });

  it('ignores the body without ReportBatchItemFailures', () => {
    expect(decide('{"batchItemFailures":[{"itemIdentifier":"id-1"}]}', undefined, false)).toEqual({ kind: 'deleteAll' });
    expect(decide('not json', undefined, false)).toEqual({ kind: 'deleteAll' });
    expect(decide('{}', 'Unhandled', false).kind).toBe('keepAll');
  });
});
