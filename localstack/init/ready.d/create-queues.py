"""Creates Sluice's SQS queues and their dead-letter queues from queues.json once LocalStack is ready.

LocalStack runs this file from /etc/localstack/init/ready.d inside its own Python process, where boto3 is
installed. It follows localstack/create-queues.ts: each queue and each of its priority lanes gets a
dead-letter queue that keeps messages for 14 days, and a queue with VisibilityTimeout
(visibilityTimeoutSeconds, default timeoutSeconds * 6 + maximumBatchingWindowSeconds),
MessageRetentionPeriod, DelaySeconds and a RedrivePolicy to its dead-letter queue. Running it again
updates existing queues instead of failing. `npm run check:config` validates queues.json; this script
only reads it.

Environment: SLUICE_SERVICE (default sluice) and SLUICE_STAGE (default dev) make the queue names
<service>-<stage>-<queue> and <service>-<stage>-<queue>-dlq. SLUICE_QUEUES_FILE (default
/etc/localstack/sluice/queues.json) and SLUICE_SQS_ENDPOINT (default http://localhost:4566) locate the
file and LocalStack.
"""

import json
import os
import re

import boto3
from botocore.exceptions import ClientError

# NOTE: these defaults repeat lib/queues/definitions.ts; test/localstack/compose-file.test.ts fails
# when they differ.
DEFAULT_SETTINGS = {
    "timeoutSeconds": 30,
    "maximumBatchingWindowSeconds": 0,
    "maxReceiveCount": 5,
    "messageRetentionSeconds": 1_209_600,
    "delaySeconds": 0,
}
VISIBILITY_TIMEOUT_FACTOR = 6
DEAD_LETTER_RETENTION_SECONDS = 1_209_600
QUEUE_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,39}$")

QUEUES_FILE = os.environ.get("SLUICE_QUEUES_FILE", "/etc/localstack/sluice/queues.json")
SERVICE = os.environ.get("SLUICE_SERVICE", "sluice")
STAGE = os.environ.get("SLUICE_STAGE", "dev")
ENDPOINT = os.environ.get("SLUICE_SQS_ENDPOINT", "http://localhost:4566")
REGION = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")


def load_queue_settings(path):
    """Reads queues.json and returns (name, settings with defaults applied) pairs in file order."""
    with open(path, encoding="utf-8") as file:
        queues = json.load(file).get("queues", {})
    if not queues:
        raise ValueError(f"{path} defines no queue; add at least one under \"queues\"")
    pairs = []
    for name, settings in queues.items():
        if not QUEUE_NAME_PATTERN.match(name):
            raise ValueError(
                f"{path}: queue name {name!r} is invalid; use 1-40 lowercase letters, digits or dashes, starting with a letter"
            )
        pairs.append((name, {**DEFAULT_SETTINGS, **settings}))
    return pairs


def is_queue_name_exists(error):
    # AWS returns QueueNameExists; servers that keep the query-protocol codes prefix it with AWS.SimpleQueueService.
    return error.response.get("Error", {}).get("Code", "").endswith(("QueueNameExists", "QueueAlreadyExists"))


def ensure_queue(sqs, name, attributes):
    """Creates the queue, or sets the attributes on the existing one, and returns its URL."""
    try:
        return sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    except ClientError as error:
        if not is_queue_name_exists(error):
            raise
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    return url


def queue_arn(sqs, url):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def create_queues():
    sqs = boto3.client(
        "sqs",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    for name, settings in load_queue_settings(QUEUES_FILE):
        visibility = settings.get("visibilityTimeoutSeconds") or (
            settings["timeoutSeconds"] * VISIBILITY_TIMEOUT_FACTOR + settings["maximumBatchingWindowSeconds"]
        )
        base_name = f"{SERVICE}-{STAGE}-{name}"
        # The queue itself, then one queue per priority lane: <queue>-<lane>.
        sqs_names = [base_name] + [f"{base_name}-{lane['name']}" for lane in settings.get("priorityLanes", [])]
        for sqs_name in sqs_names:
            dead_letter_url = ensure_queue(
                sqs, f"{sqs_name}-dlq", {"MessageRetentionPeriod": str(DEAD_LETTER_RETENTION_SECONDS)}
            )
            redrive_policy = {
                "deadLetterTargetArn": queue_arn(sqs, dead_letter_url),
                "maxReceiveCount": settings["maxReceiveCount"],
            }
            url = ensure_queue(
                sqs,
                sqs_name,
                {
                    "VisibilityTimeout": str(visibility),
                    "MessageRetentionPeriod": str(settings["messageRetentionSeconds"]),
                    "DelaySeconds": str(settings["delaySeconds"]),
                    "RedrivePolicy": json.dumps(redrive_policy, separators=(",", ":")),
                },
            )
            print(f"sluice: queue {url} with dead-letter queue {dead_letter_url}", flush=True)


# No __main__ guard, so the script runs the same way whether LocalStack executes it or python3 does.
create_queues()
