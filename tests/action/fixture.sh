#!/usr/bin/env bash
# The world around the action, for the workflows that test it
# (.github/workflows/self-test.yml and the `action` job of ci.yml): fake
# control planes, a local release server, and output checks. Runs inside a
# GitHub Actions job (or act), never on a developer's checkout by hand.
#
#   fixture.sh control-plane NAME FINAL_STATUS READY_AFTER
#       Starts the fake control plane (crates/testkit) on 127.0.0.1, whose
#       backups are Initializing for READY_AFTER and then FINAL_STATUS; it
#       accepts only the key in $FAKE_API_KEY. Step output NAME-url.
#   fixture.sh world NAME READY_AFTER
#       Starts the stateful fake Pinecone (crates/testkit, fake-pinecone) on
#       127.0.0.1: index prod with three older backups; a backup created by
#       a POST is Initializing, then Ready after READY_AFTER. It accepts
#       only the key in $FAKE_API_KEY. Step output NAME-url.
#   fixture.sh release-assets
#       Packages the x86_64 musl release binary as this version's release
#       asset, writes a checksum fixture for it over the checkout's
#       action/sha256sums (restored by cleanup), and serves two release
#       trees on 127.0.0.1: `good`, and `tampered`, whose asset is a script
#       that leaves a marker if anything runs it. Step outputs good-url,
#       tampered-url, tampered-marker.
#   fixture.sh delete-index API_URL NAME
#       DELETE /indexes/NAME on the fake Pinecone at API_URL, as the README's
#       drill cleans up (the key on curl's stdin): 202 or 404 pass, anything
#       else fails.
#   fixture.sh index-status API_URL NAME
#       Prints the HTTP status of GET /indexes/NAME (200, 404...).
#   fixture.sh check NAME ACTUAL EXPECTED [NAME ACTUAL EXPECTED]...
#       Compares each value: EXPECTED is exact, or `re:REGEX` (bash ERE).
#       Prints every row; exits 1 if any differs.
#   fixture.sh cleanup
#       Stops what this script started, restores action/sha256sums.
#
# Prebuilt binaries can be passed in (act does, to reuse the host's build):
# SELF_TEST_FAKE_CONTROL_PLANE, SELF_TEST_FAKE_PINECONE and
# SELF_TEST_RELEASE_BINARY; otherwise they are built here with cargo. Bash 3.2 compatible (macOS runners).
set -euo pipefail
IFS=$'\n\t'

bail() {
    printf '::error title=action self-test::%s\n' "$*" >&2
    exit 1
}
info() {
    printf 'info: %s\n' "$*" >&2
}

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.."
state="${RUNNER_TEMP:?run this inside a GitHub Actions job}/action-self-test"
mkdir -p -- "${state}"
exe_suffix=""
if [[ "${RUNNER_OS:-}" == Windows ]]; then
    exe_suffix=.exe
fi

output() {
    printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT:?}"
    info "output $1=$2"
}

# spawn NAME CMD...: runs CMD in the background, detached from the step's
# output (so the step can end); on Linux for at most ten minutes, in case the
# cleanup step never runs. (macOS has no `timeout`; Windows has another one.)
spawn() {
    local name="$1"
    shift
    local limit=()
    if [[ "${RUNNER_OS:-}" == Linux ]]; then
        limit=(timeout 600)
    fi
    ${limit[@]+"${limit[@]}"} "$@" >"${state}/${name}.log" 2>&1 </dev/null &
    printf '%s\n' "$!" >>"${state}/pids"
}

