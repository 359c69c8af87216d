#!/usr/bin/env bash
# The steps of .github/workflows/release.yml that are more than one command,
# kept here so they can be read, linted and tried on a scratch clone. The
# loop they implement is described in docs/releasing.md.
#
#   release.sh check VERSION         the release can be cut from this commit
#   release.sh package VERSION TARGET
#                                    dist/<asset> from target/TARGET/release;
#                                    Linux assets must be static
#   release.sh tag VERSION DIST      commit DIST's digests to action/sha256sums
#                                    on top of HEAD, tag it vVERSION, verify
#   release.sh verify VERSION DIST   tag vVERSION's tree holds the digests of
#                                    exactly DIST's assets, and differs from
#                                    its parent only in action/sha256sums
#
# Bash 3.2 compatible (macOS runners run `package`).
set -euo pipefail
IFS=$'\n\t'

bail() {
    printf '::error title=release::%s\n' "$*" >&2
    exit 1
}
info() {
    printf 'info: %s\n' "$*" >&2
}

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.."

# The five release targets; action/install.sh maps runners onto the same list.
targets=(
    x86_64-unknown-linux-musl
    aarch64-unknown-linux-musl
    x86_64-apple-darwin
    aarch64-apple-darwin
    x86_64-pc-windows-msvc
)

asset_name() {
    local version="$1" target="$2"
    case "${target}" in
        *-windows-*) printf 'pinecone-backup-wait-%s-%s.exe\n' "${version}" "${target}" ;;
        *) printf 'pinecone-backup-wait-%s-%s\n' "${version}" "${target}" ;;
    esac
}

package_field() {
    awk -v key="$1" '
        /^[[:space:]]*\[/ { in_package = ($0 ~ /^[[:space:]]*\[package\][[:space:]]*$/) }
        in_package && $0 ~ "^[[:space:]]*" key "[[:space:]]*=" {
            sub(/^[^=]*=[[:space:]]*"/, ""); sub(/".*$/, ""); print; exit
        }' Cargo.toml
}

check_version_format() {
    [[ "$1" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] \
        || bail "version '$1' is not MAJOR.MINOR.PATCH[-PRERELEASE] (give it without the v)"
}

# check VERSION: run by the `prepare` job before anything is built.
check() {
    local version="$1" manifest_version
    check_version_format "${version}"
    [[ "${GITHUB_REF:-}" == "refs/heads/${DEFAULT_BRANCH:?}" ]] \
        || bail "releases are cut from ${DEFAULT_BRANCH}; this run is on ${GITHUB_REF:-?}"
    manifest_version=$(package_field version)
    [[ "${manifest_version}" == "${version}" ]] \
        || bail "Cargo.toml says version ${manifest_version}, not ${version}: bump it (and Cargo.lock) in a commit first"
    if grep -q -- "-${version}-" action/sha256sums; then
        bail "action/sha256sums already lists ${version} assets; a version is released once"
    fi
    local existing
    existing=$(gh api "repos/${GITHUB_REPOSITORY:?}/git/matching-refs/tags/v${version}" --jq '.[].ref')
    if printf '%s\n' "${existing}" | grep -qx -- "refs/tags/v${version}"; then
        bail "tag v${version} already exists"
    fi
    info "v${version} can be released from ${GITHUB_SHA:-HEAD}"
}

# package VERSION TARGET: run by each `build` job after cargo build.
package() {
    local version="$1" target="$2" exe=pinecone-backup-wait bin asset reported
    case "${target}" in
        *-windows-*) exe=pinecone-backup-wait.exe ;;
        *) ;;
    esac
    bin="target/${target}/release/${exe}"
    [[ -f "${bin}" ]] || bail "${bin} was not built"
    case "${target}" in
        *-linux-*)
            file "${bin}" >&2
            if ! file "${bin}" | grep -q 'statically linked'; then
                bail "${bin} is not statically linked"
            fi
            ;;
        *) ;;
    esac
    # Every matrix runner is native to its target, so the binary can run.
    reported=$("${bin}" --version)
    [[ "${reported}" == "pinecone-backup-wait ${version}" ]] \
        || bail "${bin} --version says '${reported}', expected 'pinecone-backup-wait ${version}'"
    asset=$(asset_name "${version}" "${target}")
    mkdir -p dist
    cp -- "${bin}" "dist/${asset}"
    local size
    size=$(wc -c <"dist/${asset}")
    info "dist/${asset}: ${size// /} bytes"
}

