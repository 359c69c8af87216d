#!/usr/bin/env bash
# Contract stage: serves Pinecone's own specs with Prism, runs the release
# binary against them, and checks that every request it sends passes
# Prism's validation and that the spec's example responses parse and end as
# the README says.
#
# Backups, against each control-plane spec (db_control_*): path, headers,
# the create's JSON body and the list's query validated; the outputs equal
# the spec's example backup; the list example and every error example of
# describe, create and list parse and end as the README says.
#
# Restores, against each version that has a data-plane spec too (db_data_*):
# create-index (POST /backups/{backup_id}/create-index with its JSON body),
# describe_restore_job, describe_index and list_restore_jobs validated by a
# control-plane Prism, describe_index_stats by a second Prism serving the
# data-plane spec. The binary reaches the control plane through a small
# forwarder (check.cjs forward) that passes every request on untouched and
# does two things Prism cannot: it picks the example of one route (Prefer,
# which the binary would otherwise send to every route), and it makes the
# examples describe what the run asked for: Prism's examples carry
# unrelated ids and names (the job a create answers is not the job the
# job example describes), and describe_index's examples name a real index
# host on pinecone.io that is never ready. For the run that must reach the
# data check, the forwarder points the index's `host` at the data-plane
# Prism and marks it ready; every other field is the example as served.
#
# A negative part proves that validation is really on (headers, bodies,
# query) and that the checks can fail. Whole flows (create, then wait;
# restore, then index, then data) are tested against the stateful fake in
# tests/it. Each spec's backups, and each version's restores, run in
# parallel, each against Prism instances of their own.
#
# Environment:
#   PINECONE_OPENAPI_DIR  the spec copies (default ../shared/pinecone-openapi)
#   CONTRACT_BINARY       a binary to test instead of building target/release
#   CONTRACT_VERBOSE=1    print every check, not only failures and tallies
#   CONTRACT_UNITS        run only these units (space-separated names, as
#                         the summary lists them), e.g. restore_2026-04
#
# Tools are installed into target/contract (ignored) from
# tests/contract/package.json and its lockfile; scratch files and Prism
# logs are kept in target/contract/work for inspection.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly SPECS=(db_control_2025-04.oas.yaml db_control_2025-10.oas.yaml db_control_2026-04.oas.yaml)
# Versions whose restores are checked: those with a data-plane spec, which
# the data check needs (db_data_VERSION.oas.yaml beside db_control_VERSION).
readonly RESTORE_VERSIONS=(2025-10 2026-04)
# The binary's default --api-version (README, "Flags"). Its spec is run
# without the flag; if the default changes, that run sends another version
# and the header check fails until this line and SPECS follow.
readonly DEFAULT_VERSION=2025-04
# An index name for the create and list paths (the specs give none).
readonly INDEX=my-index
readonly SPEC_DIR="${PINECONE_OPENAPI_DIR:-../shared/pinecone-openapi}"
readonly PREFIX=target/contract
readonly WORK="${PREFIX}/work"
readonly PRISM="${PREFIX}/node_modules/.bin/prism"
readonly CHECK=tests/contract/check.cjs
readonly API_KEY=contract-test-key

bin="${CONTRACT_BINARY:-target/release/pinecone-backup-wait}"
# Per unit (each runs in a subshell of its own): the servers it started,
# the port of the Prism started last, and the forwarder's port (the
# binary is sent there when it is set, else to that Prism).
server_pids=()
port=""
api_port=""
failures=0

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
# listen. Sets port, adds its pid to server_pids. Retries when the port was
# taken meanwhile.
start_prism() {
  local spec="$1" log="$2" try deadline pid
  for try in 1 2 3; do
    port="$(free_port)"
    # debug: Prism logs each request's headers, for the version check.
    FORCE_COLOR=0 "${PRISM}" mock --errors --verboseLevel debug --host 127.0.0.1 --port "${port}" "${spec}" >"${log}" 2>&1 &
    pid=$!
    deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)); do
      if grep -q "Prism is listening on http://127.0.0.1:${port}" "${log}"; then
        server_pids+=("${pid}")
        return 0
      fi
      kill -0 "${pid}" 2>/dev/null || break
      sleep 0.2
    done
    stop_server "${pid}"
    echo "prism did not start (try ${try}); its log:"
    indent "${log}"
  done
  die "could not start prism for ${spec}"
}

