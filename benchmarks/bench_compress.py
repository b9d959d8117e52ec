"""pinknoise compress vs ``python -m whitenoise.compress``, in one run, same machine.

Four corpora, each copied fresh for every tool so both start from bare sources:

* ``real``: a plain copy of the installed Django admin's static files plus two large
  real JS bundles shipped inside plotly (the ``bench`` extra installs both packages).
* ``real-collectstatic``: the same sources as a deploy has them, after Django's
  ``collectstatic`` with ``ManifestStaticFilesStorage``: every file also under a hashed
  name, byte-identical unless its references were rewritten.
* ``small``: a generated tree of 10,000 distinct small text files (256 B - 16 kB,
  log-uniform), where per-file overhead dominates.
* ``small-hashed``: 10,000 small files shaped like a collectstatic output: 5,000 files,
  each also under a hashed name.

For each: wall time of a full run, total bytes of the ``.gz`` and ``.br`` files, and
(pinknoise only) the time of a no-op rerun and of a rerun after one file changed (the
largest text file gets one line appended: what an edit-and-deploy loop costs). Both
tools write gzip + brotli only, so the byte totals compare like with like. pinknoise
runs once per executor kind (processes, threads) to back the choice of default. Every
tool runs as a subprocess, timed from the outside, start-up included.

    python benchmarks/bench_compress.py            # full: ~5 minutes on 2 cores
    python benchmarks/bench_compress.py --quick    # admin only + 1,000 files: < 1 min

Besides wall time, the CPU time (user + sys of the run and its workers) is printed: on
a machine shared with other work, wall times swing, CPU time much less. Each round also
prints how long the tool's threads waited for a CPU and its demand (threads wanting a
CPU, on average): a tool whose demand is at or above the CPU count kept every core busy
that it was given, so a slower wall time in that round came from the load, not the tool.

    python benchmarks/bench_compress.py --corpus small --executors thread --repeat 3
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"

#: Bundles looked up inside installed packages, as (package, path inside it).
BUNDLES = [
    ("plotly", "package_data/plotly.min.js"),
    ("plotly", "package_data/widgetbundle.js"),
]

TARGETS = {"small": 0.5, "small-hashed": 0.5, "real": 0.8, "real-collectstatic": 0.8}
NOOP_TARGET = 0.05
#: The results key of the executor ``pinknoise compress`` uses by default (the figures
#: that count); the other kind runs for comparison.
DEFAULT_TOOL = "pinknoise-thread"


def package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def build_real(dest: Path, quick: bool) -> None:
    """Django admin's static files, plus the bundles (full mode only: they take long)."""
    django = package_dir("django")
    if django is None:
        sys.exit("django is not installed: pip install -e '.[bench]'")
    shutil.copytree(django / "contrib" / "admin" / "static", dest)
    if quick:
        return
    bundles = dest / "bundles"
    bundles.mkdir()
    for package, rel in BUNDLES:
        where = package_dir(package)
        if where is None or not (where / rel).is_file():
            print(f"note: {package}/{rel} not installed, corpus is smaller", file=sys.stderr)
            continue
        shutil.copy2(where / rel, bundles / f"{package}-{Path(rel).name}")


def build_collectstatic(dest: Path, plain: Path) -> None:
    """Run Django's collectstatic (manifest storage) over ``plain`` in a subprocess."""
    script = f"""
import django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=["django.contrib.staticfiles"],
    STATIC_URL="/static/",
    STATIC_ROOT={str(dest)!r},
    STATICFILES_DIRS=[{str(plain)!r}],
    STORAGES={{
        "default": {{"BACKEND": "django.core.files.storage.FileSystemStorage"}},
        "staticfiles": {{
            "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        }},
    }},
)
django.setup()
from django.core.management import call_command
call_command("collectstatic", interactive=False, verbosity=0)
"""
    subprocess.run([sys.executable, "-c", script], check=True)


COLLECT_STORAGES = {
    "whitenoise": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    "pinknoise": "pinknoise.storage.CompressedManifestStaticFilesStorage",
}


def collectstatic_seconds(storage: str, sources: Path, dest: Path, fresh: bool = True) -> float:
    """Wall time of a real collectstatic with ``storage`` (gzip + brotli) into ``dest``.

    ``fresh`` empties ``dest`` first; without it, this is a rerun over the last output.
    """
    return collectstatic_timed(storage, sources, dest, fresh=fresh).wall


