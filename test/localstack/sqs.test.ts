import { randomBytes } from 'node:crypto';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import { ConfigError } from '../../lib/errors';
import { loadQueueDefinitions, parseQueueDefinitions, type QueueDefinition } from '../../lib/queues/definitions';
import { createQueues, DEAD_LETTER_RETENTION_SECONDS } from '../../localstack/create-queues';
import { LocalStackError } from '../../localstack/errors';
import { startSqsServer, type RunningSqsServer } from '../../localstack/sqs';

function sqsClient(endpoint: string, extra: Partial<SQSClientConfig> = {}): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    ...extra,
  });
}

/** Builds definitions under a random stage, so each test gets queue names of its own. */
function freshDefinitions(queues: Record<string, object>): QueueDefinition[] {
  return parseQueueDefinitions({ queues }, { service: 'sluice', stage: `t${randomBytes(4).toString('hex')}` });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startSqsServer', () => {
  let server: RunningSqsServer;
  let sqs: SQSClient;

  beforeAll(async () => {
    server = await startSqsServer({ port: 0 });
    sqs = sqsClient(server.endpoint);
  });

  afterAll(async () => {
    sqs?.destroy();
    await server?.stop();
  });

  it('listens on 127.0.0.1', () => {
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('returns queue URLs on the endpoint host', async () => {
    const [definition] = freshDefinitions({ urls: {} });
    const created = await createQueues(sqs, [definition as QueueDefinition]);
    const url = created.get('urls')?.url;

    expect(url).toBe(`${server.endpoint}/000000000000/${definition?.sqsName}`);
    const fetched = await sqs.send(new GetQueueUrlCommand({ QueueName: definition?.sqsName }));
    expect(fetched.QueueUrl).toBe(url);
    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: definition?.sqsName }));
    expect(listed.QueueUrls).toContain(url);
  });

  describe('queue URL forms', () => {
    let queueName: string;

    beforeAll(async () => {
      const [definition] = freshDefinitions({ forms: {} });
      queueName = (definition as QueueDefinition).sqsName;
      await createQueues(sqs, [definition as QueueDefinition]);
    });

    const forms: [string, (port: number, name: string) => string][] = [
      ['127.0.0.1', (port, name) => `http://127.0.0.1:${port}/000000000000/${name}`],
      ['localhost', (port, name) => `http://localhost:${port}/000000000000/${name}`],
      ['fauxqs stored form', (port, name) => `http://sqs.us-east-1.localhost:${port}/000000000000/${name}`],
      ['LocalStack host on another port', (_port, name) => `http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/${name}`],
      ['LocalStack path style', (port, name) => `http://localhost.localstack.cloud:${port}/queue/us-east-1/000000000000/${name}`],
    ];

    for (const useQueueUrlAsEndpoint of [true, false]) {
      it.each(forms)(`delivers through %s with useQueueUrlAsEndpoint ${useQueueUrlAsEndpoint}`, async (_form, queueUrlFor) => {
        // The endpoint host (localhost) differs from every queue URL host above.
        const client = sqsClient(`http://localhost:${server.port}`, { useQueueUrlAsEndpoint });
        const queueUrl = queueUrlFor(server.port, queueName);
        const body = `message ${randomBytes(6).toString('hex')}`;
        try {
          await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
          const received = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
          const message = received.Messages?.find((candidate) => candidate.Body === body);
          expect(message?.Body).toBe(body);
          await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message?.ReceiptHandle }));
        } finally {
          client.destroy();
        }
      });
    }

    it('rejects a queue that does not exist', async () => {
      const queueUrl = `http://127.0.0.1:${server.port}/000000000000/${queueName}-missing`;
      await expect(sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' }))).rejects.toMatchObject({
        name: 'QueueDoesNotExist',
      });
    });
  });

  it('rejects a second server on the same port', async () => {
    const second = startSqsServer({ port: server.port });
    await expect(second).rejects.toThrow(LocalStackError);
    await expect(second).rejects.toThrow(`port ${server.port} on 127.0.0.1 is in use`);
  });
});

