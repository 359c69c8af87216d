#!/usr/bin/env bash
# Seed the staging index from the latest backup of the production index.
# The waiter never replaces an index: a staging index that exists ends the
# run (exit 6), untouched. PINECONE_API_KEY comes from the CI system's
# secret store.
set -euo pipefail

status=0
pinecone-backup-wait --latest-of-index prod --restore-to-index staging \
    --restore-tags '{"env":"staging","seeded_from":"prod"}' \
    --timeout 3h --json >seed.json || status=$?
if [[ "${status}" -ne 0 ]]; then
    error=$(jq -r .error seed.json)
    echo "staging was not seeded (exit ${status}): ${error}" >&2
    exit "${status}"
fi
host=$(jq -r .restored_index_host seed.json)
records=$(jq -r .restored_record_count seed.json)
echo "staging index host: ${host} (${records} records)"