sha256() {
    if type -P sha256sum >/dev/null; then
        sha256sum "$@"
    else
        shasum -a 256 "$@"
    fi
}

# expected_assets VERSION: the asset names, sorted.
expected_assets() {
    local target
    for target in "${targets[@]}"; do
        asset_name "$1" "${target}"
    done | LC_ALL=C sort
}

# check_dist VERSION DIST: DIST holds exactly the expected assets.
check_dist() {
    local actual expected
    expected=$(expected_assets "$1")
    actual=$(cd -- "$2" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort)
    [[ "${actual}" == "${expected}" ]] \
        || bail "$2 should hold exactly these assets:
${expected}
but holds:
${actual}"
}

# tag VERSION DIST: run by the `publish` job on a checkout of the built commit.
tag() {
    local version="$1" dist="$2" source
    check_version_format "${version}"
    check_dist "${version}" "${dist}"
    source=$(git rev-parse HEAD)
    (cd -- "${dist}" && expected_assets "${version}" | while read -r asset; do sha256 -- "${asset}"; done) \
        >"${dist}/SHA256SUMS"
    # Where action/install.sh fetches these assets: this repository's
    # releases, recorded beside their digests so nothing hard-codes an owner.
    printf 'url %s/%s/releases/download\n' "${GITHUB_SERVER_URL:-https://github.com}" \
        "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY (owner/name) is needed to record the download URL}" \
        >>action/sha256sums
    cat -- "${dist}/SHA256SUMS" >>action/sha256sums
    git add action/sha256sums
    # Dated like the built commit, so that a re-run of the job makes the very
    # same commit and tag objects (same ids), and pushing the tag again is a
    # no-op rather than a conflict.
    local date
    date=$(git log -1 --format=%cI HEAD)
    export GIT_AUTHOR_DATE="${date}" GIT_COMMITTER_DATE="${date}"
    git -c user.name='github-actions[bot]' \
        -c user.email='41898282+github-actions[bot]@users.noreply.github.com' \
        commit --quiet -m "Release v${version}: digests of its assets" \
        -m "Built by this workflow run from ${source}, this commit's parent, which differs only in action/sha256sums."
    git -c user.name='github-actions[bot]' \
        -c user.email='41898282+github-actions[bot]@users.noreply.github.com' \
        tag -a "v${version}" -m "pinecone-backup-wait ${version}"
    verify "${version}" "${dist}"
}

# verify VERSION DIST: the invariant the release rests on.
verify() {
    local version="$1" dist="$2" changed listed
    check_dist "${version}" "${dist}"
    changed=$(git diff --name-only "v${version}^" "v${version}")
    [[ "${changed}" == action/sha256sums ]] \
        || bail "v${version} should differ from the commit its assets were built from only in action/sha256sums, but changes: ${changed}"
    listed=$(git show "v${version}:action/sha256sums" | grep -F -- "  pinecone-backup-wait-${version}-")
    local listed_names expected
    listed_names=$(printf '%s\n' "${listed}" | awk '{ print $2 }' | LC_ALL=C sort)
    expected=$(expected_assets "${version}")
    [[ "${listed_names}" == "${expected}" ]] \
        || bail "v${version}'s action/sha256sums lists other assets than ${dist}:
${listed}"
    local check_file
    check_file=$(mktemp)
    printf '%s\n' "${listed}" >"${check_file}"
    # shellcheck disable=SC2310 # sha256's one command decides
    if ! (cd -- "${dist}" && sha256 -c -- "${check_file}" >&2); then
        rm -f -- "${check_file}"
        bail "the assets in ${dist} do not match the digests committed in v${version}"
    fi
    rm -f -- "${check_file}"
    local commit
    commit=$(git rev-parse "v${version}^{commit}")
    info "v${version} (${commit}) holds the digests of exactly the assets in ${dist}"
}

command="${1:-}"
shift || true
case "${command}" in
    check) [[ $# -eq 1 ]] || bail "usage: release.sh check VERSION"; check "$@" ;;
    package) [[ $# -eq 2 ]] || bail "usage: release.sh package VERSION TARGET"; package "$@" ;;
    tag) [[ $# -eq 2 ]] || bail "usage: release.sh tag VERSION DIST"; tag "$@" ;;
    verify) [[ $# -eq 2 ]] || bail "usage: release.sh verify VERSION DIST"; verify "$@" ;;
    *) bail "unknown command '${command}'; expected check, package, tag or verify" ;;
esac
