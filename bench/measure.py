"""Measurements for bench/compare.sh. Standard library only; Linux only.

    measure.py oneshot   --out FILE --url URL --ours BIN --ours-host BIN
                         --sdk-python PY --sdk-script FILE [--rounds N] [--warmup N]
    measure.py waiting   --out FILE --fake BIN --ours BIN --loop-script FILE
                         --gcloud-script FILE --waits 0.6,6,36,180 --seeds 1,2,3
                         [--gcloud-seeds 1,2,3] [--logs DIR]
    measure.py footprint --out FILE --ours BIN --ours-host BIN --venv DIR --bare-venv DIR
    measure.py machine   --out FILE

Wall time is measured here, from just before the first process of a
contender is started to just after its last one is reaped, with
`time.perf_counter_ns`. Peak RSS comes from `/usr/bin/time -f %M`, in a
separate run right after the timed one (so the wrapper's fork costs no wall
time); for `curl | jq` it is the sum of the two processes, which run at the
same time. `ru_maxrss` cannot be read from here directly: Linux carries the
forking parent's peak across `exec`, so every child of this Python process
would report at least Python's own ~14 MiB, whereas `time` is a ~1 MiB
process (its floor, below all contenders). Every contender runs with the same
minimal environment (no proxy variables, no GITHUB_*), and every answer is
checked to be Ready before it counts: a contender that fails fast would
otherwise look fast.
"""

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

API_KEY = "bench-key"  # the fake control plane accepts any key
BACKUP_ID = "b1"


def fail(message: str) -> "None":
    print(f"measure.py: {message}", file=sys.stderr)
    sys.exit(1)


