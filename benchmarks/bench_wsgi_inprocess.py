"""In-process WSGI benchmark: microseconds per request, no server, no sockets.

Each target (pinknoise, WhiteNoise, ServeStatic) wraps the same trivial inner app over the
same site tree at the same prefix. A request is: call the app with a prebuilt environ
(carrying a gunicorn-like ``wsgi.file_wrapper``) and a no-op ``start_response``, iterate the
returned body to the end, call its ``close()``. Targets are interleaved in rounds (the
order rotates each round) so machine drift hits all of them alike; the figure is the
median over rounds of the mean time per request within a round's batch.

Before timing, every (target, case) is checked once for the expected status, body bytes
and key headers; a mismatch is printed as a finding and flagged ``!`` in the table.

    .venv/bin/python benchmarks/bench_wsgi_inprocess.py            # ~30 s
    .venv/bin/python benchmarks/bench_wsgi_inprocess.py --quick    # a few seconds
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import targets
from corpus import HERO_JPG, SiteFile, build_site


class FileWrapper:
    """Like gunicorn's ``wsgi.file_wrapper``: iterate a file in ``blksize`` reads."""

    def __init__(self, filelike: BinaryIO, blksize: int = 8192) -> None:
        self.filelike = filelike
        self.blksize = blksize

    def __iter__(self) -> Iterator[bytes]:
        read, size = self.filelike.read, self.blksize
        while chunk := read(size):
            yield chunk

    def close(self) -> None:
        close = getattr(self.filelike, "close", None)
        if close is not None:
            close()


def base_environ(path: str) -> dict[str, Any]:
    """A GET environ shaped like the one gunicorn builds for ``path``."""
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "RAW_URI": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "50000",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_USER_AGENT": "bench/1.0",
        "HTTP_ACCEPT": "*/*",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.file_wrapper": FileWrapper,
    }


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    headers: dict[str, str]  # environ keys, e.g. HTTP_RANGE
    status: int
    etag_from_identity: bool = False  # add If-None-Match with the target's own ETag


RANGE = (100, 199)
LARGE_FILE = "js/vendor.js"  # 200 KB: above pinknoise's 128 KB in-memory body limit


def cases(static_path: str) -> list[Case]:
    return [
        Case("identity hit", static_path, {}, 200),
        Case("br hit", static_path, {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}, 200),
        Case("304", static_path, {}, 304, etag_from_identity=True),
        Case("miss", f"/{targets.PREFIX}/no/such/file.js", {}, 404),
        Case("range", static_path, {"HTTP_RANGE": f"bytes={RANGE[0]}-{RANGE[1]}"}, 206),
        Case("200KB hit", f"/{targets.PREFIX}/{LARGE_FILE}", {}, 200),
        Case("1MB hit", f"/{targets.PREFIX}/{HERO_JPG}", {}, 200),
    ]


WHOLE_BODY_CASES = ("identity hit", "200KB hit", "1MB hit")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def call(app: targets.WSGIApp, environ: dict[str, Any]) -> Response:
    """One request, capturing status, headers (lower-cased names) and the whole body."""
    seen: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen.append((status, headers))
        return lambda data: None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, headers = seen[-1]
    return Response(int(status.split()[0]), {k.lower(): v for k, v in headers}, body)


def check(case: Case, resp: Response, site_file: SiteFile) -> list[str]:
    """What is wrong with ``resp`` for ``case`` (empty when it is right)."""
    problems: list[str] = []
    if resp.status != case.status:
        problems.append(f"status {resp.status}, expected {case.status}")
        return problems
    ident, br = site_file.identity, site_file.br
    if case.name in WHOLE_BODY_CASES and resp.body != ident:
        problems.append("body is not the identity file")
    if case.name == "identity hit" and resp.headers.get("content-encoding"):
        problems.append(f"content-encoding {resp.headers['content-encoding']!r} on identity")
    if case.name == "br hit":
        if resp.headers.get("content-encoding") != "br":
            problems.append(f"content-encoding {resp.headers.get('content-encoding')!r}")
        elif resp.body != br:
            problems.append("body is not the .br file")
    if case.name == "304" and resp.body:
        problems.append(f"304 with a {len(resp.body)}-byte body")
    if case.name == "miss" and resp.body != targets.INNER_BODY:
        problems.append("miss did not reach the inner app")
    if case.name == "range":
        want = f"bytes {RANGE[0]}-{RANGE[1]}/{len(ident)}"
        if resp.headers.get("content-range") != want:
            problems.append(f"content-range {resp.headers.get('content-range')!r} != {want!r}")
        if resp.body != ident[RANGE[0] : RANGE[1] + 1]:
            problems.append("range body is not bytes 100-199")
    return problems


def environ_for(case: Case, app: targets.WSGIApp) -> dict[str, Any]:
    """The case's environ for this app (a 304 uses the ETag this app gave the identity GET)."""
    env = base_environ(case.path)
    env.update(case.headers)
    if case.etag_from_identity:
        etag = call(app, base_environ(case.path)).headers.get("etag")
        if etag:
            env["HTTP_IF_NONE_MATCH"] = etag
    return env


def floor_app(path: Path) -> targets.WSGIApp:
    """The least any file server must do for a hit: open the file, hand it to file_wrapper."""

    def app(environ: dict[str, Any], start_response: targets.StartResponse) -> Any:
        start_response("200 OK", [])
        return environ["wsgi.file_wrapper"](open(path, "rb"))  # closed by the caller

    return app


def _noop_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return None


