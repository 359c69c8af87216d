"""Analysis for bench/compare.sh: checks the budgets and writes the markdown.

    report.py --dir target/bench --out docs/benchmarks.md --mode full|quick --invocation "bench/compare.sh"

Reads machine.json, oneshot.json, waiting.json, footprint.json and
hyperfine.json from --dir. Prints one line per budget; the last line is
`budgets: N/M met` with what was missed. Standard library only.

The budgets are issue 5's and are not to be loosened here. Where one is
missed, say by how much and why in the issue, and change the product.
"""

import argparse
import json
import random
import statistics
from pathlib import Path

MIB = 1024 * 1024
SCALE = 100  # every interval and Ready moment is divided by this

FIXED_S = 10.0

# Waits in real seconds and how the documents name them.
WAIT_NAMES = {60: "1 min", 600: "10 min", 3600: "1 h", 18000: "5 h"}


# ------------------------------------------------------- schedule maths


class SplitMix64:
    """The waiter's jitter generator (src/clock.rs), bit for bit."""

    MASK = (1 << 64) - 1

    def __init__(self, seed: int):
        self.state = seed & self.MASK

    def unit(self) -> float:
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        z ^= z >> 31
        return (z >> 11) / float(1 << 53)


class Schedule:
    """A schedule as src/schedule.rs `backoff` draws it (keep the two in
    step): delay n (from 0) is uniform in
    [max(initial, ceiling * floor_fraction), ceiling] with
    ceiling = min(max, initial * multiplier^n). The waiter uses
    `floor_fraction` 0.5, equal jitter; 0 gives the full jitter with a floor
    it used before issue 8."""

    def __init__(self, initial_s: float, max_s: float, multiplier: float, floor_fraction: float = 0.5):
        self.initial_s = initial_s
        self.max_s = max_s
        self.multiplier = multiplier
        self.floor_fraction = floor_fraction

    def delay(self, n: int, u: float) -> float:
        ceiling = min(self.max_s, self.initial_s * self.multiplier**n)
        low = max(self.initial_s, ceiling * self.floor_fraction)
        return low + u * max(ceiling - low, 0.0)

    def describe(self) -> str:
        jitter = "full jitter with floor" if not self.floor_fraction else "equal jitter"
        return f"{self.initial_s:g} s..{self.max_s:g} s, x{self.multiplier:g}, {jitter}"


def gcloud_delay(n: int, u: float) -> float:
    """gcloud's waiter: min(2 s * 1.4^n + random() * 1 s, 180 s)."""
    return min(2.0 * 1.4**n + u * 1.0, 180.0)


def simulate(wait_s: float, delay, units, first_at: float = 0.0) -> tuple:
    """(requests, detection delay) with zero request latency: a request at
    time t sees Ready when t >= wait_s, as the fake control plane decides."""
    t, requests, n = first_at, 1, 0
    while t < wait_s:
        t += delay(n, units())
        requests += 1
        n += 1
    return requests, t - wait_s


def predicted(schedule: Schedule, wait_s: float, seed: int) -> int:
    """Requests our waiter makes for this seed, by the schedule maths alone."""
    return simulate(wait_s, schedule.delay, SplitMix64(seed).unit)[0]


