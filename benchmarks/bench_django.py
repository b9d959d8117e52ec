"""Django: ``pinknoise.django.wrap()`` against the middlewares, in process and over HTTP.

One static hit, the admin's hashed ``admin/css/base.css`` with ``Accept-Encoding`` as
Chromium sends it (``gzip, deflate, br, zstd``: answered with the ``.br`` file), on the
example project (``examples/django_site``) after a real ``collectstatic`` with the
compressing manifest storage: ``pinknoise.storage.CompressedManifestStaticFilesStorage``
for pinknoise, ``whitenoise.storage.CompressedManifestStaticFilesStorage`` into its own
``STATIC_ROOT`` for WhiteNoise. Three ways to serve it from the same project:

* ``wrap``: ``wrap(get_wsgi_application())`` / ``wrap(get_asgi_application())``, the
  example's own ``djsite.wsgi`` / ``djsite.asgi``: answered before Django's handler;
* ``pinknoise-mw``: ``PinkNoiseMiddleware`` right after SecurityMiddleware in the
  example's usual stack (sessions, common, csrf, auth, messages, clickjacking), the
  application not wrapped (``django_bench.settings_pinknoise_mw``);
* ``whitenoise-mw``: ``WhiteNoiseMiddleware`` there instead, with WhiteNoise's storage
  (``django_bench.settings_whitenoise_mw``).

Two measurements, in one run:

* **in process** (a child interpreter, so Django's settings stay out of the caller):
  each way under Django's ``WSGIHandler`` and ``ASGIHandler``, called as in
  ``bench_wsgi_inprocess`` / ``bench_asgi_inprocess`` (gunicorn-shaped environ;
  uvicorn-shaped scope without pathsend, one asyncio loop); us per request, median over
  rounds that rotate the order of the six variants;
* **over HTTP** (``wrk -t1 -c32``, 127.0.0.1, rounds rotating the set-ups, medians):
  gunicorn ``-w 2 -k sync`` + each way; uvicorn ``--workers 2`` + WhiteNoise's
  middleware under Django's ASGI handler; granian ``--interface asgi --workers 2`` +
  pinknoise's middleware, + ``wrap(get_asgi_application())``, and + plain
  ``PinkNoiseASGI(None, STATIC_ROOT, prefix="/static/")`` over the same files.

Every variant and set-up is first checked (status 200, ``Content-Encoding: br``, the
``.br`` file's bytes; in process, ``wrap()``'s headers equal the middleware's); problems
are printed and flagged ``!``. The goals are
issue 15's; they are printed with the ratios, never turned into an exit status.

    .venv/bin/python benchmarks/bench_django.py            # ~2 minutes
    .venv/bin/python benchmarks/bench_django.py --quick    # < 30 s
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import bench_asgi_inprocess as bench_asgi
import bench_http
import bench_wsgi_inprocess as bench_wsgi
import targets

BENCH_DIR = Path(__file__).resolve().parent
EXAMPLE = targets.REPO / "examples" / "django_site"
ASSET = "admin/css/base.css"
ACCEPT_ENCODING = "gzip, deflate, br, zstd"  # what Chromium sends (since 123)
HOST = bench_http.HOST
CONNECTIONS = 32
WORKERS = 2
GUNICORN_ARGS = ("-w", str(WORKERS), "-k", "sync", "--log-level", "warning")

#: way -> (settings module, which STATIC_ROOT it collects into and serves)
WAYS: dict[str, tuple[str, str]] = {
    "wrap": ("djsite.settings", "pinknoise"),
    "pinknoise-mw": ("django_bench.settings_pinknoise_mw", "pinknoise"),
    "whitenoise-mw": ("django_bench.settings_whitenoise_mw", "whitenoise"),
}
WAY_LABEL = {"wrap": "wrap()", "pinknoise-mw": "pinknoise mw", "whitenoise-mw": "whitenoise mw"}
VARIANTS = [f"{kind} {way}" for kind in ("WSGI", "ASGI") for way in WAYS]

#: label -> (server, entry point, way); the order is the print order.
SETUPS: dict[str, tuple[str, str, str]] = {
    "gunicorn+whitenoise-mw": ("gunicorn", "django_bench.wsgi:application", "whitenoise-mw"),
    "gunicorn+pinknoise-mw": ("gunicorn", "django_bench.wsgi:application", "pinknoise-mw"),
    "gunicorn+wrap": ("gunicorn", "djsite.wsgi:application", "wrap"),
    "uvicorn+whitenoise-mw": ("uvicorn", "django_bench.asgi:application", "whitenoise-mw"),
    "granian+pinknoise-mw": ("granian", "django_bench.asgi:application", "pinknoise-mw"),
    "granian+wrap": ("granian", "djsite.asgi:application", "wrap"),
    "granian+PinkNoiseASGI": ("granian", "django_bench.plain_asgi:application", "wrap"),
}


@dataclass(frozen=True)
class Goal:
    """``figure`` at most (``lower``) or at least ``factor`` times ``reference``."""

    figure: str
    reference: str
    factor: float
    lower: bool  # True: a time, at most factor x; False: a rate, at least factor x
    short: str = ""  # the reference in the summary table, where it is a column

    @property
    def text(self) -> str:
        return f"{'<=' if self.lower else '>='} {self.factor:g}x {self.reference}"

    @property
    def short_text(self) -> str:
        return f"{'<=' if self.lower else '>='} {self.factor:g}x {self.short or self.reference}"

    def check(self, values: dict[str, float]) -> tuple[float | None, bool | None]:
        a, b = values.get(self.figure), values.get(self.reference)
        if not a or not b:
            return None, None
        ratio = a / b
        return ratio, ratio <= self.factor if self.lower else ratio >= self.factor


# Issue 15's targets.
INPROCESS_GOALS = (
    Goal("WSGI wrap", "WSGI pinknoise-mw", 0.1, lower=True, short="pinknoise mw"),
    Goal("ASGI wrap", "ASGI pinknoise-mw", 0.1, lower=True, short="pinknoise mw"),
)
HTTP_GOALS = (
    Goal("gunicorn+wrap", "gunicorn+whitenoise-mw", 1.3, lower=False, short="wn"),
    Goal("granian+wrap", "uvicorn+whitenoise-mw", 20, lower=False, short="wn"),
    Goal("granian+wrap", "granian+PinkNoiseASGI", 0.9, lower=False, short="PinkNoiseASGI"),
)


def src_dir() -> str:
    """The pinknoise source benchmarked (the checkout's, or run.py's snapshot)."""
    return os.environ.get(targets.SRC_ENV) or str(targets.REPO / "src")


def django_env(way: str, roots: dict[str, Path]) -> dict[str, str]:
    """Environment for the example project configured as ``way``."""
    settings, root = WAYS[way]
    path = [src_dir(), str(EXAMPLE), str(BENCH_DIR), os.environ.get("PYTHONPATH", "")]
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": settings,
        "DJANGO_STATIC_ROOT": str(roots[root]),
        "DJANGO_DATABASE": str(roots[root].parent / "db.sqlite3"),
        "PYTHONPATH": os.pathsep.join(filter(None, path)),
    }


def collect(tmp: Path) -> dict[str, Path]:
    """``manage.py collectstatic`` for pinknoise's and WhiteNoise's storage, in parallel."""
    roots = {"pinknoise": tmp / "pinknoise" / "static", "whitenoise": tmp / "whitenoise" / "static"}
    procs = {}
    for way in ("wrap", "whitenoise-mw"):
        root = WAYS[way][1]
        roots[root].parent.mkdir(parents=True)
        cmd = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
        procs[root] = subprocess.Popen(
            cmd,
            cwd=EXAMPLE,
            env=django_env(way, roots),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    for root, proc in procs.items():
        out, err = proc.communicate(timeout=300)
        if proc.returncode:
            raise RuntimeError(f"collectstatic ({root}) failed:\n{(out + err).decode()[-2000:]}")
    return roots


def asset(root: Path) -> tuple[str, bytes]:
    """The hashed URL path of ``ASSET`` in ``root``'s manifest, and its ``.br`` bytes."""
    manifest = json.loads((root / "staticfiles.json").read_text())
    name = manifest["paths"][ASSET]
    return f"/static/{name}", (root / f"{name}.br").read_bytes()


