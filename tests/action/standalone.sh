#!/usr/bin/env bash
# action/install.sh standalone, as on a laptop or in another CI, against a
# release server on 127.0.0.1 (the loopback exception of
# PINECONE_BACKUP_WAIT_DOWNLOAD_URL and PINECONE_BACKUP_WAIT_RAW_URL):
#
#   from a checkout   a good asset installs, runs and prints its version;
#                     a tampered one is refused and never run; a checkout
#                     without a digest for its version installs nothing
#   piped, --repo     the digests come from the tag's action/sha256sums on
#                     the server: good installs, tampered is refused, an
#                     unreleased version installs nothing
#   any way           an unknown platform bails before any download; plain
#                     http to another host is refused; piped without --repo
#                     is refused
#
#   tests/action/standalone.sh BINARY
#
# BINARY is a build of this checkout that runs here; it is served as this
# version's x86_64-unknown-linux-musl asset, and `uname` is faked to match.
# .ci/action-checks.sh passes the static musl release build.
set -euo pipefail
IFS=$'\n\t'

bail() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

[[ $# -eq 1 && -x "$1" ]] || bail "usage: tests/action/standalone.sh BINARY (an executable build of this checkout)"
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.."
binary_dir=$(dirname -- "$1")
binary="$(cd -- "${binary_dir}" && pwd)/${1##*/}"
repo_root="${PWD}"
version=$(awk -F'"' '/^\[/ { p = ($0 == "[package]") } p && /^version *=/ { print $2; exit }' Cargo.toml)
asset="pinecone-backup-wait-${version}-x86_64-unknown-linux-musl"
slug=OWNER/pinecone-backup-wait

work=$(mktemp -d "${TMPDIR:-/tmp}/install-standalone-test.XXXXXX")
server_pid=""
cleanup() {
    if [[ -n "${server_pid}" ]]; then
        kill "${server_pid}" 2>/dev/null || true
    fi
    rm -rf -- "${work}"
}
trap cleanup EXIT

# The release server: good and tampered assets, and the tag's files.
releases="${work}/releases"
mkdir -p -- "${releases}/good/v${version}" "${releases}/tampered/v${version}" \
    "${releases}/raw/${slug}/v${version}/action"
cp -- "${binary}" "${releases}/good/v${version}/${asset}"
# Same name, other bytes: a program that would betray being run.
printf '#!/bin/sh\ntouch "%s"\necho "pinecone-backup-wait %s"\n' "${work}/tampered-ran" "${version}" \
    >"${releases}/tampered/v${version}/${asset}"
chmod +x "${releases}/tampered/v${version}/${asset}"

python3 -u -m http.server 0 --bind 127.0.0.1 --directory "${releases}" >"${work}/http.log" 2>&1 </dev/null &
server_pid=$!
port=""
for _ in $(seq 1 200); do
    port=$(sed -n 's/^Serving HTTP on .* port \([0-9][0-9]*\).*/\1/p' "${work}/http.log")
    [[ -z "${port}" ]] || break
    sleep 0.1
done
if [[ -z "${port}" ]]; then
    cat -- "${work}/http.log" >&2
    bail "the release server did not start (its log is above)"
fi
server="http://127.0.0.1:${port}"

# What a release commits: a `url` line and the digest.
sums() {
    printf '# SHA-256 of the release assets (test fixture).\n'
    printf 'url %s/good\n' "${server}"
    (cd -- "${releases}/good/v${version}" && sha256sum -- "${asset}")
}
sums >"${releases}/raw/${slug}/v${version}/action/sha256sums"

# Two checkouts: the release tag's, and a commit with no digests.
for checkout in tagged untagged; do
    mkdir -p -- "${work}/${checkout}/action"
    cp -- Cargo.toml "${work}/${checkout}/Cargo.toml"
    cp -- action/install.sh "${work}/${checkout}/action/install.sh"
done
sums >"${work}/tagged/action/sha256sums"
head -n 1 action/sha256sums >"${work}/untagged/action/sha256sums"

# `uname` says what FAKE_UNAME_S and FAKE_UNAME_M say.
mkdir -p -- "${work}/fakebin"
# shellcheck disable=SC2016 # expanded by the fake uname
printf '#!/bin/sh\ncase "$1" in -s) echo "${FAKE_UNAME_S}" ;; -m) echo "${FAKE_UNAME_M}" ;; *) exit 1 ;; esac\n' \
    >"${work}/fakebin/uname"
chmod +x "${work}/fakebin/uname"

failed=0
# installer NAME [VAR=VALUE...] -- ARGS...: runs a checkout's install.sh, or
# the piped script when ARGS start with `piped`, in a clean environment.
# Leaves the exit code in ${rc} and the output in ${work}/NAME.out and .err.
rc=""
installer() {
    local name="$1" envs=() status=0
    shift
    while [[ "$1" != -- ]]; do
        envs+=("$1")
        shift
    done
    shift
    local cmd=(bash "${work}/tagged/action/install.sh")
    if [[ "${1:-}" == piped ]]; then
        shift
        cmd=(bash -s --)
    elif [[ "${1:-}" == untagged ]]; then
        shift
        cmd=(bash "${work}/untagged/action/install.sh")
    fi
    env -i HOME="${work}/home" PATH="${work}/fakebin:/usr/bin:/bin" TMPDIR="${work}" \
        FAKE_UNAME_S=Linux FAKE_UNAME_M=x86_64 ${envs[@]+"${envs[@]}"} \
        "${cmd[@]}" "$@" <"${repo_root}/action/install.sh" \
        >"${work}/${name}.out" 2>"${work}/${name}.err" || status=$?
    rc="${status}"
}

# expect NAME CHECK EXPECTED ACTUAL: one row of the report.
expect() {
    if [[ "$4" == "$3" ]]; then
        printf 'ok    %-34s %-16s %s\n' "$1" "$2" "$4"
    else
        printf 'FAIL  %-34s %-16s expected %s, got %s\n' "$1" "$2" "$3" "$4"
        sed 's/^/      | /' -- "${work}/$1.err"
        failed=1
    fi
}

# Checks of an install that must succeed into DIR.
installed() {
    local name="$1" dir="$2"
    expect "${name}" exit 0 "${rc}"
    expect "${name}" --version "pinecone-backup-wait ${version}" \
        "$("${dir}/pinecone-backup-wait" --version 2>&1 || true)"
    local partial stdout
    partial=$(find "${dir}" -name '.*' -type f)
    expect "${name}" "partial files" none "${partial:-none}"
    stdout=$(head -c 80 -- "${work}/${name}.out")
    expect "${name}" stdout empty "${stdout:-empty}"
}

# Checks of an install that must fail with MESSAGE, leaving DIR without a
# binary, running nothing, and (with NO_DOWNLOAD) fetching no asset.
refused() {
    local name="$1" dir="$2" message="$3" downloads="${4:-}" has_message=no binary=absent ran=no
    expect "${name}" exit 1 "${rc}"
    grep -qF -- "${message}" "${work}/${name}.err" && has_message=yes
    expect "${name}" "says" "yes" "${has_message}"
    [[ -e "${dir}/pinecone-backup-wait" ]] && binary=present
    expect "${name}" binary absent "${binary}"
    [[ -e "${work}/tampered-ran" ]] && ran=yes
    expect "${name}" "tampered ran" no "${ran}"
    if [[ "${downloads}" == no-download ]]; then
        expect "${name}" "asset requests" 0 "$(grep -c "GET /.*/${asset} " "${work}/http.log" || true)"
    fi
}

# Each case that must not download runs first, while the log has no asset
# request at all.
installer unknown-platform FAKE_UNAME_S=SunOS FAKE_UNAME_M=sparc64 -- --to "${work}/bin/unknown"
refused unknown-platform "${work}/bin/unknown" "no release asset for this platform (SunOS sparc64" no-download

installer unknown-arch FAKE_UNAME_M=riscv64 -- --to "${work}/bin/riscv"
refused unknown-arch "${work}/bin/riscv" "no release asset for this platform (Linux riscv64" no-download

installer no-digest -- untagged --to "${work}/bin/no-digest"
refused no-digest "${work}/bin/no-digest" "has no digest for ${asset}" no-download

installer not-released PINECONE_BACKUP_WAIT_RAW_URL="${server}/raw" -- piped --repo "${slug}" --version 9.9.9 --to "${work}/bin/not-released"
refused not-released "${work}/bin/not-released" "is v9.9.9 a release of ${slug}?" no-download

installer plain-http PINECONE_BACKUP_WAIT_DOWNLOAD_URL=http://example.com/releases -- --to "${work}/bin/http"
refused plain-http "${work}/bin/http" "must be https://, or http:// to 127.0.0.1" no-download

installer piped-no-repo -- piped --version "${version}" --to "${work}/bin/piped-no-repo"
refused piped-no-repo "${work}/bin/piped-no-repo" "give --repo OWNER/NAME" no-download

installer bad-flag -- --version latest --to "${work}/bin/bad-flag"
refused bad-flag "${work}/bin/bad-flag" "--version: expected MAJOR.MINOR.PATCH" no-download

installer tampered PINECONE_BACKUP_WAIT_DOWNLOAD_URL="${server}/tampered" -- --to "${work}/bin/tampered"
refused tampered "${work}/bin/tampered" "does not match the digest committed"

installer tampered-piped PINECONE_BACKUP_WAIT_DOWNLOAD_URL="${server}/tampered" \
    PINECONE_BACKUP_WAIT_RAW_URL="${server}/raw" -- piped --repo "${slug}" --version "${version}" --to "${work}/bin/tampered-piped"
refused tampered-piped "${work}/bin/tampered-piped" "does not match the digest committed"

installer checkout -- --to "${work}/bin/checkout"
installed checkout "${work}/bin/checkout"

installer piped PINECONE_BACKUP_WAIT_RAW_URL="${server}/raw" -- piped --repo "${slug}" --version "v${version}" --to "${work}/bin/piped"
installed piped "${work}/bin/piped"

# Over an older binary: replaced.
printf 'old\n' >"${work}/bin/checkout/pinecone-backup-wait"
installer again -- --version "${version}" --to "${work}/bin/checkout"
installed again "${work}/bin/checkout"

installer default-dir --
installed default-dir "${work}/home/.local/bin"

if [[ "${failed}" -ne 0 ]]; then
    bail "install.sh standalone: some checks failed (above)"
fi
printf 'install.sh standalone: all checks passed\n'