# Starts the forwarder (check.cjs forward) in front of the Prism on port
# UPSTREAM; routes as RULES (a JSON file, read at every request) says. Sets
# api_port.
start_forwarder() {
  local upstream="$1" rules="$2" log="$3" port_file="$3.port" pid
  rm -f "${port_file}"
  node_check forward "${upstream}" "${port_file}" "${rules}" "${log}" 2>"${log}.stderr" &
  pid=$!
  server_pids+=("${pid}")
  for _ in {1..100}; do
    [[ -s "${port_file}" ]] && break
    kill -0 "${pid}" 2>/dev/null || break
    sleep 0.1
  done
  [[ -s "${port_file}" ]] || { cat "${log}.stderr"; die "the forwarder did not start"; }
  api_port="$(cat "${port_file}")"
}

stop_server() {
  local pid="$1"
  kill "${pid}" 2>/dev/null || true
  for _ in {1..20}; do
    kill -0 "${pid}" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "${pid}" 2>/dev/null || true
  wait "${pid}" 2>/dev/null || true
}

stop_servers() {
  local pid
  for pid in ${server_pids[@]+"${server_pids[@]}"}; do stop_server "${pid}"; done
  server_pids=()
}

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

# settle LOG...: waits until the logs have been quiet together for 0.5 s.
settle() {
  local size=-1 now
  for _ in {1..20}; do
    now="$(cat "$@" | wc -c)"
    [[ "${now}" == "${size}" ]] && break
    size="${now}"
    sleep 0.5
  done
}

# ---- the binary ---------------------------------------------------------------

# run_waiter DIR VERSION PREFER SELECTION_FLAGS... : runs the binary with a
# fresh GITHUB_OUTPUT and --json, leaving DIR/{output,stdout,stderr,exit_code}.
# VERSION is passed as --api-version unless it is the binary's default, so
# the default is proved too.
# An empty PREFER sends no Prefer header (the forwarder picks examples).
run_waiter() {
  local dir="$1" version="$2" prefer="$3" code=0 version_flag=() headers="{}"
  shift 3
  [[ "${version}" == "${DEFAULT_VERSION}" ]] || version_flag=(--api-version "${version}")
  [[ -z "${prefer}" ]] || headers="{\"Prefer\": \"${prefer}\"}"
  mkdir -p "${dir}"
  : >"${dir}/output"
  echo "${version}" >"${dir}/version"
  env -u GITHUB_ACTIONS -u GITHUB_STEP_SUMMARY -u PINECONE_BACKUP_ID -u PINECONE_CONTROLLER_HOST \
    -u PINECONE_API_VERSION -u HTTPS_PROXY -u https_proxy -u ALL_PROXY -u all_proxy \
    -u NO_PROXY -u no_proxy -u CI -u TF_BUILD \
    PINECONE_API_KEY="${API_KEY}" \
    PINECONE_ADDITIONAL_HEADERS="${headers}" \
    GITHUB_OUTPUT="${dir}/output" \
    timeout 60 "${bin}" --api-host "http://127.0.0.1:${api_port:-${port}}" \
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
  run_waiter "${dir}" "${version}" "code=200, example=${example_name}" --backup-id "${backup_id}"
  log_since "${log}" "${offset}" >"${dir}/prism.log"
  code="$(cat "${dir}/exit_code")"
  if [[ "${code}" == 0 ]]; then
    echo "  ok   exit code 0"
  else
    fail "exit code ${code} (want 0); stderr:"
    indent "${dir}/stderr"
  fi
  node_check outputs "${dir}/../example.json" "${dir}/output" "${dir}/stdout" || fail "outputs differ from the example"
  check_prism_log "${dir}"
}

# The binary against one of the spec's error examples of OP (describe,
# create or list; Prefer picks it); retryable statuses get a 3 s deadline.
check_error_example() {
  local dir="$1" log="$2" version="$3" op="$4" status="$5" example_name="$6" offset
  shift 6
  offset="$(wc -c <"${log}")"
  run_waiter "${dir}" "${version}" "code=${status}, example=${example_name}" "$@" \
    --timeout 3s --initial-interval 200ms --max-interval 500ms
  log_since "${log}" "${offset}" >"${dir}/prism.log"
  node_check failure "${dir}/.." "${op}" "${status}" "${example_name}" "${dir}" \
    || { fail "HTTP ${status} (${example_name}) of ${op} handled wrongly; stderr:"; indent "${dir}/stderr"; }
  check_prism_log "${dir}"
}