def collectstatic_timed(
    storage: str,
    sources: Path,
    dest: Path,
    encodings: tuple[str, ...] = ("gzip", "br"),
    fresh: bool = True,
) -> Timing:
    """Wall and CPU seconds of a real collectstatic with ``storage`` into ``dest``."""
    script = f"""
import django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=["django.contrib.staticfiles"],
    STATIC_URL="/static/",
    STATIC_ROOT={str(dest)!r},
    STATICFILES_DIRS=[{str(sources)!r}],
    STORAGES={{"staticfiles": {{"BACKEND": {COLLECT_STORAGES[storage]!r}}}}},
    PINKNOISE_ENCODINGS={list(encodings)!r},
)
django.setup()
from django.core.management import call_command
call_command("collectstatic", interactive=False, verbosity=0)
"""
    if fresh:
        shutil.rmtree(dest, ignore_errors=True)
    return timed([sys.executable, "-c", script])


#: The collectstatic cases: into an empty STATIC_ROOT, rerun unchanged, and rerun after
#: one source file changed (the edit-and-deploy loop).
COLLECT_CASES: Final = ("fresh", "no-op", "one changed")


def bench_collectstatic(repeat: int) -> dict[tuple[str, str], float]:
    """Best-of-``repeat`` collectstatic of the Django admin per (tool, case).

    WhiteNoise's storage vs ours, interleaved: each round runs every case for one tool,
    then for the other. The changed file is the largest CSS, one line appended (undone
    after the round).
    """
    best: dict[tuple[str, str], float] = {}
    with tempfile.TemporaryDirectory(prefix="pinknoise-bench-collect-") as scratch:
        work = Path(scratch)
        build_real(work / "admin", quick=True)
        changed = max((work / "admin").rglob("*.css"), key=lambda p: p.stat().st_size)
        original = changed.read_bytes()
        for round_number in range(repeat):
            for tool in COLLECT_STORAGES:
                out = work / f"out-{tool}"
                took = {
                    "fresh": collectstatic_seconds(tool, work / "admin", out),
                    "no-op": collectstatic_seconds(tool, work / "admin", out, fresh=False),
                }
                changed.write_bytes(original + f"\n/* round {round_number} */\n".encode())
                try:
                    took["one changed"] = collectstatic_seconds(
                        tool, work / "admin", out, fresh=False
                    )
                finally:
                    changed.write_bytes(original)
                for case, seconds in took.items():
                    best[tool, case] = min(best.get((tool, case), seconds), seconds)
    return best


def build_small(dest: Path, count: int, hashed: bool = False) -> None:
    """``count`` files of JS/CSS/HTML-like text; deterministic (seeded).

    With ``hashed``, ``count // 2`` distinct files each also saved as
    ``name.<hash>.ext``, as collectstatic does.
    """
    rng = random.Random(20240601)
    vocab = [
        "function", "return", "const", "let", "var", "this", "null", "undefined", "=>",
        "if", "else", "for", "while", "document", "window", "querySelector", "margin:",
        "padding:", "display:flex;", "color:#", "<div", "</div>", "class=", "href=",
        "{", "}", "(", ")", ";", "=", "===", "!==", "&&", "||", "+", "-", "0", "1",
    ]  # fmt: skip
    idents = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz_") for _ in range(rng.randint(3, 12)))
        for _ in range(5000)
    ]
    exts = [".js", ".css", ".html", ".svg", ".json", ".txt"]
    for i in range(count // 2 if hashed else count):
        directory = dest / f"pkg{i % 100:03d}" / f"sub{i % 7}"
        directory.mkdir(parents=True, exist_ok=True)
        size = int(2 ** rng.uniform(8, 14))
        words: list[str] = []
        total = 0
        while total < size:
            word = rng.choice(idents) if rng.random() < 0.45 else rng.choice(vocab)
            words.append(word)
            total += len(word) + 1
            if rng.random() < 0.08:
                words.append("\n")
        ext = exts[i % len(exts)]
        body = " ".join(words)[:size]
        (directory / f"f{i:05d}{ext}").write_text(body)
        if hashed:
            digest = hashlib.md5(body.encode()).hexdigest()[:12]
            (directory / f"f{i:05d}.{digest}{ext}").write_text(body)


@dataclass
class Result:
    seconds: float
    cpu: float
    gz_bytes: int
    br_bytes: int
    noop_seconds: float | None = None
    one_changed_seconds: float | None = None
    #: The full run's timing, with how long it waited for a CPU.
    timing: Timing | None = None


def variant_bytes(root: Path, suffix: str) -> int:
    return sum(p.stat().st_size for p in root.rglob(f"*{suffix}") if p.is_file())


@dataclass
class Timing:
    """One command's wall and CPU seconds, and how long its threads waited for a CPU."""

    wall: float
    #: user + sys of the command and its workers.
    cpu: float
    #: Seconds its threads were ready to run but queued behind other work (Linux
    #: ``/proc/PID/task/*/schedstat``, sampled every 20 ms; 0 where unavailable). A large
    #: figure means the machine was busy; ``(cpu + wait) / wall`` at or above the CPU
    #: count means the tool kept every core wanted, so its wall time was set by the load.
    wait: float = 0.0

    @property
    def demand(self) -> float:
        """Threads wanting a CPU, on average over the run."""
        return (self.cpu + self.wait) / self.wall


def _thread_waits(pid: int, waits: dict[str, float]) -> None:
    """Record each live thread's runqueue wait so far (monotonic, so the last one wins)."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                waits[tid] = int(f.read().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            continue


def timed(cmd: list[str]) -> Timing:
    """Time one command from the outside: wall, CPU (workers included), runqueue wait."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    waits: dict[str, float] = {}
    with subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL) as process:
        while process.poll() is None:
            _thread_waits(process.pid, waits)
            time.sleep(0.02)
    wall = time.perf_counter() - started
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, cmd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Timing(wall, cpu, sum(waits.values()))


