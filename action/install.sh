#!/usr/bin/env bash
# Installs pinecone-backup-wait for the action in action.yml, and does nothing
# else: pick the platform, download the release asset of the action's own
# version, verify it against the SHA-256 committed in action/sha256sums, put
# it on PATH. Or, with `install: build` (or `auto` when this version has no
# committed digest for this platform), compile the action's own source.
#
# It never runs a binary whose digest is not committed in this repository:
# pinning the action's commit pins the binary. See docs/action.md.
#
# Inputs, all through the environment (action.yml sets them from `with:`):
#   INPUT_INSTALL                       auto | download | build (empty: auto)
#   PINECONE_BACKUP_WAIT_DOWNLOAD_URL   base URL of the release assets, for tests
#                                       and mirrors; https://, or http:// to a
#                                       loopback host only. Digests still apply.
# Outputs (GITHUB_OUTPUT): `path`, the installed binary; `method`, download or build.
#
# Modelled on taiki-e/install-action/main.sh. Bash 3.2 compatible (macOS).
set -euo pipefail
IFS=$'\n\t'

# Workflow commands take %, CR and LF escaped, so a value cannot start a new
# command: https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
escape_data() {
    local s="$*"
    s="${s//'%'/%25}"
    s="${s//$'\r'/%0D}"
    s="${s//$'\n'/%0A}"
    printf '%s' "${s}"
}
# Annotations go to stderr, which the runner reads for workflow commands too,
# so that a bail inside $(...) is still shown rather than captured.
bail() {
    # shellcheck disable=SC2312 # escape_data cannot fail
    printf '::error title=pinecone-backup-wait install::%s\n' "$(escape_data "$*")" >&2
    exit 1
}
warn() {
    # shellcheck disable=SC2312 # escape_data cannot fail
    printf '::warning title=pinecone-backup-wait install::%s\n' "$(escape_data "$*")" >&2
}
info() {
    printf 'info: %s\n' "$*" >&2
}
# retry CMD...: three tries, one and then two seconds apart.
retry() {
    local attempt
    for attempt in 1 2; do
        if "$@"; then
            return 0
        fi
        warn "attempt ${attempt} failed: $1; retrying in ${attempt}s"
        sleep "${attempt}"
    done
    "$@"
}

# Paths from the runner are Windows paths on Windows; bash wants /d/a/... there.
unix_path() {
    if type -P cygpath >/dev/null; then
        cygpath -u "$1"
    else
        printf '%s\n' "$1"
    fi
}
native_path() {
    if type -P cygpath >/dev/null; then
        cygpath -w "$1"
    else
        printf '%s\n' "$1"
    fi
}

# package_field MANIFEST KEY: a string key of the manifest's [package] table.
package_field() {
    awk -v key="$2" '
        /^[[:space:]]*\[/ { in_package = ($0 ~ /^[[:space:]]*\[package\][[:space:]]*$/) }
        in_package && $0 ~ "^[[:space:]]*" key "[[:space:]]*=" {
            sub(/^[^=]*=[[:space:]]*"/, ""); sub(/".*$/, ""); print; exit
        }' "$1"
}

# runner_target: the release target of this runner, from RUNNER_OS and RUNNER_ARCH.
runner_target() {
    case "${RUNNER_OS:-}:${RUNNER_ARCH:-}" in
        Linux:X64) printf 'x86_64-unknown-linux-musl\n' ;;
        Linux:ARM64) printf 'aarch64-unknown-linux-musl\n' ;;
        macOS:X64) printf 'x86_64-apple-darwin\n' ;;
        macOS:ARM64) printf 'aarch64-apple-darwin\n' ;;
        Windows:X64) printf 'x86_64-pc-windows-msvc\n' ;;
        *) return 1 ;;
    esac
}

# committed_digest ASSET: the SHA-256 that action/sha256sums gives for ASSET,
# empty when it has none. Lines are `<64 hex>  <asset>`, as sha256sum prints.
committed_digest() {
    local asset="$1" sums="${action_path}/action/sha256sums" digests
    [[ -f "${sums}" ]] || bail "${sums} is missing: the action's checkout is incomplete"
    digests=$(awk -v asset="${asset}" '$2 == asset { print $1 }' "${sums}")
    case "${digests}" in
        '') return 0 ;;
        *$'\n'*) bail "action/sha256sums lists ${asset} more than once; refusing to guess which digest is right" ;;
        *) ;;
    esac
    [[ "${digests}" =~ ^[0-9a-f]{64}$ ]] \
        || bail "action/sha256sums has a malformed digest for ${asset}: '${digests}' (expected 64 lowercase hex digits)"
    printf '%s\n' "${digests}"
}

# download_base: where release assets live, without the trailing /v<version>:
# the override, else the `url` line the release wrote into action/sha256sums
# beside the digests (so pinning the commit pins the source as well).
download_base() {
    local override="${PINECONE_BACKUP_WAIT_DOWNLOAD_URL:-}" recorded
    if [[ -n "${override}" ]]; then
        printf '%s\n' "${override%/}"
        return 0
    fi
    # curl_protocols then insists on https:// (or http:// to loopback).
    recorded=$(awk '$1 == "url" { print $2; exit }' "${action_path}/action/sha256sums")
    [[ -n "${recorded}" ]] \
        || bail "action/sha256sums has digests but no 'url' line saying where to download them from; use install: build"
    printf '%s\n' "${recorded%/}"
}

