import '../support/show-function-logs';
import '../support/function-environment';
import type { Context, SQSEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { handler as EnqueueHandler } from '../../functions/enqueue';
import { handler } from '../../functions/process';
import { getServices } from '../../lib/clients';
import { buildJob } from '../../lib/enqueue/build-job';
import { insertJobs, markJobsSent } from '../../lib/store/job-store';
import { startReceiver, type Receiver } from '../../scripts/demo/receiver';
import { invoke, prepareFunctionServices, testLambdaContext } from '../support/http-handlers';

// The process function serves the queue named by SLUICE_QUEUE; the configuration is read on first use.
process.env.SLUICE_QUEUE = 'default';

const REQUEST_ID = 'telemetry-request-1';

const lambdaContext: Context = {
  ...testLambdaContext,
  functionName: 'sluice-test-process-default',
  awsRequestId: REQUEST_ID,
  getRemainingTimeInMillis: () => 20_000,
};

interface EmfDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string; Unit: string }[];
}

let closeServices: () => Promise<void>;
let receiver: Receiver;

beforeAll(async () => {
  closeServices = await prepareFunctionServices();
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver.stop();
  await closeServices();
});

/** Stores an `http` job to `url` and runs the process function on its message; returns every JSON line written. */
async function processJob(url: string): Promise<{ jobId: string; lines: Record<string, any>[] }> {
  const now = new Date();
  const job = buildJob('default', { type: 'http', payload: { url }, maxAttempts: 1 }, getServices().jobTypes, now);
  await insertJobs(getServices().jobs, [job]);
  await markJobsSent(getServices().jobs, [job._id], now);
  const event = { Records: [{ messageId: randomUUID(), body: JSON.stringify({ jobId: job._id, queue: 'default' }), eventSource: 'aws:sqs' }] } as unknown as SQSEvent;

  const lines = await captureLines(() => handler(event, lambdaContext));
  return { jobId: job._id, lines };
}

/** Runs `action` and returns the JSON lines it wrote. Powertools writes ERROR lines to stderr and the others to stdout. */
async function captureLines(action: () => Promise<unknown>): Promise<Record<string, any>[]> {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    await action();
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);
}

function metricDirective(lines: Record<string, any>[]): { directive: EmfDirective; values: Record<string, unknown> } {
  const emf = lines.find((line) => line._aws?.CloudWatchMetrics);
  expect(emf).toBeDefined();
  return { directive: emf!._aws.CloudWatchMetrics[0] as EmfDirective, values: emf! };
}

describe('job telemetry of the process function', () => {
  it('puts the job keys and request id on every job line', async () => {
    const { jobId, lines } = await processJob(`${receiver.url}/ok/${randomUUID()}`);
    const jobLines = lines.filter((line) => line.jobId === jobId);

    expect(jobLines.length).toBeGreaterThan(0);
    for (const line of jobLines) {
      expect(line).toMatchObject({ jobId, queue: 'default', type: 'http', attempt: 1, function_request_id: REQUEST_ID, service: 'sluice' });
    }
  });

  it('writes one outcome line per attempt with its duration', async () => {
    const { jobId, lines } = await processJob(`${receiver.url}/ok/${randomUUID()}`);
    const outcomes = lines.filter((line) => line.jobId === jobId && typeof line.durationMs === 'number');
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ level: 'INFO', message: 'attempt succeeded', state: 'completed' });
    expect(outcomes[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('writes the outcome of a dead job with its error', async () => {
    const { jobId, lines } = await processJob(`${receiver.url}/missing/${randomUUID()}`);
    const outcomes = lines.filter((line) => line.jobId === jobId && typeof line.durationMs === 'number');

    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ level: 'ERROR', message: 'attempt failed; job is dead', state: 'dead', attempt: 1 });
    expect(outcomes[0]!.error.message).toContain('404');
  });

  it('emits started, completed and timings in EMF', async () => {
    const { lines } = await processJob(`${receiver.url}/ok/${randomUUID()}`);
    const { directive, values } = metricDirective(lines);

    expect(directive.Namespace).toBe('Sluice');
    expect(directive.Dimensions[0]).toEqual(expect.arrayContaining(['service', 'queue']));
    expect(values.queue).toBe('default');
    expect(directive.Metrics).toEqual(
      expect.arrayContaining([
        { Name: 'JobsStarted', Unit: 'Count' },
        { Name: 'JobsCompleted', Unit: 'Count' },
        { Name: 'JobQueueWaitTime', Unit: 'Milliseconds' },
        { Name: 'JobRunTime', Unit: 'Milliseconds' },
      ]),
    );
    expect(values.JobsStarted).toBe(1);
    expect(values.JobsCompleted).toBe(1);
    expect(values.JobQueueWaitTime).toBeGreaterThanOrEqual(0);
  });

  it('emits failed and dead in EMF for a dead job', async () => {
    const { lines } = await processJob(`${receiver.url}/missing/${randomUUID()}`);
    const { directive, values } = metricDirective(lines);

    expect(directive.Metrics.map((metric) => metric.Name)).toEqual(expect.arrayContaining(['JobsStarted', 'JobsFailed', 'JobsDead', 'JobRunTime']));
    expect(directive.Metrics.map((metric) => metric.Name)).not.toContain('JobsCompleted');
    expect(values.JobsFailed).toBe(1);
    expect(values.JobsDead).toBe(1);
  });

  it('emits enqueued in EMF with the queue', async () => {
    // Loaded here, after SLUICE_QUEUE is set above, because the enqueue module reads the configuration when it loads.
    const { handler: enqueueHandler } = jest.requireActual<{ handler: typeof EnqueueHandler }>('../../functions/enqueue');
    let status = 0;
    const lines = await captureLines(async () => {
      ({ status } = await invoke(enqueueHandler, { pathParameters: { queue: 'default' }, body: { type: 'http', payload: { url: `${receiver.url}/ok/x` } } }));
    });
    const { directive, values } = metricDirective(lines);

    expect(status).toBe(202);
    expect(directive.Metrics).toContainEqual({ Name: 'JobsEnqueued', Unit: 'Count' });
    expect(values.JobsEnqueued).toBe(1);
    expect(values.queue).toBe('default');
  });
});