def base_env() -> dict:
    """The same small environment for every contender."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/"),
        "LANG": "C.UTF-8",
        "PINECONE_API_KEY": API_KEY,
    }


def reap(proc: subprocess.Popen) -> None:
    """Waits for `proc` without polling, so the end time is exact."""
    _, status, _ = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)


TIME = "/usr/bin/time"


def timed(argv: list, rss_file: "str | None") -> list:
    """`argv`, or `argv` under `/usr/bin/time -f %M -o rss_file`."""
    return argv if rss_file is None else [TIME, "-f", "%M", "-o", rss_file, *argv]


def read_rss(path: str) -> int:
    """The KiB `/usr/bin/time -f %M` wrote (its last line)."""
    return int(Path(path).read_text().split()[-1])


# ---------------------------------------------------------------- one-shot


class OneShot:
    """One contender of the one-shot race: how to run it, how to check it."""

    def __init__(self, key, name, display, run):
        self.key = key
        self.name = name
        self.display = display
        self.run = run  # (rss: bool) -> (wall_ns, rss_kib | None, answer_ok, transcript)


def single(argv: list, env: dict, ready) -> "callable":
    """A contender that is one process; `ready(rc, stdout, stderr)` checks it."""

    def run(rss: bool):
        with (
            tempfile.TemporaryDirectory() as tmp,
            tempfile.TemporaryFile() as out,
            tempfile.TemporaryFile() as err,
        ):
            rss_file = f"{tmp}/rss" if rss else None
            started = time.perf_counter_ns()
            proc = subprocess.Popen(
                timed(argv, rss_file), env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
            )
            reap(proc)
            wall = time.perf_counter_ns() - started
            out.seek(0)
            err.seek(0)
            stdout = out.read().decode(errors="replace")
            stderr = err.read().decode(errors="replace")
            peak = read_rss(rss_file) if rss and proc.returncode == 0 else None
        ok = ready(proc.returncode, stdout, stderr)
        return wall, peak, ok, f"exit {proc.returncode}\nstdout: {stdout}\nstderr: {stderr}"

    return run


def pipeline(first: list, second: list, env: dict) -> "callable":
    """`first | second`, as a shell runs it: both started, both reaped."""

    def run(rss: bool):
        with (
            tempfile.TemporaryDirectory() as tmp,
            tempfile.TemporaryFile() as out,
            tempfile.TemporaryFile() as err,
        ):
            files = (f"{tmp}/rss1", f"{tmp}/rss2") if rss else (None, None)
            started = time.perf_counter_ns()
            left = subprocess.Popen(
                timed(first, files[0]), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err
            )
            right = subprocess.Popen(
                timed(second, files[1]), env=env, stdin=left.stdout, stdout=out, stderr=err
            )
            left.stdout.close()
            reap(left)
            reap(right)
            wall = time.perf_counter_ns() - started
            out.seek(0)
            err.seek(0)
            stdout = out.read().decode(errors="replace")
            stderr = err.read().decode(errors="replace")
            ok = left.returncode == 0 and right.returncode == 0 and stdout.strip() == "Ready"
            peak = read_rss(files[0]) + read_rss(files[1]) if rss and ok else None
        transcript = f"exit {left.returncode}|{right.returncode}\nstdout: {stdout}\nstderr: {stderr}"
        return wall, peak, ok, transcript

    return run


def ours_ready(rc: int, stdout: str, stderr: str) -> bool:
    # Exit 0 means ready by contract; the log line shows the status it saw.
    return rc == 0 and "is Ready" in stderr


def oneshot(args) -> None:
    env = base_env()
    url = args.url
    shown = "http://127.0.0.1:PORT"  # in the commands the report prints
    ours_argv = ["--backup-id", BACKUP_ID, "--api-host", url]
    curl = [
        "curl",
        "-fsS",
        "-H",
        f"Api-Key: {API_KEY}",
        "-H",
        "X-Pinecone-API-Version: 2025-04",
        f"{url}/backups/{BACKUP_ID}",
    ]
    jq = ["jq", "-r", ".status"]
    contenders = [
        OneShot(
            "ours",
            "pinecone-backup-wait (static musl)",
            f"PINECONE_API_KEY=... pinecone-backup-wait --backup-id {BACKUP_ID} --api-host {shown}",
            single([args.ours, *ours_argv], env, ours_ready),
        ),
        OneShot(
            "ours_host",
            "pinecone-backup-wait (host glibc build)",
            "the same, built for the host target",
            single([args.ours_host, *ours_argv], env, ours_ready),
        ),
        OneShot(
            "sdk",
            "Python + official `pinecone` SDK",
            f"PINECONE_API_KEY=... target/bench-venv/bin/python bench/sdk_describe.py {shown} {BACKUP_ID}",
            single(
                [args.sdk_python, args.sdk_script, url, BACKUP_ID],
                env,
                lambda rc, out, err: rc == 0 and out.strip() == "Ready",
            ),
        ),
        OneShot(
            "curl_jq",
            "`curl | jq`",
            f'curl -fsS -H "Api-Key: ..." -H "X-Pinecone-API-Version: 2025-04" {shown}/backups/{BACKUP_ID} | jq -r .status',
            pipeline(curl, jq, env),
        ),
    ]
    rng = random.Random(5)
    samples = {c.key: {"wall_ns": [], "rss_kib": []} for c in contenders}
    for round_no in range(args.warmup + args.rounds):
        order = contenders[:]
        rng.shuffle(order)  # alternate, in a fresh order each round
        for contender in order:
            # A timed run, then the same under /usr/bin/time for its peak RSS.
            for rss in (False, True):
                wall, peak, ok, transcript = contender.run(rss)
                if not ok:
                    fail(f"{contender.name} did not get a Ready answer:\n{transcript}")
                if round_no >= args.warmup:
                    if rss:
                        samples[contender.key]["rss_kib"].append(peak)
                    else:
                        samples[contender.key]["wall_ns"].append(wall)
    result = {
        "rounds": args.rounds,
        "warmup": args.warmup,
        "contenders": [
            {
                "key": c.key,
                "name": c.name,
                "command": c.display,
                "wall_ms": [n / 1e6 for n in samples[c.key]["wall_ns"]],
                "rss_kib": samples[c.key]["rss_kib"],
                "median_wall_ms": statistics.median(samples[c.key]["wall_ns"]) / 1e6,
                "max_rss_kib": max(samples[c.key]["rss_kib"]),
            }
            for c in contenders
        ],
    }
    Path(args.out).write_text(json.dumps(result, indent=1))
    for c in result["contenders"]:
        print(
            f"  {c['name']:<42} median {c['median_wall_ms']:8.2f} ms   peak RSS {c['max_rss_kib'] / 1024:6.2f} MiB"
        )


# ----------------------------------------------------------------- waiting


def seconds_of(text: str) -> float:
    """`500ms`, `2s`, `10m`, `1h30m` or bare seconds, as the waiter reads them."""
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        fail(f"cannot read the duration {text!r}")
    return sum(float(n) * units[u] for n, u in parts)


def defaults_of(binary: str) -> dict:
    """The schedule defaults, from `--help`, so the benchmark follows them."""
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True, check=True).stdout
    found = {}
    for flag in ("initial-interval", "max-interval", "multiplier"):
        block = re.search(rf"--{flag} <\w+>(.*?)\[default: ([^\]]+)\]", help_text, re.DOTALL)
        if not block:
            fail(f"no default for --{flag} in {binary} --help")
        found[flag] = block.group(2).strip()
    return {
        "initial_s": seconds_of(found["initial-interval"]),
        "max_s": seconds_of(found["max-interval"]),
        "multiplier": float(found["multiplier"]),
    }


def scaled_flags(defaults: dict, scale: float) -> list:
    """Our default schedule divided by `scale`, as flags."""
    return [
        "--initial-interval",
        f"{defaults['initial_s'] * 1000 / scale:g}ms",
        "--max-interval",
        f"{defaults['max_s'] * 1000 / scale:g}ms",
        "--multiplier",
        f"{defaults['multiplier']:g}",
        # The scaled 8 h 20 min: longer than the longest wait, where the
        # default 30m would be a scaled 18 s.
        "--timeout",
        "5m",
    ]


def waiting_contenders(args, url: str, flags: list) -> list:
    """(contender, seed, argv) for one wait; all run at once against one fake."""
    seeds = [int(s) for s in args.seeds.split(",")]
    gcloud_seeds = [int(s) for s in args.gcloud_seeds.split(",")]
    runs = []
    for seed in seeds:
        argv = [args.ours, "--backup-id", f"ours-{seed}", "--api-host", url, *flags]
        runs.append(("ours", seed, [*argv, "--jitter-seed", str(seed), "--json"]))
    runs.append(("fixed_10s", None, ["bash", args.loop_script, url, "fixed", "0.1"]))
    for seed in gcloud_seeds:
        runs.append(
            (
                "gcloud",
                seed,
                [
                    sys.executable,
                    args.gcloud_script,
                    url,
                    f"gcloud-{seed}",
                    "--scale",
                    "100",
                    "--seed",
                    str(seed),
                ],
            )
        )
    return runs


def run_waiter(contender: str, seed, argv: list, wait: float, ready_at: float, env: dict, logs: Path) -> dict:
    """Runs one waiting contender to its end and says when it noticed Ready."""
    name = f"{wait:g}s-{contender}-{seed if seed is not None else 0}"
    with open(logs / f"{name}.out", "w+b") as out, open(logs / f"{name}.err", "w+b") as err:
        # Our binary runs under /usr/bin/time, for its peak RSS over a long
        # wait; `time` adds well under a millisecond at the end.
        rss_file = str(logs / f"{name}.rss") if contender == "ours" else None
        started = time.monotonic()
        proc = subprocess.Popen(
            timed(argv, rss_file), env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
        watchdog = threading.Timer(wait + 60, proc.kill)
        watchdog.start()
        reap(proc)
        ended = time.monotonic()
        watchdog.cancel()
        out.seek(0)
        stdout = out.read().decode(errors="replace")
    rss = read_rss(rss_file) if rss_file and proc.returncode == 0 else None
    try:
        answer = json.loads(stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        answer = {}
    return {
        "wait_s": wait,
        "contender": contender,
        "seed": seed,
        "exit_code": proc.returncode,
        "attempts": answer.get("attempts"),
        "status": answer.get("status"),
        "started_after_ready_ms": (started - ready_at) * 1000,
        "delay_ms": (ended - ready_at) * 1000,
        "rss_kib": rss,
        "log": name,
    }


def waiting(args) -> None:
    env = base_env()
    logs = Path(args.logs)
    logs.mkdir(parents=True, exist_ok=True)
    defaults = defaults_of(args.ours)
    flags = scaled_flags(defaults, 100)
    results = []
    for wait in [float(w) for w in args.waits.split(",")]:
        fake = subprocess.Popen(
            [args.fake, "--ready-after", f"{round(wait * 1000)}ms"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            # The fake starts its clock when it binds, just before printing its
            # URL, so the Ready moment is within a millisecond after this.
            url = fake.stdout.readline().strip()
            ready_at = time.monotonic() + wait
            if not url.startswith("http://"):
                fail(f"fake control plane did not start: {url!r}")
            runs = waiting_contenders(args, url, flags)
            records = [None] * len(runs)

            def run(index, contender, seed, argv, wait=wait, ready_at=ready_at, records=records):
                records[index] = run_waiter(contender, seed, argv, wait, ready_at, env, logs)

            threads = [threading.Thread(target=run, args=(i, *r)) for i, r in enumerate(runs)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            fake.kill()
            fake.wait()
        for record in records:
            if record["exit_code"] != 0 or record["status"] != "Ready" or record["delay_ms"] < 0:
                fail(f"a waiting contender did not end Ready after the Ready moment: {record}")
            seed = f" seed {record['seed']}" if record["seed"] is not None else ""
            print(
                f"  wait {wait:>5g}s  {record['contender']:<10}{seed:<8} requests {record['attempts']:>5}"
                f"  noticed {record['delay_ms']:7.1f} ms after Ready"
            )
        results.extend(records)
    Path(args.out).write_text(
        json.dumps(
            {"runs": results, "seeds": args.seeds, "defaults": defaults, "ours_flags": flags}, indent=1
        )
    )


# --------------------------------------------------------------- footprint


def is_static(path: str) -> bool:
    """True when the ELF file has no program interpreter (PT_INTERP)."""
    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return False
    order = "little" if data[5] == 1 else "big"
    phoff = int.from_bytes(data[32:40], order)
    phentsize = int.from_bytes(data[54:56], order)
    phnum = int.from_bytes(data[56:58], order)
    types = [
        int.from_bytes(data[phoff + i * phentsize : phoff + i * phentsize + 4], order) for i in range(phnum)
    ]
    return 3 not in types


def du_kib(path: str) -> int:
    """Disk usage in KiB, as `du -sk` reports it (the unit of dpkg's Installed-Size)."""
    return int(
        subprocess.run(["du", "-sk", path], capture_output=True, text=True, check=True).stdout.split()[0]
    )


def dpkg_sizes(packages: list) -> dict:
    """Installed-Size (KiB) of each installed package among `packages`."""
    if not packages or not shutil.which("dpkg-query"):
        return {}
    out = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package}\t${Installed-Size}\t${db:Status-Status}\n", *packages],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    sizes = {}
    for line in out.splitlines():
        name, size, state = (line.split("\t") + ["", ""])[:3]
        if state == "installed" and size.isdigit():
            sizes[name] = int(size)
    return sizes


