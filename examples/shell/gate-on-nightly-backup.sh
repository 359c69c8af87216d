#!/usr/bin/env bash
# Deploy only if last night's backup of the production index is ready.
# PINECONE_API_KEY comes from the CI system's secret store.
set -euo pipefail

if pinecone-backup-wait --latest-of-index prod --max-age 26h --timeout 5m; then
    ./deploy.sh
else
    status=$?
    echo "not deploying: no ready backup of prod from the last 26h (exit ${status})" >&2
    exit "${status}"
fi
