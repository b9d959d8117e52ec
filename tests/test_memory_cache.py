"""The memory cache accounts exactly for what it holds, under concurrency and refreshes.

A leak in the accounting turns the cache off for good once the budget looks full (seen:
20,400 KiB accounted for 17,700 KiB held; after 300 replacements of one file, a "full"
budget with nothing held).
"""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest

from pinknoise import PinkNoise, PinkNoiseASGI
from pinknoise.core.files import StaticFile
from pinknoise.core.server import StaticServer
from tests.support import asgi_client, wsgi_client

FILES = 700  # more than the 64 MiB budget holds
SIZE = 100 * 1024


def held(server: StaticServer) -> int:
    return sum(
        len(representation.data)
        for entry in server.catalog.values()
        if isinstance(entry, StaticFile)
        for representation in entry.representations()
        if representation.data is not None
    )


def make_files(root: Path) -> None:
    for index in range(FILES):
        (root / f"f{index}.bin").write_bytes(os.urandom(64) * (SIZE // 64))


def test_concurrent_first_requests_account_exactly(tmp_path: Path) -> None:
    make_files(tmp_path)
    app = PinkNoise(wsgi_client.fallback_app, tmp_path, prefix="/static/")
    barrier = threading.Barrier(8)

    def reader(seed: int) -> None:
        barrier.wait()
        for index in range(FILES):
            name = f"f{(index * 7 + seed) % FILES}.bin"
            assert wsgi_client.call(app, "GET", f"/static/{name}").status == 200

    threads = [threading.Thread(target=reader, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert app.server.cached_bytes == held(app.server)
    assert held(app.server) == 64 * 1024 * 1024 // SIZE * SIZE  # the budget, filled


@pytest.mark.parametrize("front", ["wsgi", "asgi"])
def test_replacements_release_what_they_held(tmp_path: Path, front: str) -> None:
    target = tmp_path / "app.css"
    target.write_bytes(b"v0" * 1000)
    options = {"prefix": "/static/", "recheck_interval": 0}  # look at the disk every time
    if front == "wsgi":
        wsgi = PinkNoise(wsgi_client.fallback_app, tmp_path, **options)
        server = wsgi.server

        def get() -> bytes:
            return wsgi_client.call(wsgi, "GET", "/static/app.css").body
    else:
        asgi = PinkNoiseASGI(asgi_client.fallback_app, tmp_path, **options)
        server = asgi.server

        def get() -> bytes:
            async def several() -> list[bytes]:
                results = await asyncio.gather(
                    *(
                        asgi_client.call_async(
                            asgi, asgi_client.scope_for("GET", "/static/app.css")
                        )
                        for _ in range(4)
                    )
                )
                return [result.body for result, _ in results]

            return asyncio.run(several())[-1]

    for version in range(1, 301):
        data = f"v{version}".encode() * 1000
        temporary = tmp_path / ".next"
        temporary.write_bytes(data)
        os.replace(temporary, target)
        assert get() == data
        assert server.cached_bytes == held(server)
    assert server.cached_bytes == len(data)
