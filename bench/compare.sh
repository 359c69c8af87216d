#!/usr/bin/env bash
# Side-by-side benchmark (issue 5): pinecone-backup-wait against what a user
# would write instead (a script on the official Python SDK, `curl | jq`, a
# fixed 10 s loop, gcloud's waiter schedule), on one local fake control
# plane. Writes docs/benchmarks.md; its last line says which budgets are met.
#
# On a fresh Debian or Ubuntu machine with Rust installed through rustup:
#
#   sudo apt-get install -y hyperfine curl jq python3-venv musl-tools time
#   rustup target add x86_64-unknown-linux-musl
#   bench/compare.sh            # about 5 minutes once built; the 5 h wait takes 3
#   bench/compare.sh --quick    # about 1 minute; no 5 h wait, fewer rounds;
#                               # writes target/bench/benchmarks.md instead
#
# The Python SDK (version pinned in bench/requirements.txt) is installed into
# target/bench-venv, beside a bare venv for comparing sizes; everything else
# it writes is under target/bench. Run it on a quiet machine: the load
# average before and after goes into the report.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bail() { printf 'compare.sh: error: %s\n' "$*" >&2; exit 1; }
info() { printf '==> %s\n' "$*" >&2; }

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
  printf 'options: --quick  --output FILE  --rounds N (one-shot rounds)\n'
}

mode=full
output=""
rounds=""
while (($# > 0)); do
  case "$1" in
    --quick) mode=quick ;;
    --output) output="${2:?--output needs a file}"; shift ;;
    --rounds) rounds="${2:?--rounds needs a number}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) bail "unknown option '$1' (expected --quick, --output FILE, --rounds N or --help)" ;;
  esac
  shift
done

if [[ "${mode}" == full ]]; then
  output="${output:-docs/benchmarks.md}"
  rounds="${rounds:-40}"
  waits="0.6,6,36,180"
  hyperfine_runs=30
  invocation="bench/compare.sh"
else
  output="${output:-target/bench/benchmarks.md}"
  rounds="${rounds:-12}"
  waits="0.6,6,36"
  hyperfine_runs=10
  invocation="bench/compare.sh --quick"
fi
case "${rounds}" in
  '' | *[!0-9]* | 0) bail "--rounds takes a positive number, got '${rounds}'" ;;
esac

# ---------------------------------------------------------------- tools
for tool in cargo curl jq hyperfine python3 du; do
  type -P "${tool}" >/dev/null || bail "${tool} not found; see the top of ${BASH_SOURCE[0]} for what to install"
done
[[ -x /usr/bin/time ]] || bail "/usr/bin/time not found (apt-get install time)"
type -P musl-gcc >/dev/null || bail "musl-gcc not found (apt-get install musl-tools)"
if type -P rustup >/dev/null && ! rustup target list --installed | grep -qx x86_64-unknown-linux-musl; then
  bail "the musl target is missing (rustup target add x86_64-unknown-linux-musl)"
fi
python3 -c 'import venv, ensurepip' 2>/dev/null || bail "python3 cannot make venvs (apt-get install python3-venv)"

out=target/bench
mkdir -p "${out}"
rm -f -- "${out}"/*.json
rm -rf -- "${out}/logs"

# --------------------------------------------------------------- builds
info "building: release (host), release (x86_64 musl, static), fake control plane"
cargo build --quiet --release --locked
cargo build --quiet --release --locked --target x86_64-unknown-linux-musl
cargo build --quiet --release --locked -p testkit --bin fake-control-plane
ours=target/x86_64-unknown-linux-musl/release/pinecone-backup-wait
ours_host=target/release/pinecone-backup-wait
fake=target/release/fake-control-plane

# ---------------------------------------------------------------- venvs
venv=target/bench-venv
bare_venv=target/bench-venv-bare
[[ -x "${bare_venv}/bin/python" ]] || python3 -m venv "${bare_venv}"
if [[ ! -x "${venv}/bin/python" ]]; then
  info "installing the pinecone SDK into ${venv}"
  python3 -m venv "${venv}"
fi
"${venv}/bin/pip" install --quiet --disable-pip-version-check -r bench/requirements.txt

# Everything that follows is measured: say how busy the machine is.
python3 bench/measure.py machine --out "${out}/machine.json"
info "load average: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"

# ----------------------------------------------------- shared fake server
fake_pid=""
cleanup() {
  if [[ -n "${fake_pid}" ]]; then
    kill "${fake_pid}" 2>/dev/null || true
    wait "${fake_pid}" 2>/dev/null || true
  fi
}
trap cleanup EXIT
rm -f -- "${out}/port"
"${fake}" --port-file "${out}/port" >"${out}/fake.url" &
fake_pid=$!
for _ in $(seq 100); do
  [[ -s "${out}/port" ]] && break
  sleep 0.05
done
[[ -s "${out}/port" ]] || bail "the fake control plane did not start"
url="http://127.0.0.1:$(cat -- "${out}/port")"
info "fake control plane at ${url}, every backup Ready"

# ------------------------------------------------------------- one-shot
info "one-shot: ${rounds} interleaved rounds of 4 contenders, each timed and then run under /usr/bin/time"
python3 bench/measure.py oneshot --out "${out}/oneshot.json" --url "${url}" --rounds "${rounds}" \
  --ours "${ours}" --ours-host "${ours_host}" --sdk-python "${venv}/bin/python" --sdk-script bench/sdk_describe.py

info "one-shot cross-check with hyperfine (${hyperfine_runs} runs each, one command after the other)"
# --shell=none: no shell start-up to subtract, which hyperfine cannot do
# precisely for commands this short; the pipeline gets its own `sh -c`.
env -i PATH="${PATH}" HOME="${HOME}" PINECONE_API_KEY=bench-key \
  hyperfine --shell=none --style basic --warmup 3 --runs "${hyperfine_runs}" --export-json "${out}/hyperfine.json" \
  -n ours "${ours} --backup-id b1 --api-host ${url}" \
  -n sdk "${venv}/bin/python bench/sdk_describe.py ${url} b1" \
  -n curl_jq "sh -c 'curl -fsS -H \"Api-Key: bench-key\" -H \"X-Pinecone-API-Version: 2025-04\" ${url}/backups/b1 | jq -r .status'" \
  >"${out}/hyperfine.txt" 2>&1 || bail "hyperfine failed; see ${out}/hyperfine.txt"
cleanup
fake_pid=""

# -------------------------------------------------------------- waiting
info "waiting, time / 100: Ready after ${waits} s (one fake per wait, all contenders at once)"
python3 bench/measure.py waiting --out "${out}/waiting.json" --fake "${fake}" --ours "${ours}" \
  --loop-script bench/fixed_loop.sh --gcloud-script bench/gcloud_wait.py \
  --waits "${waits}" --seeds 1,2,3,4,5 --gcloud-seeds 1,2,3 --logs "${out}/logs"

python3 bench/measure.py machine --out "${out}/machine-after.json"

# ------------------------------------------------------------ footprint
python3 bench/measure.py footprint --out "${out}/footprint.json" --ours "${ours}" --ours-host "${ours_host}" \
  --venv "${venv}" --bare-venv "${bare_venv}"

# --------------------------------------------------------------- report
info "writing ${output}"
python3 bench/report.py --dir "${out}" --out "${output}" --mode "${mode}" --invocation "${invocation}"