def run_whitenoise(tree: Path) -> Result:
    took = timed([sys.executable, "-m", "whitenoise.compress", "-q", str(tree)])
    gz, br = variant_bytes(tree, ".gz"), variant_bytes(tree, ".br")
    return Result(took.wall, took.cpu, gz, br, timing=took)


def run_pinknoise(tree: Path, executor: str) -> Result:
    cmd = [sys.executable, "-m", "pinknoise", "compress", "-q", "--encodings", "gzip,br"]
    cmd += ["--executor", executor, str(tree)]
    took = timed(cmd)
    gz, br = variant_bytes(tree, ".gz"), variant_bytes(tree, ".br")
    result = Result(took.wall, took.cpu, gz, br, timing=took)
    result.noop_seconds = timed(cmd).wall
    changed = largest_text_file(tree)
    with open(changed, "a") as f:
        f.write("\n/* changed */\n")
    result.one_changed_seconds = timed(cmd).wall
    return result


def largest_text_file(tree: Path) -> Path:
    """The largest .js/.css file: the edit that costs the most to redo."""
    candidates = [p for p in tree.rglob("*") if p.suffix in (".js", ".css", ".html", ".svg")]
    return max((p for p in candidates if p.is_file()), key=lambda p: p.stat().st_size)


def fresh_copy(source: Path, dest: Path) -> Path:
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(source, dest, symlinks=True)
    return dest


