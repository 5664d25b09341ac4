#!/usr/bin/env bash
# npm run start:docker: starts the Docker Compose services (LocalStack SQS, sharded MongoDB, Redis
# Cluster), waits until their init steps have finished, then runs `serverless offline` and the SQS
# event source against them (npm start with the services' addresses) until Ctrl-C. The containers
# keep running afterwards; `docker compose -f localstack/docker-compose.yml down` removes them.
set -euo pipefail
cd "$(dirname "$0")/.."

compose() { docker compose -f localstack/docker-compose.yml "$@"; }

if ! docker compose version >/dev/null 2>&1; then
  echo "start:docker needs Docker with the Compose v2 plugin ('docker compose'); npm start runs the embedded stack without Docker" >&2
  exit 1
fi

echo "[sluice] starting LocalStack, the sharded MongoDB and the Redis Cluster"
compose up -d
echo "[sluice] waiting for the queues, the shards and the cluster slots (first start pulls images)"
compose run --rm stack-ready

export MONGODB_URI="mongodb://127.0.0.1:27017"
export REDIS_CLUSTER_NODES="127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003,127.0.0.1:7004,127.0.0.1:7005"
export SQS_ENDPOINT="http://127.0.0.1:4566"
export AWS_REGION="${AWS_REGION:-us-east-1}"
# LocalStack accepts any credentials; the SDK still needs some to sign requests.
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
exec npx tsx localstack/start.ts
