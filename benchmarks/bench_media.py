"""What a media request costs: microseconds per request in process, no server, no sockets.

Media (``add_media``) is looked up on every request, never cached: one ``lstat`` per
path segment, an open proved on the descriptor (``fstat`` + ``/proc/self/fd``), the
core's decision, a read or a stream, a close. This measures that cost next to a static
hit from the catalog, for WSGI and for ASGI (where media goes through a worker thread),
and the file-system part alone (``lookup`` + ``open_contained`` + ``close``).

    .venv/bin/python benchmarks/bench_media.py            # ~20 s
    .venv/bin/python benchmarks/bench_media.py --quick    # a few seconds

Each figure is the median over rounds of the mean time per request within a batch.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_asgi_inprocess import Exchange, base_scope
from bench_wsgi_inprocess import base_environ, call

from pinknoise import PinkNoise, PinkNoiseASGI
from pinknoise.core.walker import Policy, lookup, open_contained

SMALL = os.urandom(4096)  # an avatar: read whole per request
LARGE = os.urandom(1024 * 1024)  # a document: streamed from its descriptor
#: (case, path, extra request headers)
CASES: list[tuple[str, str, dict[str, str]]] = [
    ("static hit (catalog, 4 KiB)", "/static/avatar.jpg", {}),
    ("media hit 4 KiB, depth 1", "/media/avatar.jpg", {}),
    ("media hit 4 KiB, depth 4", "/media/users/2026/12/avatar.jpg", {}),
    ("media 304", "/media/avatar.jpg", {"HTTP_IF_NONE_MATCH": "{etag}"}),
    ("media range bytes=0-1", "/media/avatar.jpg", {"HTTP_RANGE": "bytes=0-1"}),
    ("media hit 1 MiB", "/media/large.bin", {}),
    ("media miss (app)", "/media/missing.jpg", {}),
]


def build(base: Path) -> tuple[Path, Path]:
    static, media = base / "static", base / "media"
    static.mkdir()
    (static / "avatar.jpg").write_bytes(SMALL)
    deep = media / "users" / "2026" / "12"
    deep.mkdir(parents=True)
    for directory in (media, deep):
        (directory / "avatar.jpg").write_bytes(SMALL)
    (media / "large.bin").write_bytes(LARGE)
    return static, media


def inner_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("404 Not Found", [("Content-Length", "0")])
    return []


async def inner_asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 404, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def timed(batch: Callable[[int], int], count: int, rounds: int) -> float:
    """Microseconds per request: median over rounds of a batch's mean."""
    batch(max(10, count // 10))  # warm up
    return statistics.median(batch(count) / count / 1000 for _ in range(rounds))


def run(count: int, rounds: int) -> list[tuple[str, float, float]]:
    with tempfile.TemporaryDirectory(prefix="pinknoise-bench-media-") as tmp:
        static, media = build(Path(tmp))
        wsgi = PinkNoise(inner_wsgi, static, "/static/")
        wsgi.add_media(media, "/media/")
        asgi = PinkNoiseASGI(inner_asgi, static, "/static/")
        asgi.add_media(media, "/media/")
        etag = call(wsgi, base_environ("/media/avatar.jpg")).headers["etag"]
        rows = []
        for name, path, extra in CASES:
            headers = {k: v.replace("{etag}", etag) for k, v in extra.items()}
            environ = {**base_environ(path), **headers}
            expected = call(wsgi, dict(environ)).status
            assert expected in (200, 206, 304, 404), (name, expected)

            def wsgi_batch(n: int, environ: dict[str, Any] = environ) -> int:
                started = time.perf_counter_ns()
                for _ in range(n):
                    call(wsgi, dict(environ))
                return time.perf_counter_ns() - started

            scope = base_scope(path, headers, pathsend=False)

            def asgi_batch(n: int, scope: dict[str, Any] = scope) -> int:
                async def batch() -> int:
                    started = time.perf_counter_ns()
                    for _ in range(n):
                        exchange = Exchange()
                        await asgi(dict(scope), exchange.receive, exchange.send)
                    return time.perf_counter_ns() - started

                return asyncio.run(batch())

            rows.append((name, timed(wsgi_batch, count, rounds), timed(asgi_batch, count, rounds)))
        policy = Policy(os.path.realpath(media))

        def syscalls(n: int) -> int:
            started = time.perf_counter_ns()
            for _ in range(n):
                found = lookup(policy, "users/2026/12/avatar.jpg")
                assert found is not None
                opened = open_contained(policy, found[0])
                assert opened is not None
                os.close(opened[0])
            return time.perf_counter_ns() - started

        def one_stat(n: int) -> int:
            started = time.perf_counter_ns()
            for _ in range(n):
                os.stat(media)
            return time.perf_counter_ns() - started

        fs = timed(syscalls, count, rounds)
        rows.append(("lookup+open+close alone, depth 4", fs, fs))
        stat_once = timed(one_stat, count, rounds)
        rows.append(("one os.stat, for scale", stat_once, stat_once))
    return rows


def format_table(rows: list[tuple[str, float, float]]) -> str:
    lines = [f"{'case':<36}{'WSGI us':>10}{'ASGI us':>10}", "-" * 56]
    lines += [f"{name:<36}{w:>10.2f}{a:>10.2f}" for name, w, a in rows]
    lines.append(
        "in process, one thread; ASGI media includes its worker-thread hop (asyncio.to_thread)"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    count, rounds = (300, 3) if args.quick else (2000, 7)
    print(format_table(run(count, rounds)))


if __name__ == "__main__":
    main()