# --- in process --------------------------------------------------------------------------


@dataclass
class InprocessResult:
    variants: list[str]
    us: dict[str, float] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # variant -> response
    paths: dict[str, str] = field(default_factory=dict)
    br_size: int = 0
    requests: int = 0
    rounds: int = 0


def check(status: int, headers: dict[str, str], body: bytes, br: bytes) -> list[str]:
    if status != 200:
        return [f"status {status}, expected 200"]
    problems = []
    if headers.get("content-encoding") != "br":
        problems.append(f"content-encoding {headers.get('content-encoding')!r}, expected 'br'")
    elif body != br:
        problems.append("body is not the .br file")
    return problems


def _inprocess_child(roots: dict[str, Path], requests: int, rounds: int) -> InprocessResult:
    """In the child interpreter: build the six applications, check them, time them."""
    sys.path[:0] = [src_dir(), str(EXAMPLE), str(BENCH_DIR)]
    import django

    django.setup()
    import django_bench.settings_pinknoise_mw as pink_mw
    import django_bench.settings_whitenoise_mw as white_mw
    from django.core.handlers.asgi import ASGIHandler
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings

    from pinknoise.django import wrap

    overrides: dict[str, dict[str, Any]] = {
        "wrap": {},
        "pinknoise-mw": {"MIDDLEWARE": pink_mw.MIDDLEWARE},
        "whitenoise-mw": {
            "MIDDLEWARE": white_mw.MIDDLEWARE,
            "STORAGES": white_mw.STORAGES,
            "STATIC_ROOT": str(roots["whitenoise"]),
        },
    }
    wsgi: dict[str, Any] = {}
    asgi: dict[str, Any] = {}
    for way, override in overrides.items():
        with override_settings(**override):  # middleware and storage read settings at init
            wsgi[f"WSGI {way}"] = WSGIHandler()
            asgi[f"ASGI {way}"] = ASGIHandler()
            if way == "wrap":
                wsgi["WSGI wrap"] = wrap(wsgi["WSGI wrap"])
                asgi["ASGI wrap"] = wrap(asgi["ASGI wrap"])
    res = InprocessResult(list(VARIANTS), requests=requests, rounds=rounds)
    environs: dict[str, dict[str, Any]] = {}
    scopes: dict[str, dict[str, Any]] = {}
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    for variant in VARIANTS:
        kind, way = variant.split()
        path, br = asset(roots[WAYS[way][1]])
        res.paths[variant], res.br_size = path, len(br)
        if kind == "WSGI":
            env = bench_wsgi.base_environ(path) | {"HTTP_ACCEPT_ENCODING": ACCEPT_ENCODING}
            environs[variant] = env
            wsgi_resp = bench_wsgi.call(wsgi[variant], dict(env))
            status, headers, body = wsgi_resp.status, wsgi_resp.headers, wsgi_resp.body
        else:
            ae = {"HTTP_ACCEPT_ENCODING": ACCEPT_ENCODING}
            scope = scopes[variant] = bench_asgi.base_scope(path, ae, pathsend=False)
            asgi_resp = loop.run_until_complete(bench_asgi.call(asgi[variant], scope))
            status, headers, body = asgi_resp.status, asgi_resp.headers, asgi_resp.body
        res.problems[variant] = check(status, headers, body, br)
        res.headers[variant] = headers
    for kind in ("WSGI", "ASGI"):  # wrap() promises the middleware's headers, exactly
        wrapped, middleware = res.headers[f"{kind} wrap"], res.headers[f"{kind} pinknoise-mw"]
        if wrapped != middleware:
            diff = set(wrapped.items()) ^ set(middleware.items())
            res.problems[f"{kind} wrap"].append(f"headers differ from the middleware's: {diff}")

    def batch(variant: str, n: int) -> float:
        """Mean us per request over ``n`` requests."""
        gc.collect()
        if variant in wsgi:
            environ = environs[variant]
            elapsed = bench_wsgi.run_batch(wsgi[variant], [dict(environ) for _ in range(n)])
        else:
            scope = scopes[variant]
            batch_scopes = [dict(scope) for _ in range(n)]
            elapsed = loop.run_until_complete(bench_asgi.run_batch(asgi[variant], batch_scopes))
        return elapsed / n / 1000

    sizes = {v: bench_wsgi.batch_size(batch(v, 20) * 1000, requests) for v in VARIANTS}
    samples: dict[str, list[float]] = {v: [] for v in VARIANTS}
    for r in range(rounds):
        for variant in VARIANTS[r % len(VARIANTS) :] + VARIANTS[: r % len(VARIANTS)]:
            samples[variant].append(batch(variant, sizes[variant]))
    res.us = {v: statistics.median(s) for v, s in samples.items()}
    loop.close()
    return res


