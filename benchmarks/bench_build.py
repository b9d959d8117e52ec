"""``pinknoise build`` vs ``collectstatic`` with pinknoise's compressing manifest storage.

Both hash every file, rewrite references, write a manifest and precompress (the same
encodings, through the same compressor), from the same sources: the corpus
``bench_compress.py`` uses (the installed Django admin's static files plus two large
real JS bundles from plotly; ``--quick``: the admin only). Each tool runs as a
subprocess, timed from the outside, start-up included, into a fresh output directory;
runs are interleaved and the best of ``--repeat`` counts. Wall time is what the target
is about; CPU time (user + sys, workers included) is printed beside it because on a
shared machine wall time swings far more.

Then, for ``pinknoise build``: the no-op rerun (nothing changed: target <= 5 % of the
full build) and a rerun after one edit (the largest CSS file gets a rule appended: the
CSS is rehashed and recompressed, and a dcz delta against the previous version written).

    python benchmarks/bench_build.py            # admin + bundles (~3 minutes on 2 cores)
    python benchmarks/bench_build.py --quick    # admin only (~30 s)
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_compress import Timing, build_real, collectstatic_timed, timed

ENCODINGS = "gzip,br,zstd"
#: pinknoise build must be no slower than collectstatic; a no-op rerun <= 5 % of a build.
BUILD_TARGET = 1.0
NOOP_TARGET = 0.05


def collectstatic(sources: Path, dest: Path) -> Timing:
    """A real collectstatic with pinknoise's CompressedManifestStaticFilesStorage."""
    return collectstatic_timed("pinknoise", sources, dest, tuple(ENCODINGS.split(",")))


def pinknoise_build(sources: Path, dest: Path) -> Timing:
    cmd = [sys.executable, "-m", "pinknoise", "build", "-q", "--encodings", ENCODINGS]
    return timed([*cmd, str(sources), str(dest)])


def in_process_noop(sources: Path, dest: Path) -> float:
    """The no-op rerun as a library call: the build's own cost, without the interpreter's
    start-up and imports (about 0.25 s of the command's time here)."""
    from pinknoise.assets.build import build

    started = time.perf_counter()
    result = build(sources, dest, encodings=ENCODINGS.split(","))
    took = time.perf_counter() - started
    assert not result.written, "a rerun with nothing changed wrote files"
    return took


def largest_css(tree: Path) -> Path:
    return max(tree.rglob("*.css"), key=lambda p: p.stat().st_size)


def run(quick: bool, repeat: int) -> dict[str, float]:
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="pinknoise-bench-build-") as scratch:
        work = Path(scratch)
        sources = work / "src"
        build_real(sources, quick)
        files = [p for p in sources.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        what = "admin" if quick else "admin + bundles"
        print(f"corpus: {len(files)} files, {size / 1e6:.1f} MB ({what})")
        for _ in range(repeat):
            for tool, runner in (("collectstatic", collectstatic), ("build", pinknoise_build)):
                dest = work / f"out-{tool}"
                shutil.rmtree(dest, ignore_errors=True)
                took = runner(sources, dest)
                wall, cpu = took.wall, took.cpu
                print(f"  {tool:<13} {wall:6.2f} s wall, {cpu:6.2f} s CPU")
                results[tool] = min(wall, results.get(tool, wall))
                results[f"{tool}-cpu"] = min(cpu, results.get(f"{tool}-cpu", cpu))
        out = work / "out-build"
        results["noop"] = min(pinknoise_build(sources, out).wall for _ in range(repeat))
        results["noop-in-process"] = min(in_process_noop(sources, out) for _ in range(repeat))
        edited = largest_css(sources)
        with open(edited, "a") as file:
            file.write("\n.pinknoise-bench { color: red }\n")
        results["one-edit"] = pinknoise_build(sources, out).wall
    return results


def report(results: dict[str, float]) -> bool:
    ratio = results["build"] / results["collectstatic"]
    cpu_ratio = results["build-cpu"] / results["collectstatic-cpu"]
    noop = results["noop"] / results["build"]
    print(
        f"collectstatic (pinknoise storage): {results['collectstatic']:.2f} s wall, "
        f"{results['collectstatic-cpu']:.2f} s CPU\n"
        f"pinknoise build:                   {results['build']:.2f} s wall, "
        f"{results['build-cpu']:.2f} s CPU; {ratio:.2f}x collectstatic's wall time, "
        f"{cpu_ratio:.2f}x its CPU time "
        f"(target <= {BUILD_TARGET:.2f}x)\n"
        f"pinknoise build, no-op rerun:      {results['noop']:.2f} s, {noop * 100:.1f}% of a "
        f"build (target <= {NOOP_TARGET * 100:.0f}%); in process (no interpreter start-up): "
        f"{results['noop-in-process'] * 1000:.0f} ms\n"
        f"pinknoise build, one CSS edited:   {results['one-edit']:.2f} s"
    )
    return ratio <= BUILD_TARGET and noop <= NOOP_TARGET


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the admin only")
    parser.add_argument("--repeat", type=int, default=2, help="runs per tool; best counts")
    args = parser.parse_args()
    met = report(run(args.quick, args.repeat))
    print("targets met" if met else "a target was missed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