# The create against Prism's 201 (made from the schema's examples): the
# POST and its body pass validation, with and without a description.
check_create() {
  local dir="$1" log="$2" version="$3" offset
  shift 3
  offset="$(wc -c <"${log}")"
  run_waiter "${dir}" "${version}" "code=201" --create-from-index "${INDEX}" "$@"
  log_since "${log}" "${offset}" >"${dir}/prism.log"
  node_check created "${dir}" || { fail "the create was handled wrongly; stderr:"; indent "${dir}/stderr"; }
  check_prism_log "${dir}"
}

# The latest of an index against the list example, served for every page:
# both list requests (limit, then paginationToken) pass validation.
check_latest() {
  local dir="$1" log="$2" version="$3" offset
  offset="$(wc -c <"${log}")"
  run_waiter "${dir}" "${version}" "code=200" --latest-of-index "${INDEX}"
  log_since "${log}" "${offset}" >"${dir}/prism.log"
  node_check latest "${dir}/.." "${dir}" || { fail "the listing was handled wrongly; stderr:"; indent "${dir}/stderr"; }
  check_prism_log "${dir}"
}

# Every request the run made reached Prism, passed its validation and sent
# the run's X-Pinecone-API-Version.
check_prism_log() {
  local dir="$1"
  node_check log "${dir}/prism.log" "$(node_check output attempts "${dir}/output")" "$(cat "${dir}/version")" \
    || { fail "Prism's validation; its log:"; indent "${dir}/prism.log"; }
}

