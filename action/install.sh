#!/usr/bin/env bash
# Installs pinecone-backup-wait: picks the platform, downloads the release
# asset, verifies it against the SHA-256 committed in action/sha256sums, and
# only then installs it. It never runs a binary whose digest is not
# committed in this repository, and never falls back to one.
#
# Two ways to run it:
#
# 1. By the action (action.yml runs it with no arguments, GITHUB_ACTION_PATH
#    set): the release asset of the action's own version, put on PATH. Or,
#    with `install: build` (or `auto` when this version has no committed
#    digest for this platform), compile the action's own source. Pinning the
#    action's commit pins the binary. See docs/action.md.
#      Inputs, all through the environment (action.yml sets them from `with:`):
#        INPUT_INSTALL   auto | download | build (empty: auto)
#      Outputs (GITHUB_OUTPUT): `path`, the installed binary; `method`,
#      download or build.
#
# 2. Standalone, in any CI or at a terminal (download only, never a build):
#      bash action/install.sh [--to DIR]            from a checkout of a release tag
#      curl --proto '=https' --tlsv1.2 -fsSL \
#          https://raw.githubusercontent.com/OWNER/pinecone-backup-wait/v0.2.0/action/install.sh \
#        | bash -s -- --repo OWNER/pinecone-backup-wait --version 0.2.0 --to ~/.local/bin
#    The digests are the checkout's action/sha256sums, or with --repo those
#    committed in that repository's tag v<version>. The platform comes from
#    `uname`. DIR defaults to ~/.local/bin. `--help` says more.
#
# Environment, both ways:
#   PINECONE_BACKUP_WAIT_DOWNLOAD_URL   base URL of the release assets, for tests
#                                       and mirrors; https://, or http:// to a
#                                       loopback host only. Digests still apply.
#   PINECONE_BACKUP_WAIT_RAW_URL        with --repo: base URL of the
#                                       repository's files (default
#                                       https://raw.githubusercontent.com), same rule.
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
# In the action, errors and warnings are annotations; standalone, plain lines.
# Both go to stderr, which the runner reads for workflow commands too, so
# that a bail inside $(...) is still shown rather than captured.
annotate=false
bail() {
    if [[ "${annotate}" == true ]]; then
        # shellcheck disable=SC2312 # escape_data cannot fail
        printf '::error title=pinecone-backup-wait install::%s\n' "$(escape_data "$*")" >&2
    else
        printf 'error: %s\n' "$*" >&2
    fi
    exit 1
}
warn() {
    if [[ "${annotate}" == true ]]; then
        # shellcheck disable=SC2312 # escape_data cannot fail
        printf '::warning title=pinecone-backup-wait install::%s\n' "$(escape_data "$*")" >&2
    else
        printf 'warning: %s\n' "$*" >&2
    fi
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

# uname_target OS MACHINE: the release target of a machine, from `uname -s`
# and `uname -m` (Git Bash and MSYS2 on Windows say MINGW64_NT-... or
# MSYS_NT-...).
uname_target() {
    case "$1:$2" in
        Linux:x86_64 | Linux:amd64) printf 'x86_64-unknown-linux-musl\n' ;;
        Linux:aarch64 | Linux:arm64) printf 'aarch64-unknown-linux-musl\n' ;;
        Darwin:x86_64) printf 'x86_64-apple-darwin\n' ;;
        Darwin:arm64 | Darwin:aarch64) printf 'aarch64-apple-darwin\n' ;;
        MINGW64_NT*:x86_64 | MSYS_NT*:x86_64 | CYGWIN_NT*:x86_64) printf 'x86_64-pc-windows-msvc\n' ;;
        *) return 1 ;;
    esac
}

# asset_name VERSION TARGET: the release asset's file name.
asset_name() {
    case "$2" in
        *-windows-*) printf 'pinecone-backup-wait-%s-%s.exe\n' "$1" "$2" ;;
        *) printf 'pinecone-backup-wait-%s-%s\n' "$1" "$2" ;;
    esac
}

