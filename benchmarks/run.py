"""Run every benchmark and print one combined report with ratios to WhiteNoise (and nginx).

    .venv/bin/python benchmarks/run.py            # default run (about 12 minutes)
    .venv/bin/python benchmarks/run.py --quick    # CI smoke test, about 70 s
    .venv/bin/python benchmarks/run.py --full --charts docs/benchmarks   # the published run

Parts, all in the same run on the same machine: in-process WSGI, in-process ASGI (with
and without pathsend), start-up time and memory, HTTP req/s + latency and large-file MB/s
under gunicorn, uvicorn, granian and nginx, Django (``pinknoise.django.wrap()`` against
the middlewares, in process and over HTTP: ``bench_django``), and compression against
WhiteNoise's compressor. Figures only: no thresholds, the exit status says whether the
benchmarks ran, not whether pinknoise met its targets.
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
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import bench_asgi_inprocess as bench_asgi
import bench_compress
import bench_django
import bench_http
import bench_startup
import bench_wsgi_inprocess as bench_inprocess
import targets

PARTS = ("inprocess", "asgi", "startup", "http", "django", "compress")
# (label, StartupRow attribute, format)
STARTUP_FIGURES = (
    ("cpu s", "cpu", ".3f"),
    ("wall s", "seconds", ".3f"),
    ("kept B/file", "retained", ",.0f"),
    ("1st request ms", "first_ms", ".2f"),
)


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
    environment variable reaches the start-up children and the server workers too.
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
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    versions = {}
    for dist in ("whitenoise", "servestatic", "gunicorn", "uvicorn", "granian", "brotli"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    return {
        "pinknoise": pinknoise_revision(snapshot_rev),
        "cpu": f"{os.cpu_count()} x {model}",
        "memory": f"{mem_kb / 2**20:.0f} GiB",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        **versions,
    }


@dataclasses.dataclass
class Row:
    """One summary line: a figure for each library, ratios computed from them."""

    figure: str
    pink: float | None
    wn: float | None = None
    ss: float | None = None
    nginx: float | None = None
    goal: str = ""
    met: bool | None = None
    fmt: str = ".2f"


def _r(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def summary_rows(results: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    wsgi: bench_inprocess.InprocessResult | None = results.get("inprocess")
    asgi: bench_asgi.AsgiResult | None = results.get("asgi")
    if wsgi:
        for case in wsgi.cases:
            us = wsgi.us[case]
            pink, wn = us.get("pinknoise"), us.get("whitenoise")
            ratio = _r(pink, wn)
            rows.append(
                Row(
                    f"WSGI in-process {case} (us)",
                    pink,
                    wn,
                    us.get("servestatic"),
                    goal="<= 0.5x wn",
                    met=None if ratio is None else ratio <= 0.5,
                )
            )
    if asgi:
        for mode in ("pathsend", "no-pathsend"):
            for case in asgi.cases:
                us = asgi.us[case]
                pink, ss = us.get(f"pinknoise {mode}"), us.get(f"servestatic {mode}")
                wn = wsgi.us[case].get("whitenoise") if wsgi else None
                ratio = _r(pink, ss)
                rows.append(
                    Row(
                        f"ASGI {mode} {case} (us)",
                        pink,
                        wn,
                        ss,
                        goal="<= 0.5x ss",
                        met=None if ratio is None else ratio <= 0.5,
                    )
                )
    startup: bench_startup.StartupResult | None = results.get("startup")
    if startup:
        for n in sorted({r.files for r in startup.rows}):
            by = {r.target: r for r in startup.rows if r.files == n}

            for what, attr, fmt in STARTUP_FIGURES:
                vals = {t: getattr(r, attr) for t, r in by.items()}
                figure = f"start-up {n:,} files ({what})"
                wn, ss = vals.get("whitenoise"), vals.get("servestatic")
                rows.append(Row(figure, vals.get("pinknoise"), wn, ss, fmt=fmt))
    http: bench_http.HttpResult | None = results.get("http")
    if http and http.setups:
        base = bench_http.BASELINE
        ng = http.rps.get(bench_http.NATIVE)
        for server in ("gunicorn", "uvicorn", "granian"):
            pink = http.rps.get(f"{server}+pinknoise")
            ss = http.rps.get(f"{server}+servestatic")
            goal, met = "", None
            if server != "gunicorn" and _r(pink, ss) is not None:
                goal, met = ">= 1.5x ss", pink / ss >= 1.5  # type: ignore[operator]
            rows.append(
                Row(f"{server} small req/s", pink, http.rps.get(base), ss, ng, goal, met, ",.0f")
            )
        asgi_setups = ("uvicorn+pinknoise", "granian+pinknoise")
        best = max((v for k, v in http.rps.items() if k in asgi_setups), default=None)
        if best and ng:
            rows.append(
                Row(
                    "best pinknoise ASGI req/s",
                    best,
                    http.rps.get(base),
                    None,
                    ng,
                    ">= 0.5x nginx",
                    best / ng >= 0.5,
                    ",.0f",
                )
            )
        for server in ("gunicorn", "uvicorn", "granian"):
            lat = http.latency_ms
            p99 = {k: v["99%"] for k, v in lat.items()}
            rows.append(
                Row(
                    f"{server} small p99 ms",
                    p99.get(f"{server}+pinknoise"),
                    p99.get(base),
                    p99.get(f"{server}+servestatic"),
                    p99.get(bench_http.NATIVE),
                )
            )
        mb = http.large_mbps
        for server in ("gunicorn", "uvicorn", "granian"):
            pink, ngm = mb.get(f"{server}+pinknoise"), mb.get(bench_http.NATIVE)
            goal, met = "", None
            if server == "granian" and _r(pink, ngm) is not None:
                goal, met = ">= 0.8x nginx", pink / ngm >= 0.8  # type: ignore[operator]
            rows.append(
                Row(
                    f"{server} 32 MiB MB/s",
                    pink,
                    mb.get(base),
                    mb.get(f"{server}+servestatic"),
                    ngm,
                    goal,
                    met,
                    ",.0f",
                )
            )
    django: bench_django.DjangoResult | None = results.get("django")
    if django:
        rows += django_rows(django)
    compress: dict[str, bench_compress.CorpusResult] | None = results.get("compress")
    if compress:
        for name, corpus in compress.items():
            pn, wn = corpus.results[bench_compress.DEFAULT_TOOL], corpus.results["whitenoise"]
            rows.append(Row(f"compress {name} wall s", pn.seconds, wn.seconds))
            rows.append(Row(f"compress {name} .gz bytes", pn.gz_bytes, wn.gz_bytes, fmt=",.0f"))
            rows.append(Row(f"compress {name} .br bytes", pn.br_bytes, wn.br_bytes, fmt=",.0f"))
    return rows


def django_rows(res: bench_django.DjangoResult) -> list[Row]:
    """pinknoise column: pinknoise's way; whitenoise column: WhiteNoise's middleware."""
    rows: list[Row] = []

    def goal_cells(goals: list[Any], figure: str) -> tuple[str, bool | None]:
        """Every goal on ``figure``: text (with each ratio when there are several), met."""
        mine = [(g, r, m) for g, r, m in goals if g.figure == figure]
        text = "; ".join(
            g.short_text + (f" ({r:.2f}x)" if r is not None and len(mine) > 1 else "")
            for g, r, _ in mine
        )
        mets = [m for _, _, m in mine]
        return text, None if not mets or None in mets else all(mets)

    if res.inprocess:
        us = res.inprocess.us
        goals = bench_django.inprocess_goals(res.inprocess)
        for kind in ("WSGI", "ASGI"):
            wn = us.get(f"{kind} whitenoise-mw")
            pink_mw = us.get(f"{kind} pinknoise-mw")
            rows.append(Row(f"Django {kind} pinknoise mw hit (us)", pink_mw, wn))
            goal, met = goal_cells(goals, f"{kind} wrap")
            rows.append(Row(f"Django {kind} wrap() hit (us)", us.get(f"{kind} wrap"), wn, None,
                            None, goal, met))  # fmt: skip
    if res.http and res.http.rps:
        rps = res.http.rps
        goals = bench_django.http_goals(res.http)
        g_wn, uv_wn = rps.get("gunicorn+whitenoise-mw"), rps.get("uvicorn+whitenoise-mw")
        for figure, name, wn in (
            ("Django gunicorn pinknoise mw req/s", "gunicorn+pinknoise-mw", g_wn),
            ("Django gunicorn wrap() req/s", "gunicorn+wrap", g_wn),
            ("Django granian pinknoise mw req/s", "granian+pinknoise-mw", uv_wn),
            ("Django granian PinkNoiseASGI req/s", "granian+PinkNoiseASGI", uv_wn),
            ("Django granian wrap() req/s", "granian+wrap", uv_wn),
        ):
            goal, met = goal_cells(goals, name)
            rows.append(Row(figure, rps.get(name), wn, goal=goal, met=met, fmt=",.0f"))
    return rows


def format_summary(rows: list[Row]) -> str:
    cols = ("pinknoise", "whitenoise", "servestatic", "nginx", "pink/wn", "ss/wn", "pink/ss")
    head = f"{'figure':<38}" + "".join(f"{c:>12}" for c in cols) + f"{'pink/nginx':>12}  goal"
    lines = [head, "-" * (len(head) + 14)]

    def cell(v: float | None, fmt: str) -> str:
        return f"{format(v, fmt) if v is not None else '-':>12}"

    for row in rows:
        ratios = (_r(row.pink, row.wn), _r(row.ss, row.wn), _r(row.pink, row.ss))
        ratios += (_r(row.pink, row.nginx),)
        mark = "" if row.met is None else ("  met" if row.met else "  MISSED")
        lines.append(
            f"{row.figure:<38}"
            + "".join(cell(v, row.fmt) for v in (row.pink, row.wn, row.ss, row.nginx))
            + "".join(f"{format(v, '.2f') + 'x' if v else '-':>12}" for v in ratios)
            + f"  {row.goal}{mark}"
        )
    lines.append(
        "whitenoise column: WhiteNoise (WSGI) for every figure, incl. the ASGI rows (WhiteNoise "
        "has no ASGI app) and the server rows (gunicorn+whitenoise); for the Django rows, "
        "WhiteNoise's middleware in the same project: under WSGIHandler / ASGIHandler in "
        "process, under gunicorn (gunicorn rows) or uvicorn (granian rows) over HTTP."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="All benchmarks, one report.")
    parser.add_argument("--quick", action="store_true", help="small counts, CI smoke test")
    parser.add_argument("--full", action="store_true", help="100,000-file tree, full corpora")
    parser.add_argument("--targets", type=targets.parse_targets, default=list(targets.TARGETS))
    parser.add_argument("--skip", default="", help=f"comma list of: {','.join(PARTS)}")
    parser.add_argument("--json", type=Path, help="also write all results to this file")
    parser.add_argument("--charts", type=Path, help="write PNG charts (and results.json) here")
    parser.add_argument("--pinknoise-rev", help="benchmark src/ as of this git revision")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pinknoise-bench-src-") as tmp:
        rev = use_snapshot(args.pinknoise_rev, Path(tmp)) if args.pinknoise_rev else None
        run_all(args, rev)


def section(title: str) -> None:
    print(f"== {title}", flush=True)


def run_all(args: argparse.Namespace, snapshot_rev: str | None) -> None:
    skip = set(args.skip.split(",")) - {""}
    started = time.monotonic()
    quick = args.quick

    info = machine(snapshot_rev)
    print("machine: " + "; ".join(f"{k} {v}" for k, v in info.items()))
    command = " ".join([os.path.relpath(sys.executable), *sys.argv])
    print(f"command: {command}\n")
    results: dict[str, Any] = {}
    timings: dict[str, float] = {}

    def part(name: str, title: str, fn: Callable[[], Any], fmt: Callable[[Any], str]) -> None:
        if name in skip:
            return
        section(title)
        t0 = time.monotonic()
        results[name] = fn()
        timings[name] = time.monotonic() - t0
        print(fmt(results[name]) + f"\n({timings[name]:.0f} s)\n", flush=True)

    reqs, rounds = (500, 5) if quick else (2000, 11)
    part(
        "inprocess",
        "in-process WSGI, us per request (lower is better)",
        lambda: bench_inprocess.run(args.targets, requests=reqs, rounds=rounds),
        bench_inprocess.format_table,
    )
    part(
        "asgi",
        "in-process ASGI, us per request (lower is better)",
        lambda: bench_asgi.run(None, requests=reqs, rounds=rounds),
        bench_asgi.format_table,
    )
    sizes = (1_000,) if quick else bench_startup.DEFAULT_SIZES
    if args.full:
        sizes = (*sizes, bench_startup.FULL_SIZE)
    part(
        "startup",
        "start-up: construct the middleware over an N-file tree",
        lambda: bench_startup.run(args.targets, sizes, repeats=1 if quick else 5),
        bench_startup.format_table,
    )
    part(
        "http",
        "HTTP over 127.0.0.1 with wrk: small-file req/s, large-file MB/s",
        lambda: bench_http.run(
            seconds=1 if quick else 5, rounds=1 if quick else 3, warmup=not quick
        ),
        bench_http.format_table,
    )

    part(
        "django",
        "Django: wrap() vs the middlewares, in process (us) and over HTTP (req/s)",
        lambda: bench_django.run(
            requests=200 if quick else 2000,
            rounds=3 if quick else 11,
            seconds=1 if quick else 5,
            http_rounds=1 if quick else 3,
            warmup=not quick,
        ),
        bench_django.format_table,
    )

    def compress() -> dict[str, bench_compress.CorpusResult]:
        if quick:  # a smoke test: one tiny generated tree
            return bench_compress.run(quick=True, count=200, names=("small",))
        return bench_compress.run(quick=not args.full)

    def compress_table(res: dict[str, bench_compress.CorpusResult]) -> str:
        for name, corpus in res.items():
            bench_compress.report(name, corpus.files, corpus.size, corpus.results)
        return "compression: wall s and bytes per encoding, pinknoise compress vs whitenoise"

    part(
        "compress",
        "compression: pinknoise compress vs python -m whitenoise.compress",
        compress,
        compress_table,
    )

    section("summary (ratios from this run; ss = ServeStatic)")
    print(format_summary(summary_rows(results)))
    total = time.monotonic() - started
    parts = ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
    print(f"\ntotal {total:.0f} s ({parts})")
    data: dict[str, Any] = {"machine": info, "command": command, "seconds": total}
    data |= {k: _plain(v) for k, v in results.items()}
    if args.json:
        args.json.write_text(json.dumps(data, indent=1) + "\n")
    if args.charts:
        import charts  # matplotlib: only needed for charts

        args.charts.mkdir(parents=True, exist_ok=True)
        (args.charts / "results.json").write_text(json.dumps(data, indent=1) + "\n")
        for path in charts.draw_all(data, args.charts):
            print(f"chart: {path}")


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


if __name__ == "__main__":
    main()