describe('createQueues', () => {
  let server: RunningSqsServer;
  let sqs: SQSClient;

  beforeAll(async () => {
    server = await startSqsServer({ port: 0 });
    sqs = sqsClient(server.endpoint);
  });

  afterAll(async () => {
    sqs?.destroy();
    await server?.stop();
  });

  async function attributesOf(queueUrl: string | undefined): Promise<Record<string, string>> {
    const result = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
    return result.Attributes ?? {};
  }

  it('sets the redrive policy and timeouts of each definition', async () => {
    const definitions = freshDefinitions({
      emails: { timeoutSeconds: 20, maxReceiveCount: 6, messageRetentionSeconds: 86_400, delaySeconds: 5 },
      reports: { timeoutSeconds: 60, maxReceiveCount: 7 },
    });

    const created = await createQueues(sqs, definitions);

    expect([...created.keys()]).toEqual(['emails', 'reports']);
    const emails = created.get('emails');
    const attributes = await attributesOf(emails?.url);
    expect(attributes.VisibilityTimeout).toBe('120');
    expect(attributes.MessageRetentionPeriod).toBe('86400');
    expect(attributes.QueueArn).toBe(emails?.arn);
    expect(attributes.DelaySeconds).toBe('5');
    expect(JSON.parse(attributes.RedrivePolicy ?? '{}')).toEqual({ deadLetterTargetArn: emails?.deadLetterArn, maxReceiveCount: 6 });

    const deadLetterAttributes = await attributesOf(emails?.deadLetterUrl);
    expect(deadLetterAttributes.MessageRetentionPeriod).toBe(String(DEAD_LETTER_RETENTION_SECONDS));
    expect(deadLetterAttributes.QueueArn).toBe(emails?.deadLetterArn);
    expect(emails?.deadLetterArn).toMatch(new RegExp(`:${definitions[0]?.deadLetterSqsName}$`));

    const reports = await attributesOf(created.get('reports')?.url);
    expect(reports.VisibilityTimeout).toBe('360');
    expect(JSON.parse(reports.RedrivePolicy ?? '{}')).toMatchObject({ maxReceiveCount: 7 });
  });

  it('returns the same queues when called twice', async () => {
    const definitions = freshDefinitions({ twice: {} });

    const first = await createQueues(sqs, definitions);
    const second = await createQueues(sqs, definitions);

    expect(second).toEqual(first);
  });

  it('updates an existing queue whose definition changed', async () => {
    const stage = { service: 'sluice', stage: `t${randomBytes(4).toString('hex')}` };
    const before = parseQueueDefinitions({ queues: { changing: { timeoutSeconds: 10, maxReceiveCount: 5 } } }, stage);
    const after = parseQueueDefinitions({ queues: { changing: { timeoutSeconds: 40, maxReceiveCount: 8 } } }, stage);

    const first = await createQueues(sqs, before);
    const second = await createQueues(sqs, after);

    expect(second.get('changing')?.url).toBe(first.get('changing')?.url);
    const attributes = await attributesOf(second.get('changing')?.url);
    expect(attributes.VisibilityTimeout).toBe('240');
    expect(JSON.parse(attributes.RedrivePolicy ?? '{}')).toMatchObject({ maxReceiveCount: 8 });
  });

  it('creates every queue of queues.json', async () => {
    const definitions = loadQueueDefinitions({ service: 'sluice', stage: `t${randomBytes(4).toString('hex')}` });

    const created = await createQueues(sqs, definitions);

    const expectedKeys = definitions.flatMap((definition) =>
      definition.channels.map((channel) => (channel.lane === null ? definition.name : `${definition.name}/${channel.lane}`)),
    );
    expect([...created.keys()]).toEqual(expectedKeys);
    expect(expectedKeys).toContain('webhooks/high');
    for (const definition of definitions) {
      for (const channel of definition.channels) {
        const createdQueue = created.get(channel.lane === null ? definition.name : `${definition.name}/${channel.lane}`);
        expect(createdQueue?.url).toContain(channel.sqsName);
        const attributes = await attributesOf(createdQueue?.url);
        expect(attributes.VisibilityTimeout).toBe(String(definition.visibilityTimeoutSeconds));
      }
    }
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    const definitions = freshDefinitions({ poison: { maxReceiveCount: 5 } });
    const queue = (await createQueues(sqs, definitions)).get('poison');
    await sqs.send(new SendMessageCommand({ QueueUrl: queue?.url, MessageBody: 'poison pill' }));

    // VisibilityTimeout 0 makes the message visible again at once, as if each receiver had failed.
    const receiveCounts: string[] = [];
    for (let receive = 0; receive < 5; receive += 1) {
      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queue?.url, VisibilityTimeout: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
      );
      receiveCounts.push(received.Messages?.[0]?.Attributes?.ApproximateReceiveCount ?? 'none');
    }
    const sixth = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue?.url, VisibilityTimeout: 0 }));
    const deadLetters = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue?.deadLetterUrl, WaitTimeSeconds: 1 }));

    expect(receiveCounts).toEqual(['1', '2', '3', '4', '5']);
    expect(sixth.Messages ?? []).toEqual([]);
    expect(deadLetters.Messages?.map((message) => message.Body)).toEqual(['poison pill']);
  });

  it('names the queue when SQS rejects it', async () => {
    const [definition] = freshDefinitions({ rejected: {} }) as [QueueDefinition];
    // SQS accepts visibility timeouts up to 43,200 s; a hand-built definition can bypass the schema check.
    const outOfRange = { ...definition, visibilityTimeoutSeconds: 50_000 };

    const creation = createQueues(sqs, [outOfRange]);

    await expect(creation).rejects.toThrow(LocalStackError);
    await expect(creation).rejects.toThrow(new RegExp(`^cannot create SQS queue ${definition.sqsName}: `));
  });
});

describe('startSqsServer lifecycle', () => {
  it('stops the emulator process', async () => {
    const server = await startSqsServer({ port: 0 });
    expect(isAlive(server.pid)).toBe(true);

    await server.stop();

    expect(isAlive(server.pid)).toBe(false);
    await expect(server.stop()).resolves.toBeUndefined();
    await expect(fetch(`${server.endpoint}/health`)).rejects.toThrow();
  });

  it('rejects an invalid port', async () => {
    await expect(startSqsServer({ port: 70_000 })).rejects.toThrow(ConfigError);
    await expect(startSqsServer({ port: -1 })).rejects.toThrow(/SQS port -1 is invalid; use an integer from 0 to 65535/);
  });

  it('reports startup progress', async () => {
    const progress: string[] = [];
    const server = await startSqsServer({ port: 0, onProgress: (line) => progress.push(line) });
    await server.stop();

    expect(progress).toEqual(['starting the fauxqs SQS emulator on 127.0.0.1:(any free port)', `SQS emulator ready at ${server.endpoint}`]);
  });
});
