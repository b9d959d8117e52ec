"""Start-up benchmark: time and memory to construct each middleware over an N-file tree.

Every measurement runs in a fresh interpreter (no import, cache or allocator state leaks
between targets). The child imports the middleware first, then measures only the
construction ``Cls(app, root=tree, prefix="static")``:

* ``time`` child: wall time and CPU time (user + system, all threads) of the
  construction, the RSS growth it caused, and the time of the first request after it (so
  a lazy scan cannot hide in the constructor). On a shared machine the CPU time is the
  steadier figure: it does not count time the process spent waiting for a core.
* ``mem`` child: the same construction under ``tracemalloc``: bytes still allocated
  afterwards (what the middleware keeps) and the peak while scanning.

Targets alternate within each repeat (rotating order) and the figure is the median.

    .venv/bin/python benchmarks/bench_startup.py             # 1,000 and 10,000 files
    .venv/bin/python benchmarks/bench_startup.py --full      # also 100,000 files
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import targets
from corpus import build_tree

DEFAULT_SIZES = (1_000, 10_000)
FULL_SIZE = 100_000


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _first_request_s(app: targets.WSGIApp, url: str) -> tuple[float, int]:
    got: list[str] = []
    env = {"REQUEST_METHOD": "GET", "PATH_INFO": url, "QUERY_STRING": "", "SERVER_NAME": "x"}
    env |= {"SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http"}
    t0 = time.perf_counter()
    body = app(env, lambda status, headers, exc_info=None: got.append(status))
    for _ in body:
        pass
    getattr(body, "close", lambda: None)()
    return time.perf_counter() - t0, int(got[0].split()[0])


def child(name: str, root: str, mode: str, url: str) -> dict[str, Any]:
    """Runs in the fresh interpreter: one measurement of one target."""
    targets.load_class(name)  # import cost is not start-up cost
    gc.collect()
    if mode == "mem":
        tracemalloc.start()
        app = targets.build(name, root)
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {"retained": current, "peak": peak}
    rss0 = _rss_bytes()
    c0, t0 = time.process_time(), time.perf_counter()
    app = targets.build(name, root)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss = _rss_bytes() - rss0
    first_s, first_status = _first_request_s(app, url)
    return {"seconds": seconds, "cpu": cpu, "rss": rss, "first_s": first_s} | {
        "first_status": first_status
    }


def measure(name: str, root: Path, mode: str, url: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", name, str(root), mode, url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{name} {mode} child failed:\n{out.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@dataclass
class StartupRow:
    files: int
    target: str
    seconds: float
    cpu: float
    retained: float  # bytes per file
    peak: float  # bytes per file
    rss: float  # bytes per file
    first_ms: float
    first_status: int


@dataclass
class StartupResult:
    targets: list[str]
    rows: list[StartupRow] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    repeats: dict[int, int] = field(default_factory=dict)

    def row(self, files: int, target: str) -> StartupRow | None:
        return next((r for r in self.rows if r.files == files and r.target == target), None)


def _summarise(n: int, name: str, samples: list[dict[str, Any]]) -> StartupRow:
    def med(key: str) -> float:
        return statistics.median(x[key] for x in samples)

    return StartupRow(
        files=n,
        target=name,
        seconds=med("seconds"),
        cpu=med("cpu"),
        retained=med("retained") / n,
        peak=med("peak") / n,
        rss=med("rss") / n,
        first_ms=med("first_s") * 1000,
        first_status=samples[0]["first_status"],
    )


def run(
    names: list[str] | None = None,
    sizes: tuple[int, ...] = DEFAULT_SIZES,
    repeats: int = 5,
    big_repeats: int = 3,
) -> StartupResult:
    names, skipped = targets.available(names)
    result = StartupResult(names, skipped=skipped)
    for n in sizes:
        reps = repeats if n < FULL_SIZE else big_repeats
        result.repeats[n] = reps
        with tempfile.TemporaryDirectory(prefix=f"pinknoise-bench-tree{n}-") as tmp:
            root = Path(tmp)
            build_tree(root, n)
            sample = min(p for p in root.rglob("*.css"))  # a file every target must serve
            url = f"/{targets.PREFIX}/{sample.relative_to(root).as_posix()}"
            samples: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
            for r in range(reps):
                order = names[r % len(names) :] + names[: r % len(names)]
                for name in order:
                    timing = measure(name, root, "time", url)
                    samples[name].append(timing | measure(name, root, "mem", url))
            for name in names:
                result.rows.append(_summarise(n, name, samples[name]))
    return result


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def format_table(res: StartupResult) -> str:
    head = (
        f"{'files':>8}  {'target':<12}{'wall s':>8}{'cpu s':>8}{'kept B/file':>13}"
        f"{'peak B/file':>13}{'RSS B/file':>12}{'1st req ms':>12}"
        f"{'wall/wn':>9}{'cpu/wn':>8}{'kept/wn':>9}"
    )
    lines = [head, "-" * len(head)]
    for row in res.rows:
        base = res.row(row.files, targets.BASELINE)
        t_ratio = _ratio(row.seconds, base.seconds) if base else "-"
        c_ratio = _ratio(row.cpu, base.cpu) if base else "-"
        m_ratio = _ratio(row.retained, base.retained) if base else "-"
        flag = "" if row.first_status == 200 else f" (status {row.first_status}!)"
        lines.append(
            f"{row.files:>8,}  {row.target:<12}{row.seconds:>8.3f}{row.cpu:>8.3f}"
            f"{row.retained:>13,.0f}{row.peak:>13,.0f}{row.rss:>12,.0f}{row.first_ms:>12.2f}"
            f"{t_ratio:>9}{c_ratio:>8}{m_ratio:>9}{flag}"
        )
    reps = ", ".join(f"{n:,} files: {r}" for n, r in res.repeats.items())
    lines.append(
        "wall/cpu = construction only (cpu: user+system, all threads); "
        "kept = tracemalloc bytes still allocated after it; peak = tracemalloc peak during it;\n"
        f"fresh interpreter per measurement; median of ({reps})."
    )
    for n, why in res.skipped.items():
        lines.append(f"skipped {n}: {why}")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        print(json.dumps(child(*sys.argv[2:6])))
        return
    parser = argparse.ArgumentParser(description="Start-up time and memory benchmark.")
    parser.add_argument("--targets", type=targets.parse_targets, default=list(targets.TARGETS))
    parser.add_argument("--full", action="store_true", help=f"also {FULL_SIZE:,} files")
    parser.add_argument("--sizes", type=lambda v: tuple(int(x) for x in v.split(",")))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1,000 files, one repeat")
    args = parser.parse_args()
    sizes = args.sizes or DEFAULT_SIZES
    if args.quick:
        sizes, args.repeats = (1_000,), 1
    if args.full:
        sizes = (*sizes, FULL_SIZE)
    print(format_table(run(args.targets, sizes, args.repeats)))


if __name__ == "__main__":
    main()
