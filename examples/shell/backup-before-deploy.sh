#!/usr/bin/env bash
# Back up the production index, then deploy only if the backup is ready.
# PINECONE_API_KEY comes from the CI system's secret store.
set -euo pipefail

if pinecone-backup-wait --create-from-index prod --timeout 45m; then
    ./deploy.sh
else
    status=$?
    echo "not deploying: the backup of prod did not become ready (exit ${status})" >&2
    exit "${status}"
fi
