#!/usr/bin/env bash
# Submit pantau to Google Cloud Dataflow (Runner v2, streaming).
# Not verified here (no GCP access): see deploy/README.md ("Google Cloud Dataflow").
#
#   PROJECT=my-project REGION=asia-southeast2 TEMP_LOCATION=gs://my-bucket/pantau/tmp \
#   SDK_IMAGE=asia-southeast2-docker.pkg.dev/my-project/pantau/pantau-sdk:0.1.0 \
#   KAFKA_BOOTSTRAP=10.0.0.10:9092 ES_URL=https://es.internal:9200 deploy/dataflow/run-dataflow.sh
#
# With SDK_IMAGE (deploy/docker/Dockerfile --target sdk) the workers start with everything
# installed, models included: no --setup_file, nothing installed at worker start-up. Without it
# the stock Beam image is used and --setup_file=./setup.py makes every worker pip-install pantau
# and its dependencies at start (needs PyPI access from the workers' network).
# Secrets: the workers read PANTAU_* variables / *_FILE files; on Dataflow bake nothing into the
# image - fetch them from Secret Manager in a custom image entrypoint or use ES API keys scoped
# to pantau-* (see deploy/README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${PROJECT:?}" "${REGION:?}" "${TEMP_LOCATION:?gs://bucket/path}"
ARGS=(
    --runner=DataflowRunner
    --project="$PROJECT"
    --region="$REGION"
    --temp_location="$TEMP_LOCATION"
    --job_name="${JOB_NAME:-pantau-ingest}"
    --streaming
    --experiments=use_runner_v2
    --max_num_workers="${MAX_WORKERS:-4}"
    --input_topic=pantau.posts.raw
    --consumer_group=pantau-ingest
    --es_replicas=1
)
if [ -n "${SDK_IMAGE:-}" ]; then
    ARGS+=(--sdk_container_image="$SDK_IMAGE" --sdk_location=container)
else
    ARGS+=(--setup_file=./setup.py)
fi
exec pantau run "${ARGS[@]}" "$@"
