"""Where an in-process ASGI hit spends its time, next to the WSGI adapter on the same core.

Times the whole identity hit (24 KB CSS held in memory) through ``PinkNoiseASGI`` and
``PinkNoise``, then the pieces of the ASGI path one by one: the harness alone, a trivial
ASGI app that only sends its two messages, the header scan and ``Request``, the core's
``respond`` (and within it ``decide`` and the per-hit ``os.stat`` freshness check), and
the header encoding. Best of 7 loops of N requests each (the least disturbed on a shared
machine), then a cProfile listing by own time.

    .venv/bin/python benchmarks/profile_asgi.py
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import targets
from bench_asgi_inprocess import Exchange, base_scope
from bench_wsgi_inprocess import _noop_start_response, base_environ
from corpus import build_site

N = 20_000
PATH = f"/{targets.PREFIX}/css/site.css"
# What a browser adds to the benchmark's host, user-agent and accept (10 more headers).
BROWSER_HEADERS = [
    (b"accept-encoding", b"gzip, deflate, br, zstd"),
    (b"accept-language", b"en-GB,en;q=0.9"),
    (b"cache-control", b"no-cache"),
    (b"connection", b"keep-alive"),
    (b"cookie", b"sessionid=0123456789abcdef; csrftoken=abcdef0123456789"),
    (b"referer", b"http://127.0.0.1:8000/"),
    (b"sec-fetch-dest", b"style"),
    (b"sec-fetch-mode", b"no-cors"),
    (b"sec-fetch-site", b"same-origin"),
    (b"pragma", b"no-cache"),
]


def per_request_us(fn: Callable[[], None], n: int = N, repeats: int = 7) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter_ns() - t0) / n / 1000)
    return best


async def async_per_request_us(
    fn: Callable[[], Awaitable[None]], n: int = N, repeats: int = 7
) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        for _ in range(n):
            await fn()
        best = min(best, (time.perf_counter_ns() - t0) / n / 1000)
    return best


async def trivial_app(scope: dict[str, Any], receive: targets.Receive, send: targets.Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"x"})


def main() -> None:
    targets.load_class("pinknoise")  # puts the checkout's src/ first on sys.path
    from pinknoise.asgi import _FIELDS
    from pinknoise.core import server as core_server
    from pinknoise.core.decision import decide
    from pinknoise.core.request import Request

    tmp = tempfile.mkdtemp(prefix="pinknoise-profile-")
    build_site(Path(tmp))
    asgi: Any = targets.build_asgi("pinknoise", tmp)
    wsgi = targets.build("pinknoise", tmp)
    scope = base_scope(PATH, {}, pathsend=False)
    environ = base_environ(PATH)

    def asgi_call(app: targets.ASGIApp) -> Callable[[], Awaitable[None]]:
        async def one() -> None:
            ex = Exchange()
            await app(dict(scope), ex.receive, ex.send)

        return one

    def asgi_call_with(
        app: targets.ASGIApp, scope: dict[str, Any]
    ) -> Callable[[], Awaitable[None]]:
        async def one() -> None:
            ex = Exchange()
            await app(dict(scope), ex.receive, ex.send)

        return one

    async def harness() -> None:
        Exchange()
        dict(scope)

    def wsgi_call() -> None:
        for _ in wsgi(dict(environ), _noop_start_response):
            pass

    server = asgi.server
    request = Request("GET", "", None, None, None, None, None, None, None, None)
    response, _ = server.respond(PATH, server.find(PATH), request)  # loads the body
    entry = server.find(PATH)  # the prepared entry, now holding the body
    representation = response.body

    browser = dict(scope)
    browser["headers"] = [*scope["headers"], *BROWSER_HEADERS]

    def header_scan(scope: dict[str, Any] = scope) -> None:
        fields: list[str | None] = [None] * 8
        for name, value in scope["headers"]:
            index = _FIELDS.get(name)
            if index is not None:
                fields[index] = value.decode("latin-1")
        Request(scope["method"], scope["query_string"].decode("latin-1"), *fields)
        _ = "http.response.pathsend" in (scope.get("extensions") or ())

    async def measure_async() -> dict[str, float]:
        await async_per_request_us(asgi_call(asgi), n=2000, repeats=1)  # warm-up
        return {
            "PinkNoiseASGI identity hit, whole": await async_per_request_us(asgi_call(asgi)),
            "trivial ASGI app (2 sends), whole": await async_per_request_us(asgi_call(trivial_app)),
            "harness alone (Exchange + dict(scope))": await async_per_request_us(harness),
        }

    rows = asyncio.run(measure_async())
    rows |= {
        "PinkNoise (WSGI) identity hit, whole": per_request_us(wsgi_call),
        "core respond() (decide + body lookup)": per_request_us(
            lambda: server.respond(PATH, entry, request, blocking=False)
        ),
        "  decide()": per_request_us(lambda: decide(entry, request)),
        "  os.stat freshness check": per_request_us(lambda: core_server._unchanged(representation)),
        "ASGI header scan + Request() (3 headers)": per_request_us(header_scan),
        "  same with 13 browser-like headers": per_request_us(lambda: header_scan(browser)),
        "  same through PinkNoiseASGI, whole hit": asyncio.run(
            async_per_request_us(asgi_call_with(asgi, browser))
        ),
        "_encode(response) (cached)": per_request_us(lambda: asgi._encode(response)),
    }
    print(f"python {sys.version.split()[0]}; best of 7 x {N:,} requests; us per request")
    for name, us in rows.items():
        print(f"{name:<42}{us:>8.2f}")

    profile = cProfile.Profile()
    one = asgi_call(asgi)

    async def profiled() -> None:
        for _ in range(N):
            await one()

    profile.enable()
    asyncio.run(profiled())
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(12)
    print(out.getvalue())


if __name__ == "__main__":
    main()
