#!/usr/bin/env bash
# Contract stage: serves Pinecone's own control-plane specs with Prism, runs
# the release binary against each, and checks that the request passes
# Prism's validation, that it carries the spec's API version, and that the
# outputs equal the spec's example backup. The spec of the binary's default
# API version is run without --api-version, so the default is proved too.
# A negative part proves that validation is really on and that the checks
# can fail.
#
# Environment:
#   PINECONE_OPENAPI_DIR  the spec copies (default ../shared/pinecone-openapi)
#   CONTRACT_BINARY       a binary to test instead of building target/release
#   CONTRACT_VERBOSE=1    print every check, not only failures and tallies
#
# Tools are installed into target/contract (ignored) from
# tests/contract/package.json and its lockfile; scratch files and Prism
# logs are kept in target/contract/work for inspection.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly SPECS=(db_control_2025-04.oas.yaml db_control_2025-10.oas.yaml db_control_2026-04.oas.yaml)
# The binary's default --api-version (README, "Flags"). Its spec is run
# without the flag; if the default changes, that run sends another version
# and the header check fails until this line and SPECS follow.
readonly DEFAULT_VERSION=2025-04
readonly SPEC_DIR="${PINECONE_OPENAPI_DIR:-../shared/pinecone-openapi}"
readonly PREFIX=target/contract
readonly WORK="${PREFIX}/work"
readonly PRISM="${PREFIX}/node_modules/.bin/prism"
readonly CHECK=tests/contract/check.cjs
readonly API_KEY=contract-test-key

bin="${CONTRACT_BINARY:-target/release/pinecone-backup-wait}"
prism_pid=""
port=""
failures=0
summary=()

step() { printf '\n==> %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; failures=$((failures + 1)); }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
indent() { sed 's/^/  | /' "$@"; }
node_check() { NODE_PATH="${PREFIX}/node_modules" node "${CHECK}" "$@"; }

# ---- setup ------------------------------------------------------------------

require_tools() {
  local tool
  for tool in node npm curl timeout; do
    command -v "${tool}" >/dev/null || die "${tool} is required"
  done
  [[ -d "${SPEC_DIR}" ]] || die "no spec copy at ${SPEC_DIR} (set PINECONE_OPENAPI_DIR)"
}

# Prism and js-yaml, exactly as locked; skipped when already installed.
install_tools() {
  if [[ -x "${PRISM}" ]] && cmp -s tests/contract/package-lock.json "${PREFIX}/package-lock.json"; then
    echo "prism $("${PRISM}" --version) already installed in ${PREFIX}"
    return
  fi
  mkdir -p "${PREFIX}"
  cp tests/contract/package.json tests/contract/package-lock.json "${PREFIX}/"
  npm ci --prefix "${PREFIX}" --ignore-scripts --no-audit --no-fund
  echo "installed prism $("${PRISM}" --version) in ${PREFIX}"
}

build_binary() {
  if [[ -n "${CONTRACT_BINARY:-}" ]]; then
    [[ -x "${bin}" ]] || die "CONTRACT_BINARY=${bin} is not executable"
  else
    cargo build --release --locked
  fi
  echo "binary: ${bin}"
}

# ---- Prism --------------------------------------------------------------------

free_port() {
  node -e 'const s = require("net").createServer();
           s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Starts Prism on a free loopback port and waits (30 s at most) for it to
# listen. Sets prism_pid and port. Retries when the port was taken meanwhile.
start_prism() {
  local spec="$1" log="$2" try deadline
  for try in 1 2 3; do
    port="$(free_port)"
    # debug: Prism logs each request's headers, for the version check.
    FORCE_COLOR=0 "${PRISM}" mock --errors --verboseLevel debug --host 127.0.0.1 --port "${port}" "${spec}" >"${log}" 2>&1 &
    prism_pid=$!
    deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)); do
      grep -q "Prism is listening on http://127.0.0.1:${port}" "${log}" && return 0
      kill -0 "${prism_pid}" 2>/dev/null || break
      sleep 0.2
    done
    stop_prism
    echo "prism did not start (try ${try}); its log:"
    indent "${log}"
  done
  die "could not start prism for ${spec}"
}

stop_prism() {
  [[ -n "${prism_pid}" ]] || return 0
  kill "${prism_pid}" 2>/dev/null || true
  for _ in {1..20}; do
    kill -0 "${prism_pid}" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "${prism_pid}" 2>/dev/null || true
  wait "${prism_pid}" 2>/dev/null || true
  prism_pid=""
}
trap stop_prism EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Prism's log from byte offset $2 on, once it has been quiet for 0.5 s
# (violations are logged after the response is sent).
log_since() {
  local log="$1" offset="$2" size=-1
  for _ in {1..20}; do
    [[ "$(wc -c <"${log}")" == "${size}" ]] && break
    size="$(wc -c <"${log}")"
    sleep 0.5
  done
  tail -c "+$((offset + 1))" "${log}"
}

