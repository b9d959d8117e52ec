"""Run every serving benchmark and print one combined report with ratios to WhiteNoise.

    .venv/bin/python benchmarks/run.py            # full default run (a few minutes)
    .venv/bin/python benchmarks/run.py --quick    # CI smoke test, well under a minute
    .venv/bin/python benchmarks/run.py --full     # adds the 100,000-file start-up tree

Figures only: no thresholds, the exit status says whether the benchmarks ran, not whether
pinknoise met its targets. The compression benchmark (bench_compress.py) runs on its own.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import bench_http
import bench_startup
import bench_wsgi_inprocess as bench_inprocess
import targets

TARGET_RATIO = 0.5  # issue 2: pinknoise <= 0.5x WhiteNoise in process and at start-up


def git(*args: str) -> str:
    out = subprocess.run(["git", "-C", str(targets.REPO), *args], capture_output=True, text=True)
    return out.stdout.strip()


def pinknoise_revision(snapshot_rev: str | None) -> str:
    """The commit the benchmarked source is at, and whether src/ has uncommitted edits."""
    if snapshot_rev:
        return f"{snapshot_rev} (git archive of src/)"
    rev = git("rev-parse", "--short", "HEAD") or "unknown"
    return rev + (" + uncommitted src/ changes" if git("status", "--porcelain", "src") else "")


def use_snapshot(rev: str, dest: Path) -> str:
    """Extract src/ as of ``rev`` into ``dest`` and benchmark that; return the short hash.

    Lets a run measure a fixed commit while the working tree is being edited. The
    environment variable reaches the start-up children and the gunicorn workers too.
    """
    short = git("rev-parse", "--short", rev)
    if not short:
        raise SystemExit(f"unknown revision {rev!r}")
    archive = subprocess.run(
        ["git", "-C", str(targets.REPO), "archive", short, "src"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    os.environ[targets.SRC_ENV] = str(dest / "src")
    return short


def machine(snapshot_rev: str | None = None) -> dict[str, str]:
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    versions = {}
    for dist in ("whitenoise", "servestatic", "gunicorn"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    return {
        "pinknoise": pinknoise_revision(snapshot_rev),
        "cpu": f"{os.cpu_count()} x {model}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        **versions,
    }


def _fmt_ratio(pink: float | None, white: float | None, goal: str) -> str:
    if not pink or not white:
        return f"{'-':>8}  {goal}"
    return f"{pink / white:>7.2f}x  {goal}"


def summary(
    inproc: bench_inprocess.InprocessResult | None,
    startup: bench_startup.StartupResult | None,
    http: bench_http.HttpResult | None,
) -> str:
    """One line per figure: pinknoise, WhiteNoise, ServeStatic, pinknoise/WhiteNoise."""
    head = (
        f"{'figure':<34}{'pinknoise':>11}{'whitenoise':>12}{'servestatic':>13}{'pink/wn':>9}  goal"
    )
    lines = [head, "-" * (len(head) + 8)]

    def add(label: str, values: dict[str, float], fmt: str, goal: str) -> None:
        cells = "".join(
            f"{format(values[n], fmt) if n in values else '-':>{w}}"
            for n, w in (("pinknoise", 11), ("whitenoise", 12), ("servestatic", 13))
        )
        ratio = _fmt_ratio(values.get("pinknoise"), values.get("whitenoise"), goal)
        lines.append(f"{label:<34}{cells}  {ratio}")

    half = f"<= {TARGET_RATIO:.2f}x"
    if inproc:
        for case in inproc.cases:
            add(f"in-process {case} (us)", inproc.us[case], ".2f", half)
    if startup:
        for n in sorted({r.files for r in startup.rows}):
            rows = {r.target: r for r in startup.rows if r.files == n}
            add(
                f"start-up {n:,} files (wall s)",
                {t: r.seconds for t, r in rows.items()},
                ".3f",
                half,
            )
            add(f"start-up {n:,} files (cpu s)", {t: r.cpu for t, r in rows.items()}, ".3f", half)
            kept = {t: r.retained for t, r in rows.items()}
            add(f"start-up {n:,} files (B/file)", kept, ",.0f", half)
    if http and http.targets:
        add("gunicorn req/s (higher is better)", http.rps, ",.0f", ">= 1.00x")
        add(
            "gunicorn p99 latency (ms)",
            {t: v["99%"] for t, v in http.latency_ms.items()},
            ".2f",
            "",
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="All serving benchmarks, one report.")
    parser.add_argument("--quick", action="store_true", help="small counts, CI smoke test")
    parser.add_argument("--full", action="store_true", help="add the 100,000-file tree")
    parser.add_argument("--targets", type=targets.parse_targets, default=list(targets.TARGETS))
    parser.add_argument("--skip", default="", help="comma list of: inprocess,startup,http")
    parser.add_argument("--json", type=Path, help="also write all results to this file")
    parser.add_argument("--pinknoise-rev", help="benchmark src/ as of this git revision")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pinknoise-bench-src-") as tmp:
        rev = use_snapshot(args.pinknoise_rev, Path(tmp)) if args.pinknoise_rev else None
        run_all(args, rev)


def run_all(args: argparse.Namespace, snapshot_rev: str | None) -> None:
    skip = set(args.skip.split(",")) - {""}
    started = time.monotonic()

    info = machine(snapshot_rev)
    print("machine: " + "; ".join(f"{k} {v}" for k, v in info.items()))
    print(f"command: {' '.join([os.path.relpath(sys.executable), *sys.argv])}\n")

    inproc = startup = http = None
    if "inprocess" not in skip:
        print("== in-process WSGI, us per request (lower is better)")
        if args.quick:
            inproc = bench_inprocess.run(args.targets, requests=500, rounds=5)
        else:
            inproc = bench_inprocess.run(args.targets)
        print(bench_inprocess.format_table(inproc) + "\n", flush=True)
    if "startup" not in skip:
        print("== start-up: construct the middleware over an N-file tree")
        sizes = (1_000,) if args.quick else bench_startup.DEFAULT_SIZES
        if args.full:
            sizes = (*sizes, bench_startup.FULL_SIZE)
        startup = bench_startup.run(args.targets, sizes, repeats=1 if args.quick else 5)
        print(bench_startup.format_table(startup) + "\n", flush=True)
    if "http" not in skip:
        print("== HTTP under gunicorn, wrk on 127.0.0.1")
        if args.quick:
            http = bench_http.run(args.targets, seconds=2, rounds=1)
        else:
            http = bench_http.run(args.targets)
        print(bench_http.format_table(http) + "\n", flush=True)

    print("== summary (ratio = pinknoise / WhiteNoise, same run)")
    print(summary(inproc, startup, http))
    print(f"\ntotal {time.monotonic() - started:.0f} s")
    if args.json:
        results: dict[str, Any] = {"machine": info, "argv": sys.argv}
        for key, res in (("inprocess", inproc), ("startup", startup), ("http", http)):
            results[key] = dataclasses.asdict(res) if res is not None else None
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