def tree_stats(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def bench_corpus(
    name: str, source: Path, work: Path, repeat: int, executors: tuple[str, ...]
) -> dict[str, Result]:
    """Best of ``repeat`` runs per tool; tools interleaved so load noise hits all alike.

    Every round is printed as it ends (wall, CPU, and the load average when it
    started), so a slow round can be told apart from a slow tool.
    """
    best: dict[str, Result] = {}
    tools = ["whitenoise", *(f"pinknoise-{kind}" for kind in executors)]
    for round_number in range(1, repeat + 1):
        for tool in tools:
            tree = fresh_copy(source, work / f"{name}-{tool}")
            load = os.getloadavg()[0]
            if tool == "whitenoise":
                result = run_whitenoise(tree)
            else:
                result = run_pinknoise(tree, tool.split("-")[1])
            print(
                f"  {name} round {round_number} {tool:<18} wall {result.seconds:7.2f} s "
                f"cpu {result.cpu:7.2f} s {_waiting(result.timing)} (load {load:.1f})",
                flush=True,
            )
            if tool not in best or result.seconds < best[tool].seconds:
                best[tool] = result
            shutil.rmtree(tree)
    return best


def _waiting(timing: Timing | None) -> str:
    if timing is None or not timing.wait:
        return ""
    return f"waited for a CPU {timing.wait:7.2f} s, demand {timing.demand:4.2f} threads"


def report(name: str, files: int, size: int, results: dict[str, Result]) -> bool:
    wn = results["whitenoise"]
    print(f"\n== {name}: {files} files, {size / 1e6:.1f} MB ==")
    header = f"{'tool':<20}{'wall s':>8}{'ratio':>7}{'cpu s':>8}{'.gz bytes':>13}{'.br bytes':>13}"
    print(f"{header}{'no-op s':>9}{'1 chg s':>9}")
    ok = True
    for tool, r in results.items():
        ratio = r.seconds / wn.seconds
        noop = "" if r.noop_seconds is None else f"{r.noop_seconds:.2f}"
        one = "" if r.one_changed_seconds is None else f"{r.one_changed_seconds:.2f}"
        print(
            f"{tool:<20}{r.seconds:>8.2f}{ratio:>7.2f}{r.cpu:>8.2f}"
            f"{r.gz_bytes:>13,}{r.br_bytes:>13,}{noop:>9}{one:>9}"
        )
    pn = results[DEFAULT_TOOL]
    checks = {
        f"time <= {TARGETS[name]}x WhiteNoise": pn.seconds <= TARGETS[name] * wn.seconds,
        ".gz bytes <= WhiteNoise": pn.gz_bytes <= wn.gz_bytes,
        ".br bytes <= WhiteNoise": pn.br_bytes <= wn.br_bytes,
        f"no-op rerun <= {NOOP_TARGET:.0%} of full run": (
            pn.noop_seconds is not None and pn.noop_seconds <= NOOP_TARGET * pn.seconds
        ),
    }
    assert pn.noop_seconds is not None
    print(
        f"pinknoise (threads, the default): {pn.seconds / wn.seconds:.2f}x WhiteNoise's "
        f"time; bytes .gz {pn.gz_bytes / wn.gz_bytes:.4f}x, .br {pn.br_bytes / wn.br_bytes:.4f}x; "
        f"no-op rerun {pn.noop_seconds / pn.seconds:.1%} of a full run; "
        f"one file changed {pn.one_changed_seconds or 0:.2f} s"
    )
    for label, passed in checks.items():
        print(f"  [{'ok' if passed else 'MISSED'}] {label}")
        ok = ok and passed
    return ok


@dataclass
class CorpusResult:
    files: int
    size: int
    results: dict[str, Result]  # tool -> result


def run(
    quick: bool = False,
    count: int | None = None,
    repeat: int = 1,
    names: tuple[str, ...] = tuple(TARGETS),
    executors: tuple[str, ...] = ("process", "thread"),
) -> dict[str, CorpusResult]:
    """Build the corpora in ``names`` and run every tool on each; results by corpus."""
    count = count or (1_000 if quick else 10_000)
    out: dict[str, CorpusResult] = {}
    with tempfile.TemporaryDirectory(prefix="pinknoise-bench-compress-") as scratch:
        work = Path(scratch)
        sources: dict[str, Path] = {}
        if {"real", "real-collectstatic"} & set(names):
            build_real(work / "src-real", quick)
            sources["real"] = work / "src-real"
        if "real-collectstatic" in names:
            build_collectstatic(work / "src-real-collectstatic", work / "src-real")
            sources["real-collectstatic"] = work / "src-real-collectstatic"
        if "small" in names:
            build_small(work / "src-small", count)
            sources["small"] = work / "src-small"
        if "small-hashed" in names:
            build_small(work / "src-small-hashed", count, hashed=True)
            sources["small-hashed"] = work / "src-small-hashed"
        for name in names:
            files, size = tree_stats(sources[name])
            results = bench_corpus(name, sources[name], work, repeat, executors)
            out[name] = CorpusResult(files, size, results)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="admin only, 1,000 small files")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs per tool")
    parser.add_argument("--files", type=int, default=None, help="small-tree file count")
    parser.add_argument(
        "--corpus",
        action="append",
        choices=tuple(TARGETS),
        help="only this corpus (repeatable; default: all)",
    )
    parser.add_argument(
        "--executors",
        default="process,thread",
        help="pinknoise executor kinds to run, comma-separated (default: process,thread)",
    )
    parser.add_argument(
        "--collectstatic",
        action="store_true",
        help="only: collectstatic of the admin, WhiteNoise's compressing storage vs ours",
    )
    args = parser.parse_args()
    if args.collectstatic:
        best = bench_collectstatic(max(args.repeat, 1))
        ok = True
        for case in COLLECT_CASES:
            for tool in COLLECT_STORAGES:
                print(
                    f"collectstatic (admin, gzip + brotli), {case}, with {tool}'s storage: "
                    f"{best[tool, case]:.2f} s"
                )
            ratio = best["pinknoise", case] / best["whitenoise", case]
            print(
                f"  [{'ok' if ratio <= 1 else 'MISSED'}] pinknoise {ratio:.2f}x WhiteNoise's time"
            )
            ok = ok and ratio <= 1
        noop = best["pinknoise", "no-op"] / best["pinknoise", "fresh"]
        print(
            f"  pinknoise's no-op rerun: {noop:.0%} of its fresh run (Django's start-up included)"
        )
        return 0 if ok else 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"python {sys.version.split()[0]}, {cpus} CPUs, load {os.getloadavg()[0]:.2f}")
    ok = True
    names = tuple(args.corpus or TARGETS)
    executors = tuple(kind for kind in args.executors.split(",") if kind)
    if DEFAULT_TOOL.split("-")[1] not in executors:
        parser.error(f"--executors must include {DEFAULT_TOOL.split('-')[1]}, the default")
    for name, corpus in run(args.quick, args.files, args.repeat, names, executors).items():
        ok = report(name, corpus.files, corpus.size, corpus.results) and ok
    print(f"\nload after: {os.getloadavg()[0]:.2f} (other work on the machine skews times)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