# ---- the binary ---------------------------------------------------------------

# run_waiter DIR VERSION BACKUP_ID PREFER [FLAGS...]: runs the binary with a
# fresh GITHUB_OUTPUT and --json, leaving DIR/{output,stdout,stderr,exit_code}.
# VERSION is passed as --api-version unless it is the default.
run_waiter() {
  local dir="$1" version="$2" backup_id="$3" prefer="$4" code=0 version_flag=()
  shift 4
  [[ "${version}" == "${DEFAULT_VERSION}" ]] || version_flag=(--api-version "${version}")
  mkdir -p "${dir}"
  : >"${dir}/output"
  env -u GITHUB_ACTIONS -u GITHUB_STEP_SUMMARY -u PINECONE_BACKUP_ID -u PINECONE_CONTROLLER_HOST \
    -u PINECONE_API_VERSION -u HTTPS_PROXY -u https_proxy -u ALL_PROXY -u all_proxy \
    PINECONE_API_KEY="${API_KEY}" \
    PINECONE_ADDITIONAL_HEADERS="{\"Prefer\": \"${prefer}\"}" \
    GITHUB_OUTPUT="${dir}/output" \
    timeout 60 "${bin}" --backup-id "${backup_id}" --api-host "http://127.0.0.1:${port}" \
    ${version_flag[@]+"${version_flag[@]}"} --timeout 20s --json "$@" \
    >"${dir}/stdout" 2>"${dir}/stderr" || code=$?
  echo "${code}" >"${dir}/exit_code"
}

# ---- checks -------------------------------------------------------------------

# The binary against the spec's backup: exit 0, outputs = the example, and
# every request clean in Prism's log.
check_waiter() {
  local dir="$1" log="$2" version="$3" backup_id="$4" example_name="$5" offset code
  offset="$(wc -c <"${log}")"
  run_waiter "${dir}" "${version}" "${backup_id}" "code=200, example=${example_name}"
  log_since "${log}" "${offset}" >"${dir}/prism.log"
  code="$(cat "${dir}/exit_code")"
  if [[ "${code}" == 0 ]]; then
    echo "  ok   exit code 0"
  else
    fail "exit code ${code} (want 0); stderr:"
    indent "${dir}/stderr"
  fi
  node_check outputs "${dir}/../example.json" "${dir}/output" "${dir}/stdout" || fail "outputs differ from the example"
  check_prism_log "${dir}" "${version}"
}

# The binary against one of the spec's error examples (Prefer picks it);
# retryable statuses get a 3 s deadline.
check_error_example() {
  local dir="$1" log="$2" version="$3" backup_id="$4" status="$5" example_name="$6" offset
  offset="$(wc -c <"${log}")"
  run_waiter "${dir}" "${version}" "${backup_id}" "code=${status}, example=${example_name}" \
    --timeout 3s --initial-interval 200ms --max-interval 500ms
  log_since "${log}" "${offset}" >"${dir}/prism.log"
  node_check failure "${dir}/.." "${status}" "${example_name}" "${dir}" \
    || { fail "HTTP ${status} (${example_name}) handled wrongly; stderr:"; indent "${dir}/stderr"; }
  check_prism_log "${dir}" "${version}"
}

# Every request the run made reached Prism, passed its validation and sent
# X-Pinecone-API-Version: VERSION.
check_prism_log() {
  local dir="$1" version="$2"
  node_check log "${dir}/prism.log" "$(node_check output attempts "${dir}/output")" "${version}" \
    || { fail "Prism's validation; its log:"; indent "${dir}/prism.log"; }
}

# expect_rejected WHAT STATUS PATTERN CURL_ARGS...: Prism must answer STATUS
# and report PATTERN (in sl-violations or the problem body).
expect_rejected() {
  local what="$1" want="$2" pattern="$3" response
  shift 3
  response="$(curl -sS -i --noproxy '*' --max-time 10 "$@")" || { fail "${what}: curl failed"; return; }
  if [[ "$(head -n1 <<<"${response}")" == *" ${want} "* ]] && grep -qi -- "${pattern}" <<<"${response}"; then
    echo "  ok   ${what}: HTTP ${want}, reports '${pattern}'"
  else
    fail "${what}: want HTTP ${want} reporting '${pattern}', got:"
    indent <<<"${response}"
  fi
}