def fixed_requests(wait_s: float) -> int:
    """A check at 0, 10 s, 20 s...: the first one at or after the Ready moment wins."""
    checks = int(wait_s // FIXED_S)
    return checks + 1 + (1 if checks * FIXED_S < wait_s else 0)


def model(seeds: int, ours: Schedule) -> list:
    """Mean and spread over many seeds, in real time, for each schedule."""
    # What the waiter did before issue 8, for comparison: full jitter with a
    # floor, x2. The same bounds with equal jitter show what each change gives.
    previous = Schedule(ours.initial_s, ours.max_s, 2.0, 0.0)
    previous_equal = Schedule(ours.initial_s, ours.max_s, 2.0, 0.5)
    rows = []
    for wait_s in WAIT_NAMES:
        fixed = fixed_requests(wait_s)
        for name, run in (
            (
                f"pinecone-backup-wait defaults ({ours.describe()})",
                lambda s, wait_s=wait_s: simulate(wait_s, ours.delay, SplitMix64(s).unit),
            ),
            (
                f"before issue 8 ({previous.describe()})",
                lambda s, wait_s=wait_s: simulate(wait_s, previous.delay, SplitMix64(s).unit),
            ),
            (
                f"equal jitter alone ({previous_equal.describe()})",
                lambda s, wait_s=wait_s: simulate(wait_s, previous_equal.delay, SplitMix64(s).unit),
            ),
            (
                "gcloud waiter (1 s, then 2 s x1.4 + up to 1 s, capped 180 s)",
                lambda s, wait_s=wait_s: simulate(
                    wait_s, gcloud_delay, random.Random(s).random, first_at=1.0
                ),
            ),
        ):
            results = [run(seed) for seed in range(1, seeds + 1)]
            requests = [r for r, _ in results]
            delays = [d for _, d in results]
            rows.append(
                {
                    "wait_s": wait_s,
                    "schedule": name,
                    "mean_requests": statistics.mean(requests),
                    "max_requests": max(requests),
                    "under_third": sum(r < fixed / 3 for r in requests) / len(requests),
                    "mean_delay_s": statistics.mean(delays),
                    "max_delay_s": max(delays),
                }
            )
        rows.append(
            {
                "wait_s": wait_s,
                "schedule": "fixed 10 s loop",
                "mean_requests": fixed,
                "max_requests": fixed,
                "under_third": None,
                "mean_delay_s": None,
                "max_delay_s": None,
            }
        )
    return rows


# ------------------------------------------------------------- helpers


def cell(text: str) -> str:
    """A markdown table cell: a literal `|` would end the cell."""
    return str(text).replace("|", "\\|")


def mib(kib: float) -> str:
    return f"{kib / 1024:.2f} MiB"


def size(nbytes: int) -> str:
    return f"{nbytes / MIB:.2f} MiB ({nbytes:,} bytes)"


def kib_size(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


def real_wait_name(scaled_s: float) -> str:
    return WAIT_NAMES.get(round(scaled_s * SCALE), f"{scaled_s * SCALE:g} s")


class Budgets:
    def __init__(self):
        self.rows = []

    def check(self, short: str, name: str, limit: str, measured: str, ok: "bool | None", why: str = ""):
        """`short` names the budget in the last line; `why` says how it was missed."""
        self.rows.append(
            {"short": short, "name": name, "limit": limit, "measured": measured, "ok": ok, "why": why}
        )

    def verdict(self, row) -> str:
        return {True: "met", False: "**missed**", None: "skipped"}[row["ok"]]

    def last_line(self) -> str:
        checked = [r for r in self.rows if r["ok"] is not None]
        met = sum(r["ok"] for r in checked)
        notes = []
        missed = [f"{r['short']}: {r['why'] or r['measured']}" for r in checked if not r["ok"]]
        if missed:
            notes.append("missed: " + "; ".join(missed))
        skipped = [r["short"] for r in self.rows if r["ok"] is None]
        if skipped:
            notes.append("skipped with --quick: " + "; ".join(skipped))
        tail = f" ({'; '.join(notes)})" if notes else ""
        return f"budgets: {met}/{len(checked)} met{tail}"


# -------------------------------------------------------------- report


def main() -> None:
    parser = argparse.ArgumentParser(description="budgets and markdown for bench/compare.sh")
    parser.add_argument("--dir", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--mode", choices=["full", "quick"], required=True)
    parser.add_argument("--invocation", required=True)
    parser.add_argument("--model-seeds", type=int, default=1000)
    args = parser.parse_args()
    d = Path(args.dir)
    machine = json.loads((d / "machine.json").read_text())
    machine_after = json.loads((d / "machine-after.json").read_text())
    oneshot = json.loads((d / "oneshot.json").read_text())
    waiting = json.loads((d / "waiting.json").read_text())
    defaults = waiting["defaults"]
    ours_schedule = Schedule(defaults["initial_s"], defaults["max_s"], defaults["multiplier"])
    ours_flags = " ".join(waiting["ours_flags"])
    footprint = json.loads((d / "footprint.json").read_text())
    hyperfine_file = d / "hyperfine.json"
    hyperfine = json.loads(hyperfine_file.read_text()) if hyperfine_file.exists() else {"results": []}
    hyper = {r["command"]: r["median"] * 1000 for r in hyperfine["results"]}

    by_key = {c["key"]: c for c in oneshot["contenders"]}
    ours, sdk, curl_jq = by_key["ours"], by_key["sdk"], by_key["curl_jq"]
    runs = waiting["runs"]
    ours_runs = [r for r in runs if r["contender"] == "ours"]
    waits = sorted({r["wait_s"] for r in runs})

    budgets = Budgets()
    # 1, 2: one-shot wall time.
    limit = sdk["median_wall_ms"] / 40
    budgets.check(
        "one-shot vs Python SDK",
        "one-shot wall time <= 1/40 of the Python SDK script",
        f"<= {limit:.2f} ms",
        f"{ours['median_wall_ms']:.2f} ms (1/{sdk['median_wall_ms'] / ours['median_wall_ms']:.0f})",
        ours["median_wall_ms"] <= limit,
        f"{ours['median_wall_ms']:.2f} ms > {limit:.2f} ms",
    )
    budgets.check(
        "one-shot vs curl | jq",
        "one-shot wall time no slower than `curl | jq`",
        f"<= {curl_jq['median_wall_ms']:.2f} ms",
        f"{ours['median_wall_ms']:.2f} ms",
        ours["median_wall_ms"] <= curl_jq["median_wall_ms"],
        f"{ours['median_wall_ms']:.2f} ms > {curl_jq['median_wall_ms']:.2f} ms",
    )
    # 3: peak RSS over every run of the static binary, one-shot and waiting.
    peaks = list(ours["rss_kib"]) + [r["rss_kib"] for r in ours_runs if r["rss_kib"] is not None]
    peak = max(peaks)
    budgets.check(
        "peak RSS",
        "peak RSS <= 5 MiB (every run: one-shot and waits)",
        "<= 5.00 MiB",
        mib(peak),
        peak <= 5 * 1024,
        f"{mib(peak)} > 5 MiB",
    )
    # 4: static binary size.
    nbytes = footprint["ours_bytes"]
    # 2.5 MiB since the CI-systems work (GitLab dotenv, Azure Pipelines, the
    # terminal line, corporate TLS); it was 2 MiB for the waiter alone.
    size_budget = int(2.5 * MIB)
    budgets.check(
        "static binary size",
        "static x86_64 musl binary <= 2.5 MiB",
        "<= 2.50 MiB, statically linked",
        f"{nbytes / MIB:.2f} MiB, {'static' if footprint['ours_static'] else 'DYNAMIC'}",
        nbytes <= size_budget and footprint["ours_static"],
        f"{nbytes / MIB:.3f} MiB ({nbytes - size_budget:+,} bytes)",
    )
    # 5, 6: requests against the fixed 10 s loop, every seed.
    for wait_real in (600, 18000):
        wait = wait_real / SCALE
        short = f"{WAIT_NAMES[wait_real]} wait requests"
        name = f"{WAIT_NAMES[wait_real]} wait: requests < 1/3 of the fixed 10 s loop's (every seed)"
        these = [r for r in ours_runs if abs(r["wait_s"] - wait) < 1e-9]
        loop = [r for r in runs if r["contender"] == "fixed_10s" and abs(r["wait_s"] - wait) < 1e-9]
        if not these or not loop:
            budgets.check(short, name, "-", "not run", None)
            continue
        third = loop[0]["attempts"] / 3
        worst = max(r["attempts"] for r in these)
        over = [r for r in these if r["attempts"] >= third]
        budgets.check(
            short,
            name,
            f"< {third:.1f} ({loop[0]['attempts']} / 3)",
            f"{min(r['attempts'] for r in these)}-{worst} over {len(these)} seeds",
            not over,
            f"{len(over)}/{len(these)} seeds >= {third:.1f}, worst {worst} ({worst / third - 1:+.1%})",
        )
    # 7: worst detection delay against --max-interval.
    worst_delay = max(r["delay_ms"] for r in ours_runs)
    max_interval_ms = defaults["max_s"] * 1000 / SCALE
    budgets.check(
        "worst detection delay",
        f"worst detection delay <= --max-interval ({max_interval_ms:g} ms scaled, {defaults['max_s']:g} s real)",
        f"<= {max_interval_ms:.0f} ms",
        f"{worst_delay:.1f} ms over {len(ours_runs)} runs",
        worst_delay <= max_interval_ms,
        f"{worst_delay:.1f} ms > {max_interval_ms:.0f} ms",
    )

    # ---------------------------------------------------------- markdown
    out = []
    w = out.append
    w("# Benchmarks")
    w("")
    w(
        f"Generated by `{args.invocation}` ({args.mode} mode) on {machine['date']}; "
        "rerun it rather than editing this file. It compares pinecone-backup-wait with what a "
        "user would write instead, against one local fake control plane on 127.0.0.1, and checks "
        "the budgets of issue 5."
    )
    w("")
    w("## Machine")
    w("")
    w("| | |")
    w("|---|---|")
    w(f"| CPU | {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB |")
    w(f"| OS, kernel | {machine['os']}, Linux {machine['kernel']} |")
    w(
        f"| load average (1, 5, 15 min) | before {' '.join(machine['loadavg'])}; "
        f"after {' '.join(machine_after['loadavg'])} |"
    )
    w(f"| commit | `{machine['commit']}` |")
    w(
        f"| toolchain and peers | {machine['rustc']}; {machine['curl'].split(' (')[0]}; {machine['jq']}; "
        f"{machine['python']}; pinecone {footprint['venv_packages'].get('pinecone', '?')}; {machine['hyperfine']} |"
    )
    w("")
    w("## Budgets")
    w("")
    w("| budget | limit | measured | verdict |")
    w("|---|---|---|---|")
    for row in budgets.rows:
        w(
            f"| {cell(row['name'])} | {cell(row['limit'])} | {cell(row['measured'])} | {budgets.verdict(row)} |"
        )
    w("")
    w(f"`{budgets.last_line()}`")
    w("")

    w("## One-shot: a backup that is already Ready")
    w("")
    w(
        f"Each contender asks once and must print or log `Ready` (checked on every run). "
        f"{oneshot['rounds']} rounds after {oneshot['warmup']} warm-up rounds; each round runs every "
        "contender once, in a fresh random order, so drift in the machine's load hits all alike "
        "(hyperfine runs each command's batch in turn, it does not interleave). Wall time: spawn of "
        "the first process to exit of the last. Peak RSS: `/usr/bin/time -f %M`, in a second run "
        "right after the timed one; for `curl | jq` the two processes' peaks added, as they run at "
        "the same time. The hyperfine column is a cross-check with another timer: `--shell=none`, "
        "each command's runs in one batch, its `curl | jq` through `sh -c`."
    )
    w("")
    w("| contender | median wall time | vs ours | hyperfine median (cross-check) | peak RSS | vs ours |")
    w("|---|---|---|---|---|---|")
    for c in oneshot["contenders"]:
        ratio = c["median_wall_ms"] / ours["median_wall_ms"]
        rss_ratio = c["max_rss_kib"] / ours["max_rss_kib"]
        h = hyper.get(c["key"])
        w(
            f"| {cell(c['name'])} | {c['median_wall_ms']:.2f} ms | {ratio:.1f}x | "
            f"{f'{h:.2f} ms' if h is not None else 'n/a'} | {mib(c['max_rss_kib'])} | {rss_ratio:.1f}x |"
        )
    w("")

    w("## Waiting: time scaled down 100x")
    w("")
    w(
        "Every interval and the Ready moment are divided by 100: a backup Ready after 10 min becomes one "
        "the fake control plane turns Ready 6 s after it starts. For each wait one fake is started and "
        "every contender is started at once against it. Requests are the contenders' own counts "
        "(`attempts` in our `--json` output; the loops count their iterations). Detection delay is "
        "the time from the Ready moment to the contender's exit, in scaled milliseconds; x100 gives "
        "the real-time equivalent. Every run must end with `Ready`."
    )
    w("")
    w(
        f"- **ours**: the static binary with its defaults ({ours_schedule.describe()}) divided by 100, "
        f"`{ours_flags} --jitter-seed N`; predicted = the count "
        "the schedule maths gives for that seed with zero request latency (each real request adds "
        "about a millisecond, so a long wait can end a request or two early)."
    )
    w(
        "- **fixed 10 s loop**: `bench/fixed_loop.sh`, `curl | jq` every 100 ms until Ready "
        "(the loop Pinecone's docs show, with `sleep 10`). Checks start on a fixed 100 ms grid "
        "instead of sleeping 100 ms after each check: starting curl, jq and sleep (5-15 ms here) "
        "is 5-15% of a scaled interval but well under 1% of a real one, and would make the "
        "scaled loop ask less often than the real one. A real `sleep 10` loop drifts by its "
        "check time, 1-3% fewer requests if the API is 100-300 ms away."
    )
    w(
        "- **gcloud**: `bench/gcloud_wait.py`, gcloud's operation waiter schedule (1 s, then "
        "2 s x1.4 plus up to 1 s of jitter, capped at 180 s) divided by 100, seeded. Its jitter is "
        "added on top of the exponential, not drawn between a floor and a ceiling, so our flags "
        "cannot express it. gcloud's own 30 min `max_wait_ms` is left out."
    )
    w("")
    w(
        "| wait (real) | contender | seeds | requests | vs fixed loop | detection delay median | worst | worst, real time |"
    )
    w("|---|---|---|---|---|---|---|---|")
    for wait in waits:
        loop = [r for r in runs if r["contender"] == "fixed_10s" and r["wait_s"] == wait]
        loop_requests = loop[0]["attempts"] if loop else None
        for contender, label in (
            ("ours", "ours (defaults / 100)"),
            ("fixed_10s", "fixed 10 s loop"),
            ("gcloud", "gcloud schedule"),
        ):
            rs = [r for r in runs if r["contender"] == contender and r["wait_s"] == wait]
            if not rs:
                continue
            seeds = ",".join(str(r["seed"]) for r in rs) if rs[0]["seed"] is not None else "-"
            requests = ", ".join(str(r["attempts"]) for r in rs)
            if contender == "ours":
                expected = ", ".join(str(predicted(ours_schedule, wait * SCALE, r["seed"])) for r in rs)
                requests += f" (predicted {expected})"
            mean_requests = statistics.mean(r["attempts"] for r in rs)
            vs = f"{mean_requests / loop_requests:.2f}x" if loop_requests else "n/a"
            delays = [r["delay_ms"] for r in rs]
            w(
                f"| {real_wait_name(wait)} ({wait:g} s) | {label} | {seeds} | {requests} | {vs} | "
                f"{statistics.median(delays):.0f} ms | {max(delays):.0f} ms | {max(delays) * SCALE / 1000:.1f} s |"
            )
    w("")
    w(
        "No delay of ours exceeds --max-interval, and each is counted from the end of a request, "
        "so Ready is noticed at most --max-interval plus one request (and the exit) after it "
        "happens; the worst case needs a Ready just after a check and a delay drawn at the ceiling."
    )
    w("")
    w(
        f"Peak RSS of our binary over these waits: {mib(max(r['rss_kib'] for r in ours_runs))} "
        f"(the longest made {max(r['attempts'] for r in ours_runs)} requests)."
    )
    w("")

    w(f"### What the schedule maths says, over seeds 1-{args.model_seeds}")
    w("")
    w(
        "Real time, zero request latency, the same generator as the waiter (SplitMix64) for our "
        "schedules. This is what the seeded runs above sample; it shows whether a result is the "
        "schedule's or the seeds'. The two rows after our defaults show where they come from: the "
        "schedule before issue 8 (full jitter with a floor, [initial, ceiling], x2) missed the "
        "request budget on most seeds; equal jitter draws each delay from [max(initial, "
        "ceiling/2), ceiling], so a capped delay averages 45 s instead of 31 s and is still never "
        "above --max-interval, and the multiplier of 3 reaches the cap sooner."
    )
    w("")
    w(
        "| wait | schedule | mean requests | most | seeds under 1/3 of the fixed loop | mean delay | worst delay |"
    )
    w("|---|---|---|---|---|---|---|")
    for row in model(args.model_seeds, ours_schedule):
        under = "-" if row["under_third"] is None else f"{row['under_third']:.1%}"
        mean_d = "0-10 s (phase)" if row["mean_delay_s"] is None else f"{row['mean_delay_s']:.1f} s"
        max_d = "10 s" if row["max_delay_s"] is None else f"{row['max_delay_s']:.1f} s"
        w(
            f"| {WAIT_NAMES[row['wait_s']]} | {row['schedule']} | {row['mean_requests']:.1f} | "
            f"{row['max_requests']} | {under} | {mean_d} | {max_d} |"
        )
    w("")

    w("## Size and installed footprint")
    w("")
    closure = footprint["curl_jq_closure_kib"]
    w("| contender | footprint | what is counted |")
    w("|---|---|---|")
    w(
        f"| pinecone-backup-wait, x86_64 musl, release | {size(footprint['ours_bytes'])} | "
        f"one {'static' if footprint['ours_static'] else 'dynamic'} file, nothing else |"
    )
    w(
        f"| pinecone-backup-wait, host (glibc) build | {size(footprint['ours_host_bytes'])} | "
        "for comparison; needs glibc |"
    )
    w(f"| Python SDK venv | {kib_size(footprint['venv_kib'])} | the whole venv (`du -sk`) |")
    w(
        f"| Python SDK venv minus a bare venv | {kib_size(footprint['venv_kib'] - footprint['bare_venv_kib'])} | "
        f"`pinecone` and its dependencies only ({len(footprint['venv_packages']) - 2} packages); "
        "the Python interpreter is not counted |"
    )
    w(
        f"| `curl` + `jq` | {kib_size(sum(footprint['curl_jq_kib'].values()))} | "
        f"dpkg Installed-Size of {', '.join(sorted(footprint['curl_jq_kib']))} |"
    )
    w(
        f"| `curl` + `jq` + their own libraries | {kib_size(sum(footprint['curl_jq_libs_kib'].values()))} | "
        f"{', '.join(sorted(footprint['curl_jq_libs_kib']))} |"
    )
    w(
        f"| `curl` + `jq`, every library they load | {kib_size(sum(closure.values()))} | "
        f"{len(closure)} packages (dependency closure without the C runtime; most systems have many "
        "of them already, e.g. libssl3) |"
    )
    w("")

    w("## Commands")
    w("")
    w("```sh")
    w(f"{args.invocation}    # writes this file ({args.mode} mode; --quick skips the 5 h wait)")
    w("```")
    w("")
    w("One-shot (`PORT` is the shared fake control plane's; the key is any string):")
    w("")
    w("```sh")
    for c in oneshot["contenders"]:
        if c["key"] != "ours_host":
            w(c["command"])
    w("```")
    w("")
    w("Cross-check (one command's runs after the other's, so not interleaved):")
    w("")
    w("```sh")
    w("PINECONE_API_KEY=... hyperfine --shell=none --warmup 3 --runs N \\")
    w("  -n ours 'pinecone-backup-wait --backup-id b1 --api-host http://127.0.0.1:PORT' \\")
    w("  -n sdk 'target/bench-venv/bin/python bench/sdk_describe.py http://127.0.0.1:PORT b1' \\")
    w("  -n curl_jq \"sh -c 'curl ... http://127.0.0.1:PORT/backups/b1 | jq -r .status'\"")
    w("```")
    w("")
    w("Waiting, for each wait W in " + ", ".join(f"{x:g}s" for x in waits) + ":")
    w("")
    w("```sh")
    w("fake-control-plane --ready-after W     # prints http://127.0.0.1:PORT")
    w("pinecone-backup-wait --backup-id ours-N --api-host http://127.0.0.1:PORT \\")
    w(f"  {ours_flags} --jitter-seed N --json     # N in {waiting['seeds']}")
    w("bench/fixed_loop.sh http://127.0.0.1:PORT fixed 0.1")
    w("python3 bench/gcloud_wait.py http://127.0.0.1:PORT gcloud-N --scale 100 --seed N")
    w("```")
    w("")
    w(
        "Caveats: a 2-core machine, so the contenders of one wait share it (they sleep almost all "
        "the time; the loop starts curl and jq ten times a second). Latency to the fake is about a "
        "millisecond, against tens to hundreds over the internet; that favours every contender "
        "alike in the one-shot race except the SDK, whose time is almost all start-up."
    )
    w("")

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(out))
    for row in budgets.rows:
        print(
            f"  {budgets.verdict(row).strip('*'):<8} {row['name']}: {row['measured']} (limit {row['limit']})"
        )
    print(budgets.last_line())


if __name__ == "__main__":
    main()
