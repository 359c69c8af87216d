#!/usr/bin/env bash
# Runs the installed pinecone-backup-wait with the action's inputs, and does
# nothing else. An empty input adds no flag, so the binary's default (or its
# environment fallback, e.g. PINECONE_CONTROLLER_HOST set on the job) applies.
# The API key goes through the environment, never the command line, which
# other processes can read.
#
# The binary writes every step output itself, on every path; its exit code
# becomes the step's (0 ready, 1 failed, 2 invalid, 3 timeout, 4 not found,
# 5 unauthorized, 6 error, 130 cancelled), so any ending but ready fails the
# step. See docs/action.md.
#
# Bash 3.2 compatible (macOS).
set -euo pipefail
IFS=$'\n\t'

bin="${PINECONE_BACKUP_WAIT_BIN:?PINECONE_BACKUP_WAIT_BIN is not set: run this through action.yml}"
if type -P cygpath >/dev/null; then
    bin=$(cygpath -u "${bin}")
fi

args=()
# flag NAME VALUE: pass --NAME VALUE unless VALUE is empty or only blanks.
flag() {
    if [[ -n "${2//[[:space:]]/}" ]]; then
        args+=("--$1" "$2")
    fi
}
flag backup-id "${INPUT_BACKUP_ID:-}"
flag create-from-index "${INPUT_CREATE_FROM_INDEX:-}"
flag latest-of-index "${INPUT_LATEST_OF_INDEX:-}"
flag backup-name "${INPUT_BACKUP_NAME:-}"
flag backup-description "${INPUT_BACKUP_DESCRIPTION:-}"
flag max-age "${INPUT_MAX_AGE:-}"
flag restore-to-index "${INPUT_RESTORE_TO_INDEX:-}"
flag restore-tags "${INPUT_RESTORE_TAGS:-}"
flag restore-deletion-protection "${INPUT_RESTORE_DELETION_PROTECTION:-}"
flag restore-job-id "${INPUT_RESTORE_JOB_ID:-}"
flag api-host "${INPUT_API_HOST:-}"
flag api-version "${INPUT_API_VERSION:-}"
flag timeout "${INPUT_TIMEOUT:-}"
flag initial-interval "${INPUT_INITIAL_INTERVAL:-}"
flag max-interval "${INPUT_MAX_INTERVAL:-}"
flag multiplier "${INPUT_MULTIPLIER:-}"
flag request-timeout "${INPUT_REQUEST_TIMEOUT:-}"
flag ready-status "${INPUT_READY_STATUS:-}"
flag failed-status "${INPUT_FAILED_STATUS:-}"

# restore-verify is a switch, not a value the binary checks: anything but
# true or false is refused here as the binary refuses its flags (exit 2,
# result invalid), with a fixed message, so the value cannot reach the log
# or the outputs.
case "${INPUT_RESTORE_VERIFY:-}" in
    '' | true) ;;
    false) args+=(--no-restore-verify) ;;
    *)
        message="input restore-verify: expected true or false"
        printf '::error title=pinecone-backup-wait::%s\n' "${message}"
        if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
            printf 'result=invalid\nerror=%s\n' "${message}" >>"${GITHUB_OUTPUT}"
        fi
        exit 2
        ;;
esac

if [[ -n "${INPUT_API_KEY:-}" ]]; then
    export PINECONE_API_KEY="${INPUT_API_KEY}"
fi
unset INPUT_API_KEY

exec "${bin}" ${args[@]+"${args[@]}"}