def dependency_closure(roots: list) -> list:
    """Installed packages that `roots` need, recursively (Depends, Pre-Depends)."""
    if not shutil.which("apt-cache"):
        return roots
    out = subprocess.run(
        [
            "apt-cache",
            "depends",
            "--recurse",
            "--installed",
            "--no-recommends",
            "--no-suggests",
            "--no-conflicts",
            "--no-breaks",
            "--no-replaces",
            "--no-enhances",
            *roots,
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return sorted({line.strip() for line in out.splitlines() if line and not line.startswith((" ", "<"))})


def version_of(argv: list) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return "not found"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0] if text else "unknown"


def footprint(args) -> None:
    # The C runtime that every dynamically linked program on the machine
    # shares, Python included, so it is not charged to curl and jq.
    c_runtime = {"libc6", "libgcc-s1", "gcc-12-base", "gcc-13-base", "gcc-14-base"}
    closure = [p for p in dependency_closure(["curl", "jq"]) if p not in c_runtime]
    pip_list = subprocess.run(
        [
            str(Path(args.venv) / "bin" / "python"),
            "-m",
            "pip",
            "list",
            "--format=json",
            "--disable-pip-version-check",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    packages = json.loads(pip_list.stdout) if pip_list.returncode == 0 else []
    result = {
        "ours_bytes": os.path.getsize(args.ours),
        "ours_static": is_static(args.ours),
        "ours_host_bytes": os.path.getsize(args.ours_host),
        "ours_host_static": is_static(args.ours_host),
        "venv_kib": du_kib(args.venv),
        "bare_venv_kib": du_kib(args.bare_venv),
        "venv_packages": {p["name"]: p["version"] for p in packages},
        "curl_jq_kib": dpkg_sizes(["curl", "jq"]),
        "curl_jq_libs_kib": dpkg_sizes(["curl", "jq", "libcurl4", "libcurl4t64", "libjq1", "libonig5"]),
        "curl_jq_closure_kib": dpkg_sizes(closure),
    }
    Path(args.out).write_text(json.dumps(result, indent=1))


def machine(args) -> None:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    os_name = platform.system()
    release = Path("/etc/os-release")
    if release.exists():
        for line in release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    result = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "os": os_name,
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "rustc": version_of(["rustc", "--version"]),
        "curl": version_of(["curl", "--version"]),
        "jq": version_of(["jq", "--version"]),
        "hyperfine": version_of(["hyperfine", "--version"]),
        "python": version_of([sys.executable, "--version"]),
        "commit": version_of(["git", "describe", "--always", "--dirty", "--abbrev=12"]),
    }
    Path(args.out).write_text(json.dumps(result, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description="measurements for bench/compare.sh")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("oneshot")
    p.add_argument("--out", required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--ours", required=True)
    p.add_argument("--ours-host", required=True)
    p.add_argument("--sdk-python", required=True)
    p.add_argument("--sdk-script", required=True)
    p.add_argument("--rounds", type=int, default=40)
    p.add_argument("--warmup", type=int, default=3)
    p.set_defaults(func=oneshot)

    p = sub.add_parser("waiting")
    p.add_argument("--out", required=True)
    p.add_argument("--fake", required=True)
    p.add_argument("--ours", required=True)
    p.add_argument("--loop-script", required=True)
    p.add_argument("--gcloud-script", required=True)
    p.add_argument("--waits", default="0.6,6,36,180")
    p.add_argument("--seeds", default="1,2,3,4,5")
    p.add_argument("--gcloud-seeds", default="1,2,3")
    p.add_argument("--logs", default="target/bench/logs")
    p.set_defaults(func=waiting)

    p = sub.add_parser("footprint")
    p.add_argument("--out", required=True)
    p.add_argument("--ours", required=True)
    p.add_argument("--ours-host", required=True)
    p.add_argument("--venv", required=True)
    p.add_argument("--bare-venv", required=True)
    p.set_defaults(func=footprint)

    p = sub.add_parser("machine")
    p.add_argument("--out", required=True)
    p.set_defaults(func=machine)

    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
