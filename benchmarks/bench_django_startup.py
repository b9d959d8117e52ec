"""Django start-up: constructing PinkNoiseMiddleware over N collected files.

Builds a project's static sources (N files: JS, CSS, SVG, PNG), runs a real
``collectstatic`` with ``pinknoise.storage.CompressedStaticFilesStorage`` (so
``STATIC_ROOT`` holds the N files, their ``.br``/``.gz``/``.zst`` variants and the
start-up snapshot ``.pinknoise-catalog.json``), then times the middleware's
construction in fresh interpreters:

* ``snapshot``: as collectstatic left it, the catalog is built from the snapshot;
* ``walk``: the snapshot moved aside, so the tree is walked and every file stat-ed;
* ``whitenoise``: WhiteNoiseMiddleware over the same ``STATIC_ROOT``, for reference.

Each child imports Django and the middleware first, then times only the construction
(wall and CPU), then answers one request to check it serves. Targets alternate within
each round (rotating order); figures are medians. The tree is on a local disk with a
warm page cache, so ``walk`` is the *best* case for walking: on a network file system,
where each stat is a round trip, the gap is far larger.

    .venv/bin/python benchmarks/bench_django_startup.py                # 10,000 files
    .venv/bin/python benchmarks/bench_django_startup.py --files 2000 --rounds 3
    .venv/bin/python benchmarks/bench_django_startup.py --manifest   # hashed names too
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SNAPSHOT = ".pinknoise-catalog.json"
BEGIN, END = b"pinknoise-bench-begin\n", b"pinknoise-bench-end\n"
#: File-system system calls counted during construction (``--syscalls``).
FS_CALLS = ("stat", "lstat", "fstat", "newfstatat", "statx", "openat", "getdents64", "readlink")
TARGETS = ("snapshot", "walk", "whitenoise")
REPO = Path(__file__).resolve().parents[1]
#: The storage collectstatic uses; children read the choice from the environment.
STORAGE_ENV = "PINKNOISE_BENCH_STORAGE"
STORAGE = {
    "plain": "pinknoise.storage.CompressedStaticFilesStorage",
    "manifest": "pinknoise.storage.CompressedManifestStaticFilesStorage",
}


def build_sources(root: Path, count: int) -> str:
    """``count`` deterministic files under ``root``; returns one URL path to request."""
    rng = random.Random(1)
    words = ("static", "serve", "cache", "header", "request", "response", "range", "vary")
    for index in range(count):
        package, sub = index // 500, (index // 50) % 10
        kind = index % 10
        directory = root / f"pkg{package:03d}" / f"sub{sub}"
        directory.mkdir(parents=True, exist_ok=True)
        if kind < 4:
            body = "".join(
                f"function {rng.choice(words)}{i}(a) {{ return a + {i}; }}\n"
                for i in range(rng.randrange(20, 120))
            )
            (directory / f"m{index}.js").write_text(body)
        elif kind < 7:
            body = "".join(
                f".{rng.choice(words)}-{i} {{ margin: {i}px; color: #{i:06x}; }}\n"
                for i in range(rng.randrange(20, 120))
            )
            (directory / f"s{index}.css").write_text(body)
        elif kind < 8:
            (directory / f"i{index}.svg").write_text(
                '<svg xmlns="http://www.w3.org/2000/svg">'
                + "".join(f'<rect x="{i}" width="{i}"/>' for i in range(rng.randrange(10, 60)))
                + "</svg>"
            )
        else:
            (directory / f"p{index}.png").write_bytes(rng.randbytes(rng.randrange(500, 4000)))
    return "/static/pkg000/sub0/m0.js"


def _settings(static_root: str, sources: str) -> dict[str, Any]:
    return {
        "DEBUG": False,
        "SECRET_KEY": "bench",
        "ALLOWED_HOSTS": ["*"],
        "INSTALLED_APPS": ["django.contrib.staticfiles"],
        "STATIC_URL": "/static/",
        "STATIC_ROOT": static_root,
        "STATICFILES_DIRS": [sources],
        "STORAGES": {"staticfiles": {"BACKEND": STORAGE[os.environ.get(STORAGE_ENV, "plain")]}},
        "ROOT_URLCONF": __name__,
    }


urlpatterns: list[Any] = []


def child(target: str, static_root: str, sources: str, url: str) -> dict[str, Any]:
    """In a fresh interpreter: time one construction of one middleware."""
    import django
    from django.conf import settings
    from django.http import HttpResponse
    from django.test import RequestFactory

    settings.configure(**_settings(static_root, sources))
    django.setup()
    if target == "whitenoise":
        from whitenoise.middleware import WhiteNoiseMiddleware as middleware_class
    else:
        from pinknoise.middleware import PinkNoiseMiddleware as middleware_class
    request = RequestFactory().get(url)
    os.write(2, BEGIN)  # markers for the strace count
    c0, t0 = time.process_time(), time.perf_counter()
    middleware = middleware_class(lambda request: HttpResponse(status=404))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    os.write(2, END)
    response = middleware(request)
    return {"seconds": seconds, "cpu": cpu, "status": response.status_code}


def collect(static_root: Path, sources: Path) -> float:
    """Run a real collectstatic in a child process; returns its wall time."""
    code = (
        "import sys, django; from django.conf import settings; "
        "from django.core.management import call_command; "
        f"sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        "import bench_django_startup as b; "
        f"settings.configure(**b._settings({str(static_root)!r}, {str(sources)!r})); "
        "django.setup(); call_command('collectstatic', interactive=False, verbosity=0)"
    )
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
    return time.perf_counter() - t0


def measure(
    target: str, static_root: Path, sources: Path, url: str, strace: bool = False
) -> dict[str, Any]:
    """One fresh-interpreter measurement; under strace, the file-system call count."""
    snapshot = static_root / SNAPSHOT
    aside = static_root.parent / "snapshot-aside.json"
    hide = target != "snapshot"
    argv = [sys.executable, __file__, "--child", target, str(static_root), str(sources), url]
    trace = static_root.parent / "strace.txt"
    if strace:
        calls = ",".join(FS_CALLS) + ",write"
        argv = ["strace", "-f", "-qq", "-e", f"trace={calls}", "-o", str(trace), *argv]
    if hide:
        snapshot.rename(aside)
    try:
        output = subprocess.run(argv, check=True, capture_output=True, text=True, cwd=REPO).stdout
    finally:
        if hide:
            aside.rename(snapshot)
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    if strace:
        result["fs_calls"] = _count_between_markers(trace.read_text())
    return result


def _count_between_markers(trace: str) -> int:
    inside, count = False, 0
    for line in trace.splitlines():
        if BEGIN.decode().strip() in line:
            inside = True
        elif END.decode().strip() in line:
            break
        elif inside and line.split(None, 1)[-1].startswith(FS_CALLS):
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--manifest",
        action="store_true",
        help="collect with CompressedManifestStaticFilesStorage (hashed copies: 2N files)",
    )
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument(
        "--no-syscalls",
        action="store_true",
        help="skip the file-system call count (needs strace)",
    )
    args = parser.parse_args()
    if args.child:
        target, static_root, sources, url = args.child
        print(json.dumps(child(target, static_root, sources, url)))
        return

    os.environ[STORAGE_ENV] = "manifest" if args.manifest else "plain"
    with tempfile.TemporaryDirectory(prefix="pn-django-startup-") as temp:
        sources, static_root = Path(temp) / "src", Path(temp) / "static"
        url = build_sources(sources, args.files)
        took = collect(static_root, sources)
        files = [p for p in static_root.rglob("*") if p.is_file()]
        variants = sum(p.suffix in (".br", ".gz", ".zst") for p in files)
        print(
            f"collectstatic of {args.files:,} files: {took:.1f} s; STATIC_ROOT holds "
            f"{len(files):,} files ({variants:,} precompressed variants)"
        )
        results: dict[str, list[dict[str, Any]]] = {target: [] for target in TARGETS}
        for round_ in range(args.rounds):
            order = TARGETS[round_ % 3 :] + TARGETS[: round_ % 3]
            for target in order:
                result = measure(target, static_root, sources, url)
                if result["status"] != 200:
                    raise SystemExit(f"{target} answered {result['status']} for {url}")
                results[target].append(result)
        syscalls = {}
        if not args.no_syscalls and shutil.which("strace"):
            syscalls = {t: measure(t, static_root, sources, url, strace=True) for t in TARGETS}

    print(f"\nmiddleware construction, median of {args.rounds} fresh interpreters:")
    print(f"{'target':<12}{'wall ms':>10}{'cpu ms':>10}{'cpu vs walk':>13}{'fs calls':>10}")
    walk_cpu = statistics.median(r["cpu"] for r in results["walk"])
    for target in TARGETS:
        wall = statistics.median(r["seconds"] for r in results[target])
        cpu = statistics.median(r["cpu"] for r in results[target])
        calls = syscalls.get(target, {}).get("fs_calls", "-")
        print(
            f"{target:<12}{wall * 1000:>10.1f}{cpu * 1000:>10.1f}"
            f"{cpu / walk_cpu:>12.2f}x{calls:>10}"
        )
    print(
        "\nfs calls: stat/open/getdents/readlink system calls made during construction, "
        "counted with strace (each is a round trip on a network file system)."
    )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