def run_batch(app: targets.WSGIApp, environs: list[dict[str, Any]]) -> int:
    """Serve every environ once, consuming and closing each body; elapsed nanoseconds."""
    start_response = _noop_start_response
    t0 = time.perf_counter_ns()
    for env in environs:
        body = app(env, start_response)
        for _ in body:
            pass
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return time.perf_counter_ns() - t0


BATCH_BUDGET_NS = 40_000_000  # a timed batch lasts about 40 ms, or ``requests`` requests


def batch_size(ns_per_request: float, cap: int, floor: int = 20) -> int:
    """Requests per timed batch: about ``BATCH_BUDGET_NS`` of work, between floor and cap."""
    return max(floor, min(cap, int(BATCH_BUDGET_NS / max(ns_per_request, 1.0))))


@dataclass
class InprocessResult:
    targets: list[str]
    cases: list[str]
    us: dict[str, dict[str, float]] = field(default_factory=dict)  # case -> target -> us
    problems: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    floor_us: float = 0.0  # open + read + close of the same file, no HTTP logic
    static_path: str = ""
    file_size: int = 0
    requests: int = 0
    rounds: int = 0


def run(
    names: list[str] | None = None,
    requests: int = 2000,
    rounds: int = 11,
    relpath: str = "css/site.css",
) -> InprocessResult:
    names, skipped = targets.available(names)
    static_path = f"/{targets.PREFIX}/{relpath}"
    with tempfile.TemporaryDirectory(prefix="pinknoise-bench-site-") as tmp:
        site = build_site(Path(tmp))
        site_file = site[relpath]
        apps = {name: targets.build(name, tmp) for name in names}
        case_list = cases(static_path)
        result = InprocessResult(
            names, [c.name for c in case_list], skipped=skipped, static_path=static_path,
            file_size=len(site_file.identity), requests=requests, rounds=rounds,
        )  # fmt: skip
        envs: dict[tuple[str, str], dict[str, Any]] = {}
        for case in case_list:
            result.problems[case.name] = {}
            for name in names:
                env = environ_for(case, apps[name])
                envs[case.name, name] = env
                case_file = site.get(case.path.removeprefix(f"/{targets.PREFIX}/"), site_file)
                result.problems[case.name][name] = check(
                    case, call(apps[name], dict(env)), case_file
                )

        samples: dict[tuple[str, str], list[float]] = {key: [] for key in envs}
        floor = floor_app(Path(tmp) / relpath)
        floor_env = base_environ(static_path)
        samples["identity hit", "floor"] = []
        sizes: dict[tuple[str, str], int] = {}
        for case in case_list:  # warm-up: one small batch each, which also sizes the batches
            for name in names:
                elapsed = run_batch(apps[name], [dict(envs[case.name, name]) for _ in range(100)])
                sizes[case.name, name] = batch_size(elapsed / 100, requests)
        for r in range(rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for case in case_list:
                for name in order:
                    n = sizes[case.name, name]
                    batch = [dict(envs[case.name, name]) for _ in range(n)]
                    gc.collect()
                    elapsed = run_batch(apps[name], batch)
                    samples[case.name, name].append(elapsed / n / 1000)
                if case.name == "identity hit":
                    batch = [dict(floor_env) for _ in range(requests)]
                    gc.collect()
                    elapsed = run_batch(floor, batch)
                    samples["identity hit", "floor"].append(elapsed / requests / 1000)
        for case in case_list:
            result.us[case.name] = {n: statistics.median(samples[case.name, n]) for n in names}
        result.floor_us = statistics.median(samples["identity hit", "floor"])
    return result


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else "-"


def format_table(res: InprocessResult) -> str:
    peers = [n for n in res.targets if n != "pinknoise"]
    head = f"{'case':<14}" + "".join(f"{n + ' us':>16}" for n in res.targets)
    if "pinknoise" in res.targets:
        head += "".join(f"{'pink/' + p[:5]:>12}" for p in peers)
    lines = [head, "-" * len(head)]
    for case in res.cases:
        row = f"{case:<14}"
        for n in res.targets:
            flag = "!" if res.problems[case][n] else " "
            row += f"{res.us[case][n]:>15.2f}{flag}"
        if "pinknoise" in res.targets:
            pink = res.us[case]["pinknoise"]
            row += "".join(f"{ratio(pink, res.us[case][p]):>12}" for p in peers)
        lines.append(row)
    lines.append(
        f"file {res.static_path} ({res.file_size} B), 200KB hit /{targets.PREFIX}/{LARGE_FILE}, "
        f"1MB hit /{targets.PREFIX}/{HERO_JPG}; "
        f"median of {res.rounds} rounds "
        f"x up to {res.requests} requests (about 40 ms) per target per case; lower is better."
    )
    lines.append(
        f"floor: open + read via file_wrapper + close of the same file, no HTTP logic: "
        f"{res.floor_us:.2f} us (the least a hit costs when the body is read from disk)."
    )
    for case in res.cases:
        for n in res.targets:
            for p in res.problems[case][n]:
                lines.append(f"! {n} / {case}: {p}")
    for n, why in res.skipped.items():
        lines.append(f"skipped {n}: {why}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="In-process WSGI us/request benchmark.")
    parser.add_argument("--targets", type=targets.parse_targets, default=list(targets.TARGETS))
    parser.add_argument("--requests", type=int, default=2000, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--file", default="css/site.css", help="site file for the hit cases")
    parser.add_argument("--quick", action="store_true", help="500 requests x 5 rounds")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.rounds = 500, 5
    print(format_table(run(args.targets, args.requests, args.rounds, args.file)))


if __name__ == "__main__":
    main()