# expect_rejected WHAT STATUS PATTERN CURL_ARGS...: Prism must answer STATUS
# (or any of STATUS|STATUS...) and report PATTERN (in sl-violations or the
# problem body).
expect_rejected() {
  local what="$1" want="$2" pattern="$3" response status_line ok=no status
  shift 3
  response="$(curl -sS -i --noproxy '*' --max-time 10 "$@")" || { fail "${what}: curl failed"; return; }
  status_line="$(head -n1 <<<"${response}")"
  for status in ${want//|/ }; do
    [[ "${status_line}" == *" ${status} "* ]] && ok=yes
  done
  if [[ "${ok}" == yes ]] && grep -qi -- "${pattern}" <<<"${response}"; then
    echo "  ok   ${what}: HTTP ${want}, reports '${pattern}'"
  else
    fail "${what}: want HTTP ${want} reporting '${pattern}', got:"
    indent <<<"${response}"
  fi
}

# Validation is on and every check can fail.
check_negative() {
  local dir="$1" log="$2" version="$3" backup_id="$4" version_header="$5" offset url list code rejected=0
  mkdir -p "${dir}"
  url="http://127.0.0.1:${port}/backups/${backup_id}"
  list="http://127.0.0.1:${port}/indexes/${INDEX}/backups"
  local headers=(-H "Api-Key: ${API_KEY}" -H "X-Pinecone-API-Version: ${version}" -H "Accept: application/json")
  offset="$(wc -c <"${log}")"
  expect_rejected "no Api-Key" 401 "sl-violations: .*security" \
    "${url}" -H "X-Pinecone-API-Version: ${version}" -H "Accept: application/json"
  rejected=$((rejected + 1))
  if [[ "${version_header}" == yes ]]; then
    expect_rejected "no X-Pinecone-API-Version" 422 "x-pinecone-api-version" \
      "${url}" -H "Api-Key: ${API_KEY}" -H "Accept: application/json"
    rejected=$((rejected + 1))
  else
    echo "  --   no X-Pinecone-API-Version: this spec does not declare the header"
  fi
  expect_rejected "a create body whose name is not a string" 422 '"location":\["request","body","name"\]' \
    "${list}" "${headers[@]}" -H "Content-Type: application/json" -X POST --data '{"name": 5}'
  expect_rejected "a list with limit 0" 422 '"location":\["query","limit"\]' "${list}?limit=0" "${headers[@]}"
  expect_rejected "a list with limit 101" 422 '"location":\["query","limit"\]' "${list}?limit=101" "${headers[@]}"
  rejected=$((rejected + 3))
  log_since "${log}" "${offset}" >"${dir}/prism.log"
  if node_check log "${dir}/prism.log" "${rejected}" "${version}" >"${dir}/log-check" 2>&1; then
    fail "the Prism log check passed on rejected requests:"
    indent "${dir}/log-check"
  else
    echo "  ok   the Prism log check fails on them ($(grep -c '^  FAIL [^0-9]' "${dir}/log-check") findings)"
  fi

  # PINECONE_ADDITIONAL_HEADERS reaches Prism: an unknown example fails the
  # run, with Prism's complaint about it in the error output.
  run_waiter "${dir}/bad-example" "${version}" "example=no-such-example" --backup-id "${backup_id}"
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

# ---- restores ---------------------------------------------------------------------

# Set by restore_unit.
control_log=""
data_log=""
forwarder_log=""
rules=""

# check_restore ID DIR VERSION RULES WAITER_ARGS...: one run of the binary
# through the forwarder with RULES (JSON), then `check.cjs restore ID` on
# it and on the Prism logs of the run.
check_restore() {
  local id="$1" dir="$2" version="$3" control_offset data_offset forwarder_offset
  printf '%s\n' "$4" >"${rules}"
  shift 4
  control_offset="$(wc -c <"${control_log}")"
  data_offset="$(wc -c <"${data_log}")"
  forwarder_offset="$(wc -c <"${forwarder_log}")"
  run_waiter "${dir}" "${version}" "" "$@" </dev/null
  settle "${control_log}" "${data_log}" "${forwarder_log}"
  tail -c "+$((control_offset + 1))" "${control_log}" >"${dir}/prism.log"
  tail -c "+$((data_offset + 1))" "${data_log}" >"${dir}/data.log"
  tail -c "+$((forwarder_offset + 1))" "${forwarder_log}" >"${dir}/forwarder.log"
  node_check restore "${id}" "${dir}/.." "${dir}" \
    || { fail "${id}: the run was handled wrongly; stderr:"; indent "${dir}/stderr"; }
  node_check log "${dir}/prism.log" "$(node_check output attempts "${dir}/output")" "${version}" "${dir}/data.log" \
    || { fail "${id}: Prism's validation; its logs:"; indent "${dir}/prism.log" "${dir}/data.log"; }
}

# Every restore case of check.cjs (restoreCases), in turn.
restore_runs() {
  local dir="$1" version="$2" data="$3" fields
  printf '"127.0.0.1:%s"\n' "${data}" >"${dir}/data-host.json"
  while IFS=$'\t' read -r -a fields; do
    echo "${fields[1]}:"
    check_restore "${fields[0]}" "${dir}/${fields[0]//:/-}" "${version}" "${fields[2]}" "${fields[@]:3}"
  done < <(node_check restore-cases "${dir}" "127.0.0.1:${data}")
}

# Validation is on for the restore's requests, and the log check fails.
check_restore_negative() {
  local dir="$1" version="$2" backup_id="$3" job_id="$4" control="$5" data="$6" offset rejected=0
  mkdir -p "${dir}"
  local headers=(-H "Api-Key: ${API_KEY}" -H "X-Pinecone-API-Version: ${version}" -H "Accept: application/json")
  local json=(-H "Content-Type: application/json" -X POST)
  local create="http://127.0.0.1:${control}/backups/${backup_id}/create-index"
  local stats="http://127.0.0.1:${data}/describe_index_stats"
  local long_name
  long_name="$(printf 'a%.0s' {1..46})"
  offset="$(wc -c <"${control_log}")"
  expect_rejected "a create-index body whose name is not a string" 422 '"location":\["request","body","name"\]' \
    "${create}" "${headers[@]}" "${json[@]}" --data '{"name": 5}'
  expect_rejected "a create-index body whose name has 46 characters" 422 '"location":\["request","body","name"\]' \
    "${create}" "${headers[@]}" "${json[@]}" --data "{\"name\": \"${long_name}\"}"
  expect_rejected "a create-index body whose tag is not a string" 422 '"location":\["request","body","tags","purpose"\]' \
    "${create}" "${headers[@]}" "${json[@]}" --data '{"name": "x", "tags": {"purpose": 1}}'
  expect_rejected "a create-index without a body" 422 'body parameter is required' \
    "${create}" "${headers[@]}" "${json[@]}"
  expect_rejected "a restore job described without Api-Key" 401 "sl-violations: .*security" \
    "http://127.0.0.1:${control}/restore-jobs/${job_id}" -H "X-Pinecone-API-Version: ${version}" -H "Accept: application/json"
  expect_rejected "an index described without X-Pinecone-API-Version" 422 "x-pinecone-api-version" \
    "http://127.0.0.1:${control}/indexes/${INDEX}" -H "Api-Key: ${API_KEY}" -H "Accept: application/json"
  rejected=$((rejected + 6))
  settle "${control_log}"
  tail -c "+$((offset + 1))" "${control_log}" >"${dir}/prism.log"
  offset="$(wc -c <"${data_log}")"
  # Prism answers a request violation of the data plane with 422 made from
  # rpcStatus, whose made-up `details` fail its own response check (500).
  expect_rejected "describe_index_stats without a body" "422|500" 'body parameter is required' \
    "${stats}" "${headers[@]}" "${json[@]}"
  expect_rejected "describe_index_stats whose filter is not an object" "422|500" '"location":\["request","body","filter"\]' \
    "${stats}" "${headers[@]}" "${json[@]}" --data '{"filter": 5}'
  expect_rejected "describe_index_stats without Api-Key" "401|500" "sl-violations: .*Invalid security scheme" \
    "${stats}" -H "X-Pinecone-API-Version: ${version}" -H "Accept: application/json" "${json[@]}" --data '{}'
  rejected=$((rejected + 3))
  settle "${data_log}"
  tail -c "+$((offset + 1))" "${data_log}" >"${dir}/data.log"
  if node_check log "${dir}/prism.log" "${rejected}" "${version}" "${dir}/data.log" >"${dir}/log-check" 2>&1; then
    fail "the Prism log check passed on rejected requests:"
    indent "${dir}/log-check"
  else
    echo "  ok   the Prism log check fails on them ($(grep -c '^  FAIL [^0-9]' "${dir}/log-check") findings)"
  fi

  # The restore checks notice stats that differ from the example's.
  mkdir -p "${dir}/tampered"
  sed 's/"totalVectorCount": \([0-9]\)/"totalVectorCount": 9\1/' "${dir}/../restore-spec.json" >"${dir}/tampered/restore-spec.json"
  cp "${dir}/../data-host.json" "${dir}/tampered/"
  if cmp -s "${dir}/../restore-spec.json" "${dir}/tampered/restore-spec.json"; then
    fail "could not tamper with the stats example (no \"totalVectorCount\")"
  elif node_check restore created "${dir}/tampered" "${dir}/../created" >"${dir}/restore-check" 2>&1; then
    fail "the restore check passed against tampered stats"
  else
    echo "  ok   the restore check fails against tampered stats ($(grep -c '^  FAIL [^0-9]' "${dir}/restore-check") findings)"
  fi
}

# Restores against the control-plane and data-plane specs of one version.
restore_unit() {
  local version="$1" dir info backup_id job_id control data
  dir="${WORK}/restore-${version}"
  mkdir -p "${dir}"
  step "${version}: restores (db_control_${version} and db_data_${version})"
  info="$(node_check restore-spec "${SPEC_DIR}/db_control_${version}.oas.yaml" \
    "${SPEC_DIR}/db_data_${version}.oas.yaml" "${dir}")"
  read -r version backup_id job_id <<<"${info}"
  echo "API version ${version}, backup ${backup_id}, restore job ${job_id}"
  control_log="${dir}/prism-control.log"
  data_log="${dir}/prism-data.log"
  forwarder_log="${dir}/forwarder.log"
  rules="${dir}/rules.json"
  : >"${forwarder_log}"
  start_prism "${SPEC_DIR}/db_control_${version}.oas.yaml" "${control_log}"
  control="${port}"
  start_prism "${SPEC_DIR}/db_data_${version}.oas.yaml" "${data_log}"
  data="${port}"
  start_forwarder "${control}" "${rules}" "${forwarder_log}"
  echo "prism: control plane on 127.0.0.1:${control}, data plane on 127.0.0.1:${data}; forwarder on 127.0.0.1:${api_port}"

  restore_runs "${dir}" "${version}" "${data}"

  echo "negative checks:"
  check_restore_negative "${dir}/negative" "${version}" "${backup_id}" "${job_id}" "${control}" "${data}"
}

# ---- units -----------------------------------------------------------------------

# Backups against one control-plane spec.
backup_unit() {
  local spec_file="$1" name dir info version backup_id example_name version_header cases line status error_example op
  name="${spec_file%.oas.yaml}"
  dir="${WORK}/${name}"
  mkdir -p "${dir}"
  step "${name}: backups"

  info="$(node_check spec "${SPEC_DIR}/${spec_file}" "${dir}")"
  read -r version backup_id example_name version_header <<<"${info}"
  echo "API version ${version}, backup ${backup_id}, example '${example_name}'"
  start_prism "${SPEC_DIR}/${spec_file}" "${dir}/prism-full.log"
  echo "prism listening on 127.0.0.1:${port}"

  echo "waiter against the spec:"
  check_waiter "${dir}/waiter" "${dir}/prism-full.log" "${version}" "${backup_id}" "${example_name}"
  echo "create against the spec's 201 (POST body with a name):"
  check_create "${dir}/create" "${dir}/prism-full.log" "${version}"
  # A generated name: a name of the user's would first list the index's
  # backups, and the list example never ends (see check_latest).
  echo "create against the spec's 201 (POST body with a name and a description):"
  check_create "${dir}/create-described" "${dir}/prism-full.log" "${version}" \
    --backup-description "Backup of the index"
  echo "latest of an index against the spec's list example:"
  check_latest "${dir}/latest" "${dir}/prism-full.log" "${version}"
  for op in describe create list; do
    local selection=(--backup-id "${backup_id}")
    [[ "${op}" == create ]] && selection=(--create-from-index "${INDEX}")
    [[ "${op}" == list ]] && selection=(--latest-of-index "${INDEX}")
    cases="$(node_check error-cases "${dir}" "${op}")"
    while read -r line; do
      [[ -n "${line}" ]] || continue
      read -r status error_example <<<"${line}"
      echo "${op} against the spec's HTTP ${status} example '${error_example}':"
      check_error_example "${dir}/${op}-http-${status}-${error_example}" "${dir}/prism-full.log" \
        "${version}" "${op}" "${status}" "${error_example}" "${selection[@]}" </dev/null
    done <<<"${cases}"
  done
  echo "negative checks:"
  check_negative "${dir}/negative" "${dir}/prism-full.log" "${version}" "${backup_id}" "${version_header}"
}

# Runs UNIT ARGS... in the background, its output kept in WORK/NAME.out;
# its Prism instances stop with it, however it ends. Sets unit_pid.
start_unit() {
  local name="$1"
  shift
  (
    trap stop_servers EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    started="${SECONDS}"
    "$@"
    echo "(${name}: $((SECONDS - started)) s)"
    ((failures == 0))
  ) >"${WORK}/${name}.out" 2>&1 &
  unit_pid=$!
}

wanted() { [[ -z "${CONTRACT_UNITS:-}" || " ${CONTRACT_UNITS} " == *" $1 "* ]]; }

main() {
  local start="${SECONDS}" spec_file version name i code
  local names=() pids=() summary=() failed_units=0
  require_tools
  for version in "${RESTORE_VERSIONS[@]}"; do
    [[ -f "${SPEC_DIR}/db_data_${version}.oas.yaml" ]] \
      || die "no data-plane spec db_data_${version}.oas.yaml in ${SPEC_DIR} (the restores' data check needs it)"
  done
  step "tools"
  install_tools
  step "binary"
  build_binary
  rm -rf "${WORK}" && mkdir -p "${WORK}"

  trap 'kill ${pids[@]+"${pids[@]}"} 2>/dev/null; wait; exit 130' INT
  trap 'kill ${pids[@]+"${pids[@]}"} 2>/dev/null; wait; exit 143' TERM
  for spec_file in "${SPECS[@]}"; do
    name="${spec_file%.oas.yaml}"
    wanted "${name}" || continue
    start_unit "${name}" backup_unit "${spec_file}"
    names+=("${name}") pids+=("${unit_pid}")
  done
  for version in "${RESTORE_VERSIONS[@]}"; do
    name="restore_${version}"
    wanted "${name}" || continue
    start_unit "${name}" restore_unit "${version}"
    names+=("${name}") pids+=("${unit_pid}")
  done
  step "${#pids[@]} units running in parallel: ${names[*]}"

  for i in "${!pids[@]}"; do
    code=0
    wait "${pids[i]}" || code=$?
    cat "${WORK}/${names[i]}.out"
    if ((code == 0)); then summary+=("pass  ${names[i]}"); else summary+=("FAIL  ${names[i]}"); failed_units=$((failed_units + 1)); fi
  done

  step "contract summary ($((SECONDS - start)) s, details in ${WORK})"
  for line in "${summary[@]}"; do echo "${line}"; done
  if ((failed_units)); then
    echo "${failed_units} unit(s) failed"
    exit 1
  fi
  echo "the waiter keeps the contract of every spec"
}

main "$@"
