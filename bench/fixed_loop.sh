#!/usr/bin/env bash
# Waiting contender: the fixed-interval loop Pinecone's docs show, `curl`
# piped to `jq`, until the status is Ready.
#
#   PINECONE_API_KEY=... fixed_loop.sh URL BACKUP_ID INTERVAL_SECONDS
#
# Prints one JSON line: {"attempts":N,"status":"Ready"}.
#
# Scaled time: the benchmark divides time by 100, so `sleep 10` becomes a
# 0.1 s interval. Starting curl, jq and sleep costs 5-15 ms here, which is
# nothing next to a real 10 s sleep but 5-15% of a 0.1 s one: a plain
# `sleep 0.1` would make the scaled loop ask up to 15% less often than the
# real one. So checks start on a fixed grid, at 0, INTERVAL, 2 INTERVAL...
# after the first: the loop that "checks every 10 s", without the drift a
# real loop gets from its own check time (well under 1% of 10 s for curl and
# jq; 1-3% if the API is 100-300 ms away).
set -euo pipefail

url="${1:?URL}"
backup_id="${2:?BACKUP_ID}"
interval="${3:?INTERVAL_SECONDS}"
: "${PINECONE_API_KEY:?}"

# Microseconds, from bash's own clock (no process per reading).
now_us() { local t="${EPOCHREALTIME}"; printf '%s' "${t/[.,]/}"; }
interval_us=$(awk -v s="${interval}" 'BEGIN { printf "%d", s * 1000000 }')

attempts=0
status=""
first=$(now_us)
while :; do
  attempts=$((attempts + 1))
  status=$(curl -fsS -H "Api-Key: ${PINECONE_API_KEY}" -H "X-Pinecone-API-Version: 2025-04" \
    "${url}/backups/${backup_id}" | jq -r .status) || status="error"
  [[ "${status}" == "Ready" ]] && break
  rest=$((first + attempts * interval_us - $(now_us)))
  if ((rest > 0)); then
    sleep "$(printf '%d.%06d' $((rest / 1000000)) $((rest % 1000000)))"
  fi
done
printf '{"attempts":%d,"status":"%s"}\n' "${attempts}" "${status}"