# wait_for FILE WHAT: waits up to 20 s for FILE to be non-empty.
wait_for() {
    local tries=0
    until [[ -s "$1" ]]; do
        tries=$((tries + 1))
        if [[ "${tries}" -gt 200 ]]; then
            cat -- "${state}"/*.log >&2 || true
            bail "$2 did not start within 20 s"
        fi
        sleep 0.1
    done
}

control_plane() {
    [[ $# -eq 3 ]] || bail "usage: fixture.sh control-plane NAME FINAL_STATUS READY_AFTER"
    local name="$1" final="$2" after="$3" bin="${SELF_TEST_FAKE_CONTROL_PLANE:-}"
    if [[ -z "${bin}" ]]; then
        cargo build --locked -p testkit --bin fake-control-plane >&2
        bin="target/debug/fake-control-plane${exe_suffix}"
    fi
    rm -f -- "${state}/${name}.port"
    spawn "${name}" "${bin}" --ready-after "${after}" --final-status "${final}" \
        --api-key "${FAKE_API_KEY:?set FAKE_API_KEY}" --port-file "${state}/${name}.port"
    wait_for "${state}/${name}.port" "the fake control plane '${name}'"
    local port
    port=$(cat -- "${state}/${name}.port")
    output "${name}-url" "http://127.0.0.1:${port}"
}

world() {
    [[ $# -eq 2 ]] || bail "usage: fixture.sh world NAME READY_AFTER"
    local name="$1" after="$2" bin="${SELF_TEST_FAKE_PINECONE:-}"
    if [[ -z "${bin}" ]]; then
        cargo build --locked -p testkit --bin fake-pinecone >&2
        bin="target/debug/fake-pinecone${exe_suffix}"
    fi
    rm -f -- "${state}/${name}.port"
    spawn "${name}" "${bin}" --ready-after "${after}" \
        --api-key "${FAKE_API_KEY:?set FAKE_API_KEY}" --port-file "${state}/${name}.port"
    wait_for "${state}/${name}.port" "the fake Pinecone '${name}'"
    local port
    port=$(cat -- "${state}/${name}.port")
    output "${name}-url" "http://127.0.0.1:${port}"
}

# pinecone METHOD API_URL PATH: the HTTP status of one request to the fake
# Pinecone; the key goes to curl on stdin, as in the README.
pinecone() {
    [[ "$2" =~ ^http://127\.0\.0\.1:[0-9]+$ ]] || bail "not a fake Pinecone on 127.0.0.1: '$2'"
    printf 'Api-Key: %s\n' "${FAKE_API_KEY:?set FAKE_API_KEY}" \
        | curl --proto '=http' -sS --max-time 10 -o /dev/null -w '%{http_code}' \
            -X "$1" -H @- -H 'X-Pinecone-API-Version: 2025-04' "$2$3"
}

delete_index() {
    [[ $# -eq 2 && -n "$2" ]] || bail "usage: fixture.sh delete-index API_URL NAME"
    local status
    status=$(pinecone DELETE "$1" "/indexes/$2")
    case "${status}" in
        202) info "deleted index $2" ;;
        404) info "index $2 is already gone" ;;
        *) bail "deleting index $2 answered HTTP ${status}" ;;
    esac
}

index_status() {
    [[ $# -eq 2 && -n "$2" ]] || bail "usage: fixture.sh index-status API_URL NAME"
    pinecone GET "$1" "/indexes/$2"
    printf '\n'
}

release_assets() {
    [[ "${GITHUB_ACTIONS:-}" == true ]] || bail "release-assets rewrites action/sha256sums: run it only in a job's own checkout"
    local version target=x86_64-unknown-linux-musl asset bin="${SELF_TEST_RELEASE_BINARY:-}" root
    version=$(awk -F'"' '/^\[/ { p = ($0 == "[package]") } p && /^version *=/ { print $2; exit }' Cargo.toml)
    asset="pinecone-backup-wait-${version}-${target}"
    if [[ -z "${bin}" ]]; then
        if ! type -P musl-gcc >/dev/null; then
            sudo apt-get update -qq >&2
            sudo apt-get install -y --no-install-recommends musl-tools >&2
        fi
        rustup target add "${target}" >&2
        cargo build --release --locked --target "${target}" >&2
        bin="target/${target}/release/pinecone-backup-wait"
    fi

    root="${state}/releases"
    rm -rf -- "${root}"
    mkdir -p -- "${root}/good/v${version}" "${root}/tampered/v${version}"
    cp -- "${bin}" "${root}/good/v${version}/${asset}"
    # Same name, other bytes: a program that would betray being run.
    # shellcheck disable=SC2016 # $GITHUB_OUTPUT is for the fake binary to expand
    printf '#!/bin/sh\ntouch "%s"\necho "status=Ready" >>"$GITHUB_OUTPUT"\n' \
        "${state}/tampered-ran" >"${root}/tampered/v${version}/${asset}"
    chmod +x "${root}/tampered/v${version}/${asset}"
    rm -f -- "${state}/tampered-ran"

    rm -f -- "${state}/http.log"
    spawn http python3 -u -m http.server 0 --bind 127.0.0.1 --directory "${root}"
    wait_for "${state}/http.log" "the release server"
    local port
    port=$(sed -n 's/^Serving HTTP on .* port \([0-9][0-9]*\).*/\1/p' "${state}/http.log")
    if [[ -z "${port}" ]]; then
        cat -- "${state}/http.log" >&2
        bail "no port in the release server's log (above)"
    fi

    # The checksum fixture: what release.yml would commit for this build,
    # its `url` line pointing at the good assets on the local server.
    if [[ ! -f "${state}/sha256sums.orig" ]]; then
        cp -- action/sha256sums "${state}/sha256sums.orig"
    fi
    {
        printf '# Fixture written by tests/action/fixture.sh; restored by its cleanup.\n'
        printf 'url http://127.0.0.1:%s/good\n' "${port}"
        (cd -- "${root}/good/v${version}" && sha256sum -- "${asset}")
    } >action/sha256sums
    info "checksum fixture written to action/sha256sums:"
    tail -n 2 action/sha256sums >&2

    output good-url "http://127.0.0.1:${port}/good"
    output tampered-url "http://127.0.0.1:${port}/tampered"
    output tampered-marker "${state}/tampered-ran"
}

