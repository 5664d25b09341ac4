/**
 * Decision on a batch after the function returned, following the rules AWS documents for SQS
 * event sources with `ReportBatchItemFailures`:
 * - `deleteAll`: an empty or null response, or an empty or missing `batchItemFailures` list.
 * - `keepSome`: `batchItemFailures` names records of the batch; only those stay in the queue.
 * - `keepAll`: the function failed, or the response is not valid JSON, or an `itemIdentifier` is
 *   missing, empty or not the message id of a record in the batch.
 */
export type BatchOutcome =
  | { kind: 'deleteAll' }
  | { kind: 'keepSome'; failedMessageIds: ReadonlySet<string> }
  | { kind: 'keepAll'; reason: string };

/** The parts of a Lambda `InvokeCommand` output the outcome depends on. */
export interface InvokeResult {
  /** `Unhandled` or `Handled` when the function threw or the runtime failed; undefined on success. */
  functionError?: string | undefined;
  /** Response body as the function returned it (JSON text), or empty. */
  payloadText: string;
}

/** Maximum length of an error payload excerpt in a reason, so one failure stays one log line. */
const MAX_ERROR_EXCERPT_LENGTH = 200;

/**
 * Decides which records of a batch to delete from the function's result.
 * With `reportBatchItemFailures` false, AWS ignores the response body, so only a function error keeps the batch.
 */
export function decideBatchOutcome(
  result: InvokeResult,
  batchMessageIds: ReadonlySet<string>,
  reportBatchItemFailures: boolean,
): BatchOutcome {
  if (result.functionError !== undefined) {
    return { kind: 'keepAll', reason: `function error ${result.functionError}: ${describeErrorPayload(result.payloadText)}` };
  }
  if (!reportBatchItemFailures) {
    return { kind: 'deleteAll' };
  }
  const text = result.payloadText.trim();
  if (text === '') {
    return { kind: 'deleteAll' };
  }

  let response: unknown;
  try {
    response = JSON.parse(text);
  } catch {
    return { kind: 'keepAll', reason: `the response is not valid JSON: ${excerpt(text)}` };
  }
  // NOTE: AWS documents only null and object responses. A JSON string, number or array carries no
  // batchItemFailures, so it is treated like an object without them, as a complete success.
  if (response === null || typeof response !== 'object' || Array.isArray(response)) {
    return { kind: 'deleteAll' };
  }

  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) {
    return { kind: 'deleteAll' };
  }
  if (!Array.isArray(failures)) {
    return { kind: 'keepAll', reason: `batchItemFailures is ${typeof failures}, expected an array of { itemIdentifier }` };
  }
  if (failures.length === 0) {
    return { kind: 'deleteAll' };
  }

  const failedMessageIds = new Set<string>();
  for (const failure of failures) {
    const itemIdentifier = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof itemIdentifier !== 'string' || itemIdentifier === '') {
      return { kind: 'keepAll', reason: `batchItemFailures has an entry without an itemIdentifier: ${excerpt(JSON.stringify(failure))}` };
    }
    if (!batchMessageIds.has(itemIdentifier)) {
      return { kind: 'keepAll', reason: `batchItemFailures names ${itemIdentifier}, which is not a message id of this batch` };
    }
    failedMessageIds.add(itemIdentifier);
  }
  return { kind: 'keepSome', failedMessageIds };
}

/** Returns the records to delete for an outcome: all, all but the reported failures, or none. */
export function selectRecordsToDelete<T extends { messageId: string }>(records: readonly T[], outcome: BatchOutcome): T[] {
  switch (outcome.kind) {
    case 'deleteAll':
      return [...records];
    case 'keepSome':
      return records.filter((record) => !outcome.failedMessageIds.has(record.messageId));
    case 'keepAll':
      return [];
  }
}

/** Lambda's error payload is `{ errorType, errorMessage, trace }`; quote its type and message. */
function describeErrorPayload(payloadText: string): string {
  try {
    const payload = JSON.parse(payloadText) as { errorType?: unknown; errorMessage?: unknown } | null;
    if (payload !== null && typeof payload === 'object' && (payload.errorType !== undefined || payload.errorMessage !== undefined)) {
      return excerpt(`${String(payload.errorType ?? 'Error')}: ${String(payload.errorMessage ?? '')}`);
    }
  } catch {
    // Not JSON: quote the raw text below.
  }
  return excerpt(payloadText === '' ? '(empty payload)' : payloadText);
}

function excerpt(text: string): string {
  return text.length <= MAX_ERROR_EXCERPT_LENGTH ? text : `${text.slice(0, MAX_ERROR_EXCERPT_LENGTH)}…`;
}
