"""The ASGI adapter: the request table, streaming, pathsend and disconnects.

Identity with the other adapters is tested in ``test_rsgi.py`` (every adapter at once).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from pinknoise.asgi import PinkNoiseASGI
from tests.checks import run_case
from tests.request_table import CASES, Case
from tests.support import asgi_client
from tests.support.procfs import open_files_under
from tests.support.site import Site

IDS = [case.name for case in CASES]


def _asgi(root: Path, **options: object) -> PinkNoiseASGI:
    return PinkNoiseASGI(
        asgi_client.fallback_app, root, prefix="/static/", index_file=True, **options
    )


@pytest.fixture(scope="module")
def asgi_app(site: Site) -> PinkNoiseASGI:
    return _asgi(site.root)


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("pathsend", [False, True], ids=["stream", "pathsend"])
def test_asgi_in_process(case: Case, asgi_app: PinkNoiseASGI, site: Site, pathsend: bool) -> None:
    run_case(case, lambda m, t, h: asgi_client.call(asgi_app, m, t, h, pathsend), site)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_asgi_from_disk(case: Case, site: Site) -> None:
    app = _asgi(site.root, memory_cache_budget=0)
    run_case(case, lambda m, t, h: asgi_client.call(app, m, t, h), site)
    run_case(case, lambda m, t, h: asgi_client.call(app, m, t, h, pathsend=True), site)


def test_other_scopes_pass_through(site: Site) -> None:
    seen: list[str] = []

    async def inner(scope: dict[str, object], receive: object, send: object) -> None:
        seen.append(str(scope["type"]))

    app = PinkNoiseASGI(inner, site.root, prefix="static")
    asyncio.run(app({"type": "lifespan"}, None, None))  # type: ignore[arg-type]
    asyncio.run(app({"type": "websocket", "path": "/static/css/app.css"}, None, None))  # type: ignore[arg-type]
    assert seen == ["lifespan", "websocket"]


def test_mounted_under_root_path(site: Site) -> None:
    app = _asgi(site.root)
    scope = asgi_client.scope_for("GET", "/mount/static/digits.txt")
    scope["root_path"] = "/mount"
    result, _ = asyncio.run(asgi_client.call_async(app, scope))
    assert result.body == b"0123456789"


def test_large_file_streams_in_bounded_chunks(site: Site) -> None:
    app = _asgi(site.root, memory_cache_budget=0)
    result, messages = asyncio.run(
        asgi_client.call_async(app, asgi_client.scope_for("GET", "/static/big.bin"))
    )
    bodies = [m for m in messages if m["type"] == "http.response.body"]
    assert result.body == site.read("big.bin")
    assert len(bodies) >= 2
    assert max(len(m.get("body", b"")) for m in bodies) <= 256 * 1024
    assert bodies[-1].get("more_body", False) is False


def test_pathsend_for_large_whole_files_only(site: Site) -> None:
    app = _asgi(site.root)
    _, whole = asyncio.run(
        asgi_client.call_async(app, asgi_client.scope_for("GET", "/static/big.bin", pathsend=True))
    )
    # The server is handed the descriptor pinknoise checked, not a path it could race.
    assert whole[1]["type"] == "http.response.pathsend"
    assert os.readlink(whole[1]["path"]) == str(site.root / "big.bin")
    _, ranged = asyncio.run(asgi_client.call_async(app, asgi_client.scope_for(
        "GET", "/static/big.bin", {"Range": "bytes=0-9"}, pathsend=True)))  # fmt: skip
    assert {m["type"] for m in ranged[1:]} == {"http.response.body"}
    _, small = asyncio.run(asgi_client.call_async(
        app, asgi_client.scope_for("GET", "/static/digits.txt", pathsend=True)))  # fmt: skip
    assert small[1]["type"] == "http.response.body"


def test_disconnect_stops_transfer_and_closes_file(fresh_site: Site) -> None:
    big = fresh_site.root / "huge.bin"
    big.write_bytes(os.urandom(4 * 1024 * 1024))
    app = _asgi(fresh_site.root)

    async def aborted() -> list[dict[str, object]]:
        _, messages = await asgi_client.call_async(
            app, asgi_client.scope_for("GET", "/static/huge.bin"), disconnect_after=2
        )
        return messages

    for _ in range(5):
        messages = asyncio.run(aborted())
        sent = sum(len(m.get("body", b"")) for m in messages if m["type"] == "http.response.body")  # type: ignore[arg-type]
        assert sent < big.stat().st_size
    assert open_files_under([os.getpid()], fresh_site.root) == []


def test_first_request_prepares_its_entry_once(site: Site) -> None:
    """The event-loop attempt hands its prepared entry to the thread, not the raw scan."""
    app = _asgi(site.root, memory_cache_budget=0)
    built: list[str] = []
    factory = app.server._factory
    original = factory.build

    def counting_build(policy: object, path: str, *args: object) -> object:
        built.append(path)
        return original(policy, path, *args)  # type: ignore[arg-type]

    factory.build = counting_build  # type: ignore[method-assign]
    result = asgi_client.call(app, "GET", "/static/big.bin")
    assert result.body == site.read("big.bin")
    assert built == [str(site.root / "big.bin")]