check() {
    [[ $# -gt 0 && $(($# % 3)) -eq 0 ]] || bail "usage: fixture.sh check NAME ACTUAL EXPECTED..."
    local failed=0 name actual expected ok
    while [[ $# -gt 0 ]]; do
        name="$1" actual="$2" expected="$3"
        shift 3
        ok=false
        if [[ "${expected}" == re:* ]]; then
            [[ "${actual}" =~ ${expected#re:} ]] && ok=true
        else
            [[ "${actual}" == "${expected}" ]] && ok=true
        fi
        if [[ "${ok}" == true ]]; then
            printf 'ok    %-18s %s\n' "${name}" "${actual}"
        else
            printf 'FAIL  %-18s expected: %s\n      %-18s actual:   %s\n' "${name}" "${expected}" "" "${actual}"
            printf '::error title=action self-test::%s: expected %s, got %s\n' "${name}" "${expected}" "${actual}"
            failed=1
        fi
    done
    return "${failed}"
}

cleanup() {
    local pid
    if [[ -f "${state}/pids" ]]; then
        while read -r pid; do
            kill "${pid}" 2>/dev/null || true
        done <"${state}/pids"
        rm -f -- "${state}/pids"
    fi
    if [[ -f "${state}/sha256sums.orig" ]]; then
        cp -- "${state}/sha256sums.orig" action/sha256sums
        rm -f -- "${state}/sha256sums.orig"
    fi
}

command="${1:-}"
shift || true
case "${command}" in
    control-plane) control_plane "$@" ;;
    world) world "$@" ;;
    release-assets) release_assets "$@" ;;
    delete-index) delete_index "$@" ;;
    index-status) index_status "$@" ;;
    check) check "$@" ;;
    cleanup) cleanup "$@" ;;
    *) bail "unknown command '${command}'; expected control-plane, world, release-assets, delete-index, index-status, check or cleanup" ;;
esac
