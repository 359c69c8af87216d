#!/usr/bin/env bash
# Nightly restore drill: restore the latest backup of the production index
# into a scratch index named after this run, check that its records
# arrived, then delete the scratch index, but only if this run created it.
# PINECONE_API_KEY comes from the CI system's secret store.
set -euo pipefail

# Unique per run, so parallel drills never collide: GitLab's job id (new
# for every retry too), else the time and this shell's pid; at most 45
# characters.
index="drill-${CI_JOB_ID:-$(date -u +%Y%m%d-%H%M%S)-$$}"
status=0
pinecone-backup-wait --latest-of-index prod --max-age 26h \
    --restore-to-index "${index}" --restore-deletion-protection disabled \
    --timeout 3h --json >drill.json || status=$?

# Whatever the ending: delete the index the waiter says this run created,
# by the name it reports, and never an index that existed before.
created=$(jq -r .restore_created drill.json)
if [[ "${created}" == true ]]; then
    name=$(jq -r .restored_index_name drill.json)
    # The control plane the waiter used. It refuses plain HTTP to anything
    # but a loopback host, so http:// only ever reaches a local fake here.
    api="${PINECONE_CONTROLLER_HOST:-https://api.pinecone.io}"
    # The key goes to curl on stdin, not on its command line.
    code=$(printf 'Api-Key: %s\n' "${PINECONE_API_KEY:?}" \
        | curl --proto '=https,http' --tlsv1.2 -sS --retry 5 --max-time 60 \
            -o /dev/null -w '%{http_code}' -X DELETE -H @- \
            -H 'X-Pinecone-API-Version: 2025-04' "${api}/indexes/${name}") || code=000
    case "${code}" in
        202) echo "deleted the scratch index ${name}" ;;
        404) echo "the scratch index ${name} is already gone" ;;
        *)
            echo "could not delete the scratch index ${name} (HTTP ${code})" >&2
            [[ "${status}" -ne 0 ]] || status=1
            ;;
    esac
fi
if [[ "${status}" -ne 0 ]]; then
    error=$(jq -r .error drill.json)
    echo "the restore drill failed (exit ${status}): ${error}" >&2
fi
exit "${status}"
