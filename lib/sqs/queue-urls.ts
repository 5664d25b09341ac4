import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Resolves SQS queue URLs by name once per container and remembers them. */
export class QueueUrlResolver {
  private readonly urls = new Map<string, Promise<string>>();

  constructor(private readonly sqs: SQSClient) {}

  resolve(sqsName: string): Promise<string> {
    let url = this.urls.get(sqsName);
    if (!url) {
      url = this.sqs.send(new GetQueueUrlCommand({ QueueName: sqsName })).then((response) => {
        if (!response.QueueUrl) {
          throw new Error(`SQS returned no URL for queue ${sqsName}`);
        }
        return response.QueueUrl;
      });
      // A failed lookup is not remembered, so the next call tries again.
      url.catch(() => this.urls.delete(sqsName));
      this.urls.set(sqsName, url);
    }
    return url;
  }
}