# committed_digest SUMS ASSET: the SHA-256 that the digest file SUMS (an
# action/sha256sums) gives for ASSET, empty when it has none. Lines are
# `<64 hex>  <asset>`, as sha256sum prints.
committed_digest() {
    local sums="$1" asset="$2" digests
    [[ -f "${sums}" ]] || bail "${sums} is missing: the checkout is incomplete"
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

# download_base SUMS: where release assets live, without the trailing
# /v<version>: the override, else the `url` line the release wrote into
# action/sha256sums beside the digests (so pinning the commit pins the
# source as well).
download_base() {
    local override="${PINECONE_BACKUP_WAIT_DOWNLOAD_URL:-}" recorded
    if [[ -n "${override}" ]]; then
        printf '%s\n' "${override%/}"
        return 0
    fi
    # curl_protocols then insists on https:// (or http:// to loopback).
    recorded=$(awk '$1 == "url" { print $2; exit }' "$1")
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

# install_download ASSET DIGEST SUMS TEMP: fetch ASSET into a new directory
# under TEMP, check it against DIGEST, and only then put it at
# ${bin_dir}/${exe}, by a rename inside bin_dir, so that path never holds a
# partial or unverified file.
install_download() {
    local asset="$1" digest="$2" sums="$3" base url proto tmp
    base=$(download_base "${sums}")
    url="${base}/v${version}/${asset}"
    proto=$(curl_protocols "${base}")
    tmp=$(mktemp -d "$4/pinecone-backup-wait-download.XXXXXX")
    info "downloading ${url}"
    # shellcheck disable=SC2310 # retry and curl need no set -e inside
    retry curl --proto "${proto}" --proto-redir '=https' --tlsv1.2 -fsSL \
        --retry 3 --retry-connrefused --connect-timeout 10 --max-time 300 \
        -o "${tmp}/${asset}" -- "${url}" \
        || bail "could not download ${url}; check the network (in the action: or use install: build)"
    printf '%s  %s\n' "${digest}" "${asset}" >"${tmp}/${asset}.sha256"
    # shellcheck disable=SC2310 # sha256_check's last command decides
    if ! (cd -- "${tmp}" && sha256_check "${asset}.sha256" >&2); then
        rm -rf -- "${tmp}"
        bail "SHA-256 of ${url} does not match the digest committed in action/sha256sums (${digest}); refusing to run it. The release asset or the download was tampered with or corrupted"
    fi
    mkdir -p -- "${bin_dir}"
    cp -f -- "${tmp}/${asset}" "${bin_dir}/.${exe}.partial"
    rm -rf -- "${tmp}"
    chmod +x "${bin_dir}/.${exe}.partial"
    mv -f -- "${bin_dir}/.${exe}.partial" "${bin_dir}/${exe}"
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

# action_install: the action's install step (action.yml).
action_install() {
    annotate=true
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
        asset=$(asset_name "${version}" "${target}")
        digest=$(committed_digest "${action_path}/action/sha256sums" "${asset}")
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
        download) install_download "${asset}" "${digest}" "${action_path}/action/sha256sums" "${runner_temp}" ;;
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

usage() {
    cat <<'USAGE'
Installs pinecone-backup-wait, verified against the SHA-256 committed in its
repository (action/sha256sums). Never installs anything unverified.

From a checkout of a release tag (the checkout's digests):
    bash action/install.sh [--to DIR]
Piped (the digests committed in the repository's tag v<VERSION>):
    curl --proto '=https' --tlsv1.2 -fsSL \
        https://raw.githubusercontent.com/OWNER/pinecone-backup-wait/v0.2.0/action/install.sh \
      | bash -s -- --repo OWNER/pinecone-backup-wait --version 0.2.0 --to ~/.local/bin

Options:
    --version VERSION   the release: 0.2.0 or v0.2.0 (default: the checkout's)
    --to DIR            where to put the binary (default: ~/.local/bin)
    --repo OWNER/NAME   take the digests from github.com/OWNER/NAME, tag v<VERSION>
    --help              this text

Released for Linux x86_64 and aarch64 (static), macOS x86_64 and arm64, and
Windows x86_64 (Git Bash). Elsewhere, build from source:
    cargo install --git https://github.com/OWNER/pinecone-backup-wait --tag v0.2.0 --locked
USAGE
}

# standalone_install ARGS...: in any CI or at a terminal; download only.
standalone_install() {
    local repo="" to=""
    version=""
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --help | -h)
                usage
                exit 0
                ;;
            --version | --to | --repo)
                [[ $# -ge 2 && -n "$2" ]] || bail "$1 needs a value; see --help"
                case "$1" in
                    --version) version="${2#v}" ;;
                    --to) to="$2" ;;
                    *) repo="$2" ;;
                esac
                shift 2
                ;;
            *) bail "unknown argument '$1'; expected --version, --to, --repo or --help" ;;
        esac
    done
    if [[ -n "${version}" && ! "${version}" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
        bail "--version: expected MAJOR.MINOR.PATCH[-PRERELEASE], e.g. 0.2.0 or v0.2.0; got '${version}'"
    fi
    if [[ -n "${repo}" && ! "${repo}" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
        bail "--repo: expected OWNER/NAME, e.g. OWNER/pinecone-backup-wait; got '${repo}'"
    fi
    if [[ -z "${to}" ]]; then
        to="${HOME:?HOME is not set: give --to DIR}/.local/bin"
    fi

    work=$(mktemp -d "${TMPDIR:-/tmp}/pinecone-backup-wait-install.XXXXXX")
    trap 'rm -rf -- "${work}"' EXIT

    # The digests: the checkout's, or those of the tag v<version> of --repo.
    local sums source="${BASH_SOURCE[0]:-}" root checkout_version=""
    if [[ -n "${repo}" ]]; then
        [[ -n "${version}" ]] \
            || bail "--repo needs --version: the digests are the ones committed in that release's tag"
        local raw="${PINECONE_BACKUP_WAIT_RAW_URL:-https://raw.githubusercontent.com}" proto url
        raw="${raw%/}"
        proto=$(curl_protocols "${raw}")
        url="${raw}/${repo}/v${version}/action/sha256sums"
        sums="${work}/sha256sums"
        info "reading the digests committed in ${repo} v${version}: ${url}"
        # Not retried: a 404 means the version is not released, and curl
        # retries what is transient.
        curl --proto "${proto}" --proto-redir '=https' --tlsv1.2 -fsSL \
            --retry 3 --retry-connrefused --connect-timeout 10 --max-time 60 \
            -o "${sums}" -- "${url}" \
            || bail "could not read ${url}: is v${version} a release of ${repo}?"
    else
        [[ -n "${source}" && -f "${source}" ]] \
            || bail "no checkout around this script (is it piped?): give --repo OWNER/NAME and --version VERSION, so that the digests come from that release's tag"
        root=$(cd -- "$(dirname -- "${source}")/.." && pwd)
        sums="${root}/action/sha256sums"
        if [[ -f "${root}/Cargo.toml" ]]; then
            checkout_version=$(package_field "${root}/Cargo.toml" version)
        fi
        if [[ -z "${version}" ]]; then
            version="${checkout_version}"
            [[ "${version}" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] \
                || bail "could not read the version from ${root}/Cargo.toml (got '${version}'); give --version"
        fi
    fi

    local os machine target asset digest
    os=$(uname -s)
    machine=$(uname -m)
    # shellcheck disable=SC2310 # uname_target is one case statement
    target=$(uname_target "${os}" "${machine}") \
        || bail "no release asset for this platform (${os} ${machine}; released: Linux x86_64/aarch64, macOS x86_64/arm64, Windows x86_64). Build from source instead: cargo install --git <repository> --tag v${version} --locked"
    asset=$(asset_name "${version}" "${target}")
    exe=pinecone-backup-wait
    if [[ "${target}" == *-windows-* ]]; then
        exe=pinecone-backup-wait.exe
    fi
    digest=$(committed_digest "${sums}" "${asset}")
    if [[ -z "${digest}" && -n "${repo}" ]]; then
        bail "the digests committed in ${repo} v${version} have no line for ${asset}; nothing unverified is installed"
    elif [[ -z "${digest}" ]]; then
        bail "${sums} has no digest for ${asset}: this checkout is not the release tag v${version} (its Cargo.toml says '${checkout_version}'). Check out that tag, or use --repo OWNER/NAME --version ${version}; nothing unverified is installed"
    fi

    bin_dir=$(unix_path "${to}")
    install_download "${asset}" "${digest}" "${sums}" "${work}"

    local installed=""
    installed=$("${bin_dir}/${exe}" --version) || true
    if [[ "${installed}" != "pinecone-backup-wait ${version}" ]]; then
        rm -f -- "${bin_dir}/${exe}"
        bail "the installed ${bin_dir}/${exe} does not run as pinecone-backup-wait ${version} (--version said '${installed}'); removed it"
    fi
    info "installed ${installed} at ${bin_dir}/${exe}, verified against the committed SHA-256"
    case ":${PATH:-}:" in
        *":${bin_dir}:"*) ;;
        *) info "${bin_dir} is not on PATH: add it, or run ${bin_dir}/${exe}" ;;
    esac
}

main() {
    # action.yml runs the script with no arguments, inside the action.
    if [[ $# -eq 0 && -n "${GITHUB_ACTION_PATH:-}" ]]; then
        action_install
    else
        standalone_install "$@"
    fi
}

main "$@"