def run_inprocess(roots: dict[str, Path], requests: int, rounds: int) -> InprocessResult:
    """The in-process part in a child interpreter (Django is configured once per process)."""
    arg = json.dumps({"roots": {k: str(v) for k, v in roots.items()}, "requests": requests,
                      "rounds": rounds})  # fmt: skip
    cmd = [sys.executable, __file__, "--inprocess-child", arg]
    out = subprocess.run(cmd, env=django_env("wrap", roots), capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"in-process child failed:\n{out.stderr[-3000:]}")
    return InprocessResult(**json.loads(out.stdout.splitlines()[-1]))


def inprocess_goals(res: InprocessResult) -> list[tuple[Goal, float | None, bool | None]]:
    return [(g, *g.check(res.us)) for g in INPROCESS_GOALS]


# --- over HTTP ---------------------------------------------------------------------------


@dataclass
class HttpResult:
    setups: list[str]
    paths: dict[str, str] = field(default_factory=dict)
    rps: dict[str, float] = field(default_factory=dict)
    rps_rounds: dict[str, list[float]] = field(default_factory=dict)  # each round's, in order
    latency_ms: dict[str, dict[str, float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=dict)
    seconds: int = 0
    rounds: int = 0
    skipped: str = ""


def server_command(server: str, entry: str, port: int) -> list[str]:
    bind = ["--host", HOST, "--port", str(port)]
    quiet = ["--log-level", "warning", "--no-access-log"]
    if server == "gunicorn":
        return [sys.executable, "-m", "gunicorn", *GUNICORN_ARGS, "-b", f"{HOST}:{port}", entry]
    if server == "uvicorn":
        return [sys.executable, "-m", "uvicorn", *bind, "--workers", str(WORKERS), *quiet, entry]
    if server == "granian":
        granian = [sys.executable, "-m", "granian", "--interface", "asgi", *bind]
        return [*granian, "--workers", str(WORKERS), *quiet, entry]
    raise ValueError(server)


def start(name: str, roots: dict[str, Path]) -> bench_http.Server:
    server, entry, way = SETUPS[name]
    port = bench_http.free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by bench_http.stop()
    proc = subprocess.Popen(
        server_command(server, entry, port),
        env=django_env(way, roots),
        cwd=roots[WAYS[way][1]].parent,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    return bench_http.Server(name, port, proc, log)


@contextlib.contextmanager
def servers(names: list[str], roots: dict[str, Path]) -> Iterator[dict[str, bench_http.Server]]:
    """Start every set-up at once, wait for all; stop every one on the way out."""
    started: dict[str, bench_http.Server] = {}
    try:
        for name in names:
            started[name] = start(name, roots)
        for name, srv in started.items():
            bench_http.wait_ready(srv, asset(roots[WAYS[SETUPS[name][2]][1]])[0], timeout=90)
        yield started
    finally:
        for srv in started.values():  # all at once: each takes a moment to shut down
            if srv.proc.poll() is None:
                srv.proc.terminate()
        for srv in started.values():
            bench_http.stop(srv)


def http_check(port: int, path: str, br: bytes) -> list[str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": ACCEPT_ENCODING})
        resp = conn.getresponse()
        body = resp.read()
        headers = {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()
    return check(resp.status, headers, body, br)


def run_http(
    roots: dict[str, Path],
    seconds: int,
    rounds: int,
    warmup: bool = True,
    setups: list[str] | None = None,
) -> HttpResult:
    names = setups or list(SETUPS)
    wrk_bin = bench_http.ensure_tools()["wrk"]
    if wrk_bin is None:
        return HttpResult([], skipped="wrk not installed")
    res = HttpResult(names, seconds=seconds, rounds=rounds)
    header = (f"Accept-Encoding: {ACCEPT_ENCODING}",)
    with servers(names, roots) as live:
        for name, srv in live.items():
            path, br = asset(roots[WAYS[SETUPS[name][2]][1]])
            res.paths[name] = path
            res.problems[name] = http_check(srv.port, path, br)
            if warmup:
                bench_http.wrk(wrk_bin, srv.port, path, 1, CONNECTIONS, header)
        runs: dict[str, list[bench_http.WrkRun]] = {n: [] for n in names}
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                port, path = live[name].port, res.paths[name]
                runs[name].append(bench_http.wrk(wrk_bin, port, path, seconds, CONNECTIONS, header))
    for name in names:
        res.rps_rounds[name] = [x.rps for x in runs[name]]
        res.rps[name] = statistics.median(res.rps_rounds[name])
        res.latency_ms[name] = {
            p: statistics.median(x.latency_ms[p] for x in runs[name])
            for p in bench_http.PERCENTILES
        }
        res.errors[name] = sum(x.errors for x in runs[name])
    return res


def http_goals(res: HttpResult) -> list[tuple[Goal, float | None, bool | None]]:
    return [(g, *g.check(res.rps)) for g in HTTP_GOALS]


# --- both --------------------------------------------------------------------------------


@dataclass
class DjangoResult:
    inprocess: InprocessResult | None = None
    http: HttpResult | None = None
    skipped: str = ""


def missing() -> str:
    """Why this benchmark cannot run here, or ""."""
    for dist in ("django", "whitenoise", "gunicorn", "uvicorn", "granian"):
        if shutil.which(dist) is None and not _importable(dist):
            return f"{dist} is not installed: pip install -e '.[bench]'"
    return ""


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def run(
    requests: int = 2000,
    rounds: int = 11,
    seconds: int = 5,
    http_rounds: int = 3,
    warmup: bool = True,
    parts: tuple[str, ...] = ("inprocess", "http"),
    setups: list[str] | None = None,
) -> DjangoResult:
    if why := missing():
        return DjangoResult(skipped=why)
    res = DjangoResult()
    with tempfile.TemporaryDirectory(prefix="pinknoise-bench-django-") as tmp:
        roots = collect(Path(tmp))
        if "inprocess" in parts:
            res.inprocess = run_inprocess(roots, requests, rounds)
        if "http" in parts:
            res.http = run_http(roots, seconds, http_rounds, warmup, setups)
    return res


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else "-"


def _goal_lines(goals: list[tuple[Goal, float | None, bool | None]]) -> list[str]:
    lines = []
    for goal, ratio, met in goals:
        verdict = "-" if met is None else ("met" if met else "MISSED")
        shown = f"{ratio:.3f}x" if ratio is not None else "-"
        lines.append(f"goal: {goal.figure} {goal.text}: {shown}  {verdict}")
    return lines


def format_inprocess(res: InprocessResult) -> str:
    head = f"{'variant':<20}{'us':>10}{'vs pinknoise mw':>17}{'vs whitenoise mw':>18}"
    lines = [head, "-" * len(head)]
    for v in res.variants:
        kind = v.split()[0]
        flag = "!" if res.problems[v] else " "
        pink, white = res.us.get(f"{kind} pinknoise-mw"), res.us.get(f"{kind} whitenoise-mw")
        label = f"{kind} {WAY_LABEL[v.split()[1]]}"
        lines.append(
            f"{label:<20}{res.us[v]:>9.2f}{flag}{_ratio(res.us[v], pink):>17}"
            f"{_ratio(res.us[v], white):>18}"
        )
    lines.append(
        f"GET {res.paths.get('WSGI wrap', '')} (the .br, {res.br_size} B), Accept-Encoding: "
        f"{ACCEPT_ENCODING}; WSGIHandler / ASGIHandler (scope without pathsend), in process; "
        f"median of {res.rounds} rotating rounds x up to {res.requests} requests (about "
        "40 ms) per variant; lower is better. mw = the middleware right after "
        "SecurityMiddleware in the example's usual stack."
    )
    lines += _goal_lines(inprocess_goals(res))
    for v in res.variants:
        lines += [f"! {v}: {p}" for p in res.problems[v]]
    return "\n".join(lines)


def format_http(res: HttpResult) -> str:
    if res.skipped:
        return f"HTTP part skipped: {res.skipped}"
    pcts = bench_http.PERCENTILES
    head = f"{'set-up':<24}{'req/s':>9}" + "".join(f"{'p' + p[:-1] + ' ms':>9}" for p in pcts)
    head += f"{'rounds min-max':>16}{'vs gunicorn+wn mw':>19}{'errors':>8}"
    lines = [head, "-" * len(head)]
    base = res.rps.get("gunicorn+whitenoise-mw")
    for n in res.setups:
        flag = "!" if res.problems[n] else " "
        lat = "".join(f"{res.latency_ms[n][p]:>9.2f}" for p in pcts)
        spread = f"{min(res.rps_rounds[n]):.0f}-{max(res.rps_rounds[n]):.0f}"
        lines.append(
            f"{n:<24}{res.rps[n]:>8.0f}{flag}{lat}{spread:>16}{_ratio(res.rps[n], base):>19}"
            f"{res.errors[n]:>8}"
        )
    lines.append(
        f"GET {next(iter(res.paths.values()), '')} (br), wrk -t1 -c{CONNECTIONS} "
        f"-d{res.seconds}s on {HOST}; median of {res.rounds} rotating rounds; higher is better. "
        f"gunicorn {' '.join(GUNICORN_ARGS[:4])}; uvicorn --workers {WORKERS}; granian "
        f"--interface asgi --workers {WORKERS}. wn mw = WhiteNoise's middleware."
    )
    lines += _goal_lines(http_goals(res))
    for n in res.setups:
        lines += [f"! {n}: {p}" for p in res.problems[n]]
    return "\n".join(lines)


def format_table(res: DjangoResult) -> str:
    if res.skipped:
        return f"skipped: {res.skipped}"
    parts = []
    if res.inprocess:
        parts.append(format_inprocess(res.inprocess))
    if res.http:
        parts.append(format_http(res.http))
    return "\n\n".join(parts)


def parse_setups(value: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    if unknown := [n for n in names if n not in SETUPS]:
        raise ValueError(f"unknown set-up(s) {unknown}; choose from {list(SETUPS)}")
    return names


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--inprocess-child":
        args = json.loads(sys.argv[2])
        roots = {k: Path(v) for k, v in args["roots"].items()}
        child = _inprocess_child(roots, args["requests"], args["rounds"])
        print(json.dumps(asdict(child)))
        return
    parser = argparse.ArgumentParser(description="Django: wrap() vs the middlewares.")
    parser.add_argument("--requests", type=int, default=2000, help="most requests per batch")
    parser.add_argument("--rounds", type=int, default=11, help="in-process rounds")
    parser.add_argument("--seconds", type=int, default=5, help="duration of each wrk run")
    parser.add_argument("--http-rounds", type=int, default=3)
    parser.add_argument("--parts", default="inprocess,http", help="inprocess,http")
    parser.add_argument("--setups", type=parse_setups, help=f"a comma list of {list(SETUPS)}")
    parser.add_argument("--quick", action="store_true", help="CI smoke test, < 30 s")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.rounds, args.seconds, args.http_rounds = 200, 3, 1, 1
    parts = tuple(p for p in args.parts.split(",") if p)
    res = run(
        args.requests, args.rounds, args.seconds, args.http_rounds, not args.quick, parts,
        args.setups,
    )  # fmt: skip
    print(format_table(res))


if __name__ == "__main__":
    main()
