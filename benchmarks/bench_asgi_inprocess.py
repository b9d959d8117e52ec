"""In-process ASGI benchmark: microseconds per request, no server, no sockets.

pinknoise's ``PinkNoiseASGI`` and ServeStatic's ``ServeStaticASGI`` wrap the same trivial
inner ASGI app over the same site tree at the same prefix, each measured twice: with the
``http.response.pathsend`` extension in ``scope["extensions"]`` (as granian offers) and
without it (as uvicorn and hypercorn). A request is ``await app(scope, receive, send)`` on
one asyncio event loop (the default loop, no uvloop) with a prebuilt scope; ``receive``
returns the empty request body, then waits until the response is complete and reports a
disconnect; ``send`` counts the body bytes. A ``pathsend`` message ends the response
without reading the file: the server would send it, so that cost is not counted here.

Same method as ``bench_wsgi_inprocess``: every (variant, case) is first checked for the
right status, body and headers (problems flagged ``!``); variants are interleaved in
rounds that rotate their order; the figure is the median over rounds of the mean time
per request within a batch (about 40 ms of requests, at most ``--requests``).

    .venv/bin/python benchmarks/bench_asgi_inprocess.py            # ~30 s
    .venv/bin/python benchmarks/bench_asgi_inprocess.py --quick    # a few seconds
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import targets
from bench_wsgi_inprocess import RANGE, WHOLE_BODY_CASES, Case, batch_size, cases
from corpus import SiteFile, build_site

PATHSEND = "http.response.pathsend"


@dataclass(frozen=True)
class Variant:
    """One ASGI target, with or without the pathsend extension advertised."""

    target: str
    pathsend: bool

    @property
    def label(self) -> str:
        return f"{self.target} {'pathsend' if self.pathsend else 'no-pathsend'}"


def header_name(environ_key: str) -> bytes:
    """``HTTP_IF_NONE_MATCH`` -> ``b"if-none-match"``."""
    return environ_key.removeprefix("HTTP_").lower().replace("_", "-").encode("latin-1")


def base_scope(path: str, headers: dict[str, str], pathsend: bool) -> dict[str, Any]:
    """A GET scope shaped like the one uvicorn or granian builds for ``path``."""
    raw = [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"bench/1.0"), (b"accept", b"*/*")]
    raw += [(header_name(k), v.encode("latin-1")) for k, v in headers.items()]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
        "extensions": {PATHSEND: {}} if pathsend else {},
    }


class Exchange:
    """The server side of one request: ``receive`` and ``send`` for the app."""

    __slots__ = ("body", "finished", "headers", "nbytes", "path", "requested", "status", "waiter")

    def __init__(self, keep_body: bool = False) -> None:
        self.requested = False
        self.finished = False
        self.waiter: asyncio.Future[None] | None = None
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body: list[bytes] | None = [] if keep_body else None
        self.nbytes = 0
        self.path: str | None = None  # set by a pathsend message

    async def receive(self) -> dict[str, Any]:
        if not self.requested:
            self.requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        if not self.finished:
            self.waiter = asyncio.get_running_loop().create_future()
            await self.waiter
        return {"type": "http.disconnect"}

    async def send(self, message: targets.Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self.status = message["status"]
            if self.body is not None:
                self.headers = {k.decode().lower(): v.decode() for k, v in message["headers"]}
            return
        if kind == "http.response.body":
            chunk = message.get("body", b"")
            self.nbytes += len(chunk)
            if self.body is not None:
                self.body.append(chunk)
            if message.get("more_body", False):
                return
        elif kind == PATHSEND:
            self.path = message["path"]
        else:
            raise RuntimeError(f"unexpected message {kind!r}")
        self.finished = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    pathsend: bool


async def call(app: targets.ASGIApp, scope: dict[str, Any]) -> Response:
    """One request, keeping status, headers and body (read from disk after a pathsend)."""
    ex = Exchange(keep_body=True)
    await app(dict(scope), ex.receive, ex.send)
    assert ex.body is not None
    body = b"".join(ex.body)
    if ex.path is not None:
        body = Path(ex.path).read_bytes()
    return Response(ex.status, ex.headers, body, ex.path is not None)


def check(case: Case, resp: Response, site_file: SiteFile) -> list[str]:
    """What is wrong with ``resp`` for ``case`` (empty when it is right)."""
    if resp.status != case.status:
        return [f"status {resp.status}, expected {case.status}"]
    problems: list[str] = []
    ident = site_file.identity
    encoding = resp.headers.get("content-encoding")
    if case.name in WHOLE_BODY_CASES and (resp.body != ident or encoding):
        problems.append(f"not the identity file (content-encoding {encoding!r})")
    if case.name == "br hit" and (encoding != "br" or resp.body != site_file.br):
        problems.append(f"not the .br file (content-encoding {encoding!r})")
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


async def run_batch(app: targets.ASGIApp, scopes: list[dict[str, Any]]) -> int:
    """Serve every scope once; elapsed nanoseconds."""
    t0 = time.perf_counter_ns()
    for scope in scopes:
        ex = Exchange()
        await app(scope, ex.receive, ex.send)
    return time.perf_counter_ns() - t0


@dataclass
class AsgiResult:
    variants: list[str]  # labels, e.g. "pinknoise pathsend"
    cases: list[str]
    us: dict[str, dict[str, float]] = field(default_factory=dict)  # case -> variant -> us
    problems: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    pathsend_used: dict[str, dict[str, bool]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    static_path: str = ""
    file_size: int = 0
    requests: int = 0
    rounds: int = 0


async def _run(
    res: AsgiResult, variants: list[Variant], root: Path, site: dict[str, SiteFile], relpath: str
) -> None:
    apps = {v.target: targets.build_asgi(v.target, root) for v in variants}
    case_list = cases(res.static_path)
    scopes: dict[tuple[str, str], dict[str, Any]] = {}
    for case in case_list:
        res.problems[case.name], res.pathsend_used[case.name] = {}, {}
        for v in variants:
            app = apps[v.target]
            headers = dict(case.headers)
            if case.etag_from_identity:  # a 304 uses the ETag this app gave the plain GET
                first = await call(app, base_scope(case.path, {}, v.pathsend))
                headers["HTTP_IF_NONE_MATCH"] = first.headers.get("etag", "")
            scope = scopes[case.name, v.label] = base_scope(case.path, headers, v.pathsend)
            resp = await call(app, scope)
            case_file = site.get(case.path.removeprefix(f"/{targets.PREFIX}/"), site[relpath])
            res.problems[case.name][v.label] = check(case, resp, case_file)
            res.pathsend_used[case.name][v.label] = resp.pathsend

    sizes: dict[tuple[str, str], int] = {}
    for key, scope in scopes.items():  # warm-up, which also sizes the batches
        elapsed = await run_batch(apps[key[1].split()[0]], [dict(scope) for _ in range(50)])
        sizes[key] = batch_size(elapsed / 50, res.requests)
    samples: dict[tuple[str, str], list[float]] = {key: [] for key in scopes}
    labels = [v.label for v in variants]
    for r in range(res.rounds):
        order = labels[r % len(labels) :] + labels[: r % len(labels)]
        for case in case_list:
            for label in order:
                n = sizes[case.name, label]
                batch = [dict(scopes[case.name, label]) for _ in range(n)]
                gc.collect()
                elapsed = await run_batch(apps[label.split()[0]], batch)
                samples[case.name, label].append(elapsed / n / 1000)
    for case in case_list:
        res.us[case.name] = {v: statistics.median(samples[case.name, v]) for v in labels}


def run(
    names: list[str] | None = None,
    requests: int = 2000,
    rounds: int = 11,
    relpath: str = "css/site.css",
) -> AsgiResult:
    names, skipped = targets.available(names, asgi=True)
    variants = [Variant(n, p) for n in names for p in (True, False)]
    static_path = f"/{targets.PREFIX}/{relpath}"
    res = AsgiResult([v.label for v in variants], [], skipped=skipped, static_path=static_path)
    res.requests, res.rounds = requests, rounds
    res.cases = [c.name for c in cases(res.static_path)]
    with tempfile.TemporaryDirectory(prefix="pinknoise-bench-asgi-") as tmp:
        site = build_site(Path(tmp))
        res.file_size = len(site[relpath].identity)
        asyncio.run(_run(res, variants, Path(tmp), site, relpath))
    return res


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else "-"


def short(label: str) -> str:
    """``pinknoise no-pathsend`` -> ``pink no-ps``: a column header."""
    target, mode = label.split()
    names = {"pinknoise": "pink", "servestatic": "serve"}
    return f"{names.get(target, target)} {mode.replace('pathsend', 'ps')}"


def format_table(res: AsgiResult) -> str:
    head = f"{'case':<14}" + "".join(f"{short(v) + ' us':>16}" for v in res.variants)
    pairs = [(f"pinknoise {m}", f"servestatic {m}") for m in ("pathsend", "no-pathsend")]
    pairs = [(a, b) for a, b in pairs if a in res.variants and b in res.variants]
    head += "".join(f"{'pink/serve ' + short(a).split()[1]:>18}" for a, _ in pairs)
    lines = [head, "-" * len(head)]
    for case in res.cases:
        row = f"{case:<14}"
        for v in res.variants:
            flag = "!" if res.problems[case][v] else ("p" if res.pathsend_used[case][v] else " ")
            row += f"{res.us[case][v]:>15.2f}{flag}"
        row += "".join(f"{ratio(res.us[case][a], res.us[case][b]):>18}" for a, b in pairs)
        lines.append(row)
    lines.append(
        f"file {res.static_path} ({res.file_size} B); ps = http.response.pathsend in "
        f"scope['extensions']; asyncio loop, in-process; median of {res.rounds} rounds x up "
        f"to {res.requests} requests (about 40 ms) per variant per case; lower is better.\n"
        "p: the body went out as a pathsend message (reading and sending the file is then "
        "the server's work, not counted here)."
    )
    for case in res.cases:
        for v in res.variants:
            for p in res.problems[case][v]:
                lines.append(f"! {v} / {case}: {p}")
    for n, why in res.skipped.items():
        lines.append(f"skipped {n}: {why}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="In-process ASGI us/request benchmark.")
    parser.add_argument("--targets", type=targets.parse_targets, default=list(targets.ASGI_TARGETS))
    parser.add_argument("--requests", type=int, default=2000, help="most requests per batch")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--file", default="css/site.css", help="site file for the hit cases")
    parser.add_argument("--quick", action="store_true", help="500 requests x 5 rounds")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.rounds = 500, 5
    print(format_table(run(args.targets, args.requests, args.rounds, args.file)))


if __name__ == "__main__":
    main()