# Validation is on and every check can fail.
check_negative() {
  local dir="$1" log="$2" version="$3" backup_id="$4" version_header="$5" offset url code
  mkdir -p "${dir}"
  url="http://127.0.0.1:${port}/backups/${backup_id}"
  offset="$(wc -c <"${log}")"
  expect_rejected "no Api-Key" 401 "sl-violations: .*security" \
    "${url}" -H "X-Pinecone-API-Version: ${version}" -H "Accept: application/json"
  if [[ "${version_header}" == declared ]]; then
    expect_rejected "no X-Pinecone-API-Version" 422 "x-pinecone-api-version" \
      "${url}" -H "Api-Key: ${API_KEY}" -H "Accept: application/json"
  else
    # Prism accepts it; the log check below must still fail on it.
    curl -sS -o /dev/null --noproxy '*' --max-time 10 "${url}" -H "Api-Key: ${API_KEY}" -H "Accept: application/json" \
      || fail "no X-Pinecone-API-Version: curl failed"
    echo "  n/a  no X-Pinecone-API-Version: this spec does not declare the header, so Prism accepts it"
  fi
  log_since "${log}" "${offset}" >"${dir}/prism.log"
  if node_check log "${dir}/prism.log" 2 "${version}" >"${dir}/log-check" 2>&1; then
    fail "the Prism log check passed on rejected requests:"
    indent "${dir}/log-check"
  else
    echo "  ok   the Prism log check fails on them ($(grep -c '^  FAIL [^0-9]' "${dir}/log-check") findings)"
  fi

  # PINECONE_ADDITIONAL_HEADERS reaches Prism: an unknown example fails the
  # run, with Prism's complaint about it in the error output.
  run_waiter "${dir}/bad-example" "${version}" "${backup_id}" "example=no-such-example"
  code="$(cat "${dir}/bad-example/exit_code")"
  if [[ "${code}" != 0 ]] && node_check output error "${dir}/bad-example/output" | grep -q no-such-example; then
    echo "  ok   Prefer: example=no-such-example makes the waiter fail (exit ${code}, Prism's error)"
  else
    fail "Prefer: example=no-such-example did not reach Prism (exit ${code}); stderr:"
    indent "${dir}/bad-example/stderr"
  fi

  # The output comparison notices a wrong field.
  sed 's/"status": "Ready"/"status": "Initializing"/' "${dir}/../example.json" >"${dir}/tampered.json"
  if cmp -s "${dir}/../example.json" "${dir}/tampered.json"; then
    fail "could not tamper with the example (no \"status\": \"Ready\")"
  elif node_check outputs "${dir}/tampered.json" "${dir}/../waiter/output" "${dir}/../waiter/stdout" \
    >"${dir}/outputs-check" 2>&1; then
    fail "the output comparison passed against a tampered example"
  else
    echo "  ok   the output comparison fails against a tampered example ($(grep -c '^  FAIL [^0-9]' "${dir}/outputs-check") findings)"
  fi
}

# ---- per spec -------------------------------------------------------------------

run_spec() {
  local spec_file="$1" name dir info version backup_id example_name version_header cases line status error_example before
  name="${spec_file%.oas.yaml}"
  dir="${WORK}/${name}"
  before="${failures}"
  rm -rf "${dir}" && mkdir -p "${dir}"
  step "${name}"

  info="$(node_check spec "${SPEC_DIR}/${spec_file}" "${dir}")"
  read -r version backup_id example_name version_header <<<"${info}"
  local default_note=""
  [[ "${version}" != "${DEFAULT_VERSION}" ]] || default_note=" (the binary's default: run without --api-version)"
  echo "API version ${version}${default_note}, backup ${backup_id}, example '${example_name}'"
  echo "X-Pinecone-API-Version header: ${version_header} by the spec"
  start_prism "${SPEC_DIR}/${spec_file}" "${dir}/prism-full.log"
  echo "prism listening on 127.0.0.1:${port} (pid ${prism_pid})"

  echo "waiter against the spec:"
  check_waiter "${dir}/waiter" "${dir}/prism-full.log" "${version}" "${backup_id}" "${example_name}"
  cases="$(node_check error-cases "${dir}")"
  while read -r line; do
    [[ -n "${line}" ]] || continue
    read -r status error_example <<<"${line}"
    echo "waiter against the spec's HTTP ${status} example '${error_example}':"
    check_error_example "${dir}/http-${status}-${error_example}" "${dir}/prism-full.log" \
      "${version}" "${backup_id}" "${status}" "${error_example}" </dev/null
  done <<<"${cases}"
  echo "negative checks:"
  check_negative "${dir}/negative" "${dir}/prism-full.log" "${version}" "${backup_id}" "${version_header}"
  stop_prism

  if ((failures == before)); then summary+=("pass  ${name}"); else summary+=("FAIL  ${name}"); fi
}

main() {
  local start="${SECONDS}" spec_file line
  require_tools
  step "tools"
  install_tools
  step "binary"
  build_binary
  for spec_file in "${SPECS[@]}"; do
    run_spec "${spec_file}"
  done

  step "contract summary ($((SECONDS - start)) s, details in ${WORK})"
  for line in "${summary[@]}"; do echo "${line}"; done
  if ((failures)); then
    echo "${failures} failure(s)"
    exit 1
  fi
  echo "the waiter keeps the contract of every spec"
}

main "$@"