# curl_protocols BASE: https only, except plain http to a loopback host (the
# same rule as the binary's --api-host), so tests can serve assets locally.
# The host must be spelled exactly (no user info, no look-alike names).
curl_protocols() {
    local loopback='^http://(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$'
    if [[ "$1" == https://* ]]; then
        printf '=https\n'
    elif [[ "$1" =~ ${loopback} ]]; then
        printf '=http\n'
    else
        bail "the download URL must be https://, or http:// to 127.0.0.1, localhost or [::1]; got '$1'"
    fi
}

sha256_check() {
    if type -P sha256sum >/dev/null; then
        sha256sum -c -- "$1"
    elif type -P shasum >/dev/null; then
        shasum -a 256 -c -- "$1"
    else
        bail "neither sha256sum nor shasum is installed, so the download cannot be verified"
    fi
}

# install_download ASSET DIGEST: fetch ASSET into a temporary directory, check
# it against DIGEST, and only then move it to ${bin_dir}/${exe}.
install_download() {
    local asset="$1" digest="$2" base url proto tmp
    base=$(download_base)
    url="${base}/v${version}/${asset}"
    proto=$(curl_protocols "${base}")
    tmp=$(mktemp -d "${runner_temp}/pinecone-backup-wait-download.XXXXXX")
    info "downloading ${url}"
    # shellcheck disable=SC2310 # retry and curl need no set -e inside
    retry curl --proto "${proto}" --proto-redir '=https' --tlsv1.2 -fsSL \
        --retry 3 --retry-connrefused --connect-timeout 10 --max-time 300 \
        -o "${tmp}/${asset}" -- "${url}" \
        || bail "could not download ${url}; check the runner's network, or use install: build"
    printf '%s  %s\n' "${digest}" "${asset}" >"${tmp}/${asset}.sha256"
    # shellcheck disable=SC2310 # sha256_check's last command decides
    if ! (cd -- "${tmp}" && sha256_check "${asset}.sha256" >&2); then
        rm -rf -- "${tmp}"
        bail "SHA-256 of ${url} does not match the digest committed in action/sha256sums (${digest}); refusing to run it. The release asset or the download was tampered with or corrupted"
    fi
    mkdir -p -- "${bin_dir}"
    mv -f -- "${tmp}/${asset}" "${bin_dir}/${exe}"
    chmod +x "${bin_dir}/${exe}"
    rm -rf -- "${tmp}"
}

# install_build: compile the action's own source, as locked by its Cargo.lock.
install_build() {
    type -P cargo >/dev/null \
        || bail "install: build needs cargo on PATH (GitHub-hosted runners have it; elsewhere install Rust with rustup first), or use install: download on a released version"
    local target_dir="${CARGO_TARGET_DIR:-${action_path}/target}"
    info "building pinecone-backup-wait ${version} from source: cargo build --release --locked"
    cargo build --release --locked --manifest-path "${action_path}/Cargo.toml" \
        --target-dir "${target_dir}" --bin pinecone-backup-wait >&2 \
        || bail "cargo build --release --locked failed (see the log above)"
    mkdir -p -- "${bin_dir}"
    # A CARGO_BUILD_TARGET set on the job puts the binary one folder deeper.
    cp -f -- "${target_dir}/${CARGO_BUILD_TARGET:+${CARGO_BUILD_TARGET}/}release/${exe}" "${bin_dir}/${exe}"
}

main() {
    [[ $# -eq 0 ]] || bail "install.sh takes no arguments; got '$1'"
    action_path=$(unix_path "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this through action.yml}")
    runner_temp=$(unix_path "${RUNNER_TEMP:?RUNNER_TEMP is not set: run this on a GitHub Actions runner}")

    local mode="${INPUT_INSTALL:-auto}" target asset digest method
    case "${mode}" in
        auto | download | build) ;;
        *) bail "input install: expected auto, download or build; got '${mode}'" ;;
    esac

    version=$(package_field "${action_path}/Cargo.toml" version)
    [[ "${version}" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] \
        || bail "could not read the action's version from ${action_path}/Cargo.toml (got '${version}')"

    exe=pinecone-backup-wait
    if [[ "${RUNNER_OS:-}" == Windows ]]; then
        exe=pinecone-backup-wait.exe
    fi
    bin_dir="${runner_temp}/pinecone-backup-wait/${version}/bin"

    method="${mode}"
    if [[ "${mode}" != build ]]; then
        # shellcheck disable=SC2310 # runner_target is one case statement
        target=$(runner_target) \
            || bail "no release asset for RUNNER_OS='${RUNNER_OS:-}' RUNNER_ARCH='${RUNNER_ARCH:-}' (released: Linux X64/ARM64, macOS X64/ARM64, Windows X64); use install: build to compile from source"
        asset="pinecone-backup-wait-${version}-${target}"
        if [[ "${target}" == *-windows-* ]]; then
            asset="${asset}.exe"
        fi
        digest=$(committed_digest "${asset}")
        if [[ -n "${digest}" ]]; then
            method=download
        elif [[ "${mode}" == download ]]; then
            bail "action/sha256sums has no digest for ${asset}: version ${version} is not released for ${target} at this commit of the action. Pin a release tag or its commit, or use install: build"
        else
            info "no committed digest for ${asset} (an unreleased commit?); building from source"
            method=build
        fi
    fi

    case "${method}" in
        download) install_download "${asset}" "${digest}" ;;
        build) install_build ;;
        *) bail "internal error: install method '${method}'" ;;
    esac

    local installed
    installed=$("${bin_dir}/${exe}" --version) \
        || bail "the installed ${bin_dir}/${exe} does not run (--version failed)"
    info "installed ${installed} at ${bin_dir}/${exe} (${method})"
    native_path "${bin_dir}" >>"${GITHUB_PATH:?}"
    {
        printf 'path=%s\n' "${bin_dir}/${exe}"
        printf 'method=%s\n' "${method}"
    } >>"${GITHUB_OUTPUT:?}"
}

main "$@"
