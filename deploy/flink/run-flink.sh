#!/usr/bin/env bash
# Submit pantau to an Apache Flink cluster through Beam's portable Flink runner.
# Not verified here (no Flink, no Docker): see deploy/README.md ("Apache Flink") for the setup
# and the caveats (Python SDF + bundle finalization support of your Beam/Flink versions).
#
#   FLINK_MASTER=flink-jobmanager:8081 SDK_IMAGE=registry.example.com/pantau-sdk:0.1.0 \
#   KAFKA_BOOTSTRAP=... ES_URL=... deploy/flink/run-flink.sh [more pantau/Beam options]
#
# ENVIRONMENT_TYPE=DOCKER: every TaskManager starts SDK_IMAGE with Docker (needs Docker on the
# TaskManagers). ENVIRONMENT_TYPE=EXTERNAL: a worker-pool sidecar of the TaskManager pod (the
# same image, args ["--worker_pool"]) serves the SDK harnesses; ENVIRONMENT_CONFIG=localhost:50000.
set -euo pipefail
: "${FLINK_MASTER:?host:port of the Flink REST endpoint}"
ENVIRONMENT_TYPE="${ENVIRONMENT_TYPE:-DOCKER}"
if [ "$ENVIRONMENT_TYPE" = DOCKER ]; then
    ENVIRONMENT_CONFIG="${ENVIRONMENT_CONFIG:-${SDK_IMAGE:?the image of deploy/docker/Dockerfile --target sdk}}"
else
    ENVIRONMENT_CONFIG="${ENVIRONMENT_CONFIG:-localhost:50000}"
fi
ARGS=(
    --runner=FlinkRunner
    --flink_master="$FLINK_MASTER"
    --parallelism="${PARALLELISM:-4}"
    --streaming
    --checkpointing_interval=60000
    --environment_type="$ENVIRONMENT_TYPE"
    --environment_config="$ENVIRONMENT_CONFIG"
    --input_topic=pantau.posts.raw
    --consumer_group=pantau-ingest
    --es_replicas=1
)
exec pantau run "${ARGS[@]}" "$@"
