"""PinkNoiseMiddleware under Django's test clients: where it serves from, and how.

The shared request table (test_django_request_table.py) covers the HTTP behaviour;
these tests cover what is Django-specific: settings, finders, the manifest, and how
bodies travel (file_wrapper under WSGI, async iteration under ASGI).
"""

from __future__ import annotations

import asyncio
import logging
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient, Client, RequestFactory
from pytest_django.fixtures import Settings as SettingsWrapper

from pinknoise import aio
from pinknoise.aio import CHUNK_SIZE as ASYNC_BLOCK_SIZE
from pinknoise.aio import Stream
from pinknoise.django.middleware import PinkNoiseMiddleware
from tests.django.django_client import async_fetch, sync_fetch
from tests.django.static_sources import write


def _view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"app", status=404, headers={"X-App": "yes"})


def test_serves_collected_files_with_precompressed_variants(serve_collected: Path) -> None:
    result = sync_fetch(Client(), "GET", "/static/txt/readme.txt", {"Accept-Encoding": "br"})
    assert result.status == 200
    assert result.header("Content-Encoding") == "br"
    assert result.header("Cache-Control") == "max-age=60, public"


def test_manifest_hashed_names_are_immutable(serve_collected: Path) -> None:
    from django.contrib.staticfiles.storage import staticfiles_storage

    hashed = staticfiles_storage.stored_name("css/app.css")
    assert hashed != "css/app.css"
    client = Client()
    assert (
        sync_fetch(client, "GET", f"/static/{hashed}", {}).header("Cache-Control")
        == "max-age=31536000, public, immutable"
    )
    assert (
        sync_fetch(client, "GET", "/static/css/app.css", {}).header("Cache-Control")
        == "max-age=60, public"
    )


def test_max_age_none_keeps_hashed_names_immutable(
    settings: SettingsWrapper, serve_collected: Path
) -> None:
    from django.contrib.staticfiles.storage import staticfiles_storage

    settings.PINKNOISE_MAX_AGE = None
    client = Client()
    hashed = staticfiles_storage.stored_name("css/app.css")
    assert (
        sync_fetch(client, "GET", f"/static/{hashed}", {}).header("Cache-Control")
        == "max-age=31536000, public, immutable"
    )
    assert sync_fetch(client, "GET", "/static/css/app.css", {}).header("Cache-Control") is None


def test_manifest_decides_not_the_file_name(
    settings: SettingsWrapper, sources: Path, tmp_path: Path
) -> None:
    """A name that merely looks hashed is not immutable when the manifest says otherwise."""
    from tests.django.conftest import MANIFEST_STORAGE, collect

    source = tmp_path / "src"
    write(source, "js/vendor.3f2a9c1b7d4e.js", "var vendor = 1;\n" * 100)
    root = tmp_path / "static"
    collect(source, root, MANIFEST_STORAGE)
    settings.STATIC_ROOT = str(root)
    settings.STORAGES = MANIFEST_STORAGE
    from django.contrib.staticfiles.storage import staticfiles_storage

    hashed = staticfiles_storage.stored_name("js/vendor.3f2a9c1b7d4e.js")
    client = Client()
    looks_hashed = sync_fetch(client, "GET", "/static/js/vendor.3f2a9c1b7d4e.js", {})
    assert looks_hashed.header("Cache-Control") == "max-age=60, public"
    is_hashed = sync_fetch(client, "GET", f"/static/{hashed}", {})
    assert is_hashed.header("Cache-Control") == "max-age=31536000, public, immutable"


def test_debug_serves_from_finders_and_sees_edits(
    settings: SettingsWrapper, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    css = write(source, "css/site.css", "body { color: red }\n")
    settings.DEBUG = True
    settings.STATICFILES_DIRS = [str(source)]
    settings.STATIC_ROOT = str(tmp_path / "not-collected")
    client = Client()
    first = sync_fetch(client, "GET", "/static/css/site.css", {})
    assert (first.status, first.body) == (200, b"body { color: red }\n")
    assert first.header("Cache-Control") == "max-age=0, public"
    css.write_text("body { color: blue }\n")
    os.utime(css, ns=(css.stat().st_mtime_ns + 10**9,) * 2)
    assert sync_fetch(client, "GET", "/static/css/site.css", {}).body == b"body { color: blue }\n"
    write(source, "css/new.css", "p {}\n")
    assert sync_fetch(client, "GET", "/static/css/new.css", {}).status == 200


@pytest.mark.parametrize("autorefresh", [True, False])
def test_finders_order_prefixes_and_static_root(
    settings: SettingsWrapper, tmp_path: Path, autorefresh: bool
) -> None:
    """First finder directory wins, like findstatic; a finder's file wins over STATIC_ROOT."""
    first, second, vendor, root = (tmp_path / n for n in ("first", "second", "vendor", "root"))
    write(first, "a.txt", "first\n")
    write(second, "a.txt", "second\n")
    write(second, "b.txt", "second b\n")
    write(vendor, "lib.js", "lib\n")
    write(root, "b.txt", "stale collected copy\n")
    write(root, "only-collected.txt", "collected\n")
    settings.STATICFILES_DIRS = [str(first), str(second), ("vendor", str(vendor))]
    settings.STATIC_ROOT = str(root)
    settings.PINKNOISE_USE_FINDERS = True
    settings.PINKNOISE_AUTOREFRESH = autorefresh
    client = Client()
    assert sync_fetch(client, "GET", "/static/a.txt", {}).body == b"first\n"
    assert sync_fetch(client, "GET", "/static/b.txt", {}).body == b"second b\n"
    assert sync_fetch(client, "GET", "/static/vendor/lib.js", {}).body == b"lib\n"
    assert sync_fetch(client, "GET", "/static/only-collected.txt", {}).body == b"collected\n"
    assert sync_fetch(client, "GET", "/static/lib.js", {}).header("X-App") == "yes"


def test_pinknoise_root_is_served_at_the_site_root(
    settings: SettingsWrapper, tmp_path: Path
) -> None:
    write(tmp_path / "public", "robots.txt", "User-agent: *\n")
    settings.PINKNOISE_ROOT = str(tmp_path / "public")
    result = sync_fetch(Client(), "GET", "/robots.txt", {})
    assert (result.status, result.body) == (200, b"User-agent: *\n")


def test_absolute_static_url_is_not_served(
    settings: SettingsWrapper, collected: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings.STATIC_ROOT = str(collected)
    settings.STATIC_URL = "https://cdn.example.com/static/"
    caplog.set_level(logging.INFO, "pinknoise")
    with pytest.raises(MiddlewareNotUsed, match="nothing to serve"):
        PinkNoiseMiddleware(_view)
    assert "names another host" in caplog.text
    assert sync_fetch(Client(), "GET", "/static/txt/readme.txt", {}).header("X-App") == "yes"
    # A CDN pulling from this app: say where to answer.
    settings.PINKNOISE_STATIC_PREFIX = "/static/"
    assert sync_fetch(Client(), "GET", "/static/txt/readme.txt", {}).status == 200


def test_force_script_name(settings: SettingsWrapper, collected: Path) -> None:
    """Behind a proxy mounting the site at /app, path_info is /static/...; STATIC_URL says
    /app/static/ (as pages must link it)."""
    settings.STATIC_ROOT = str(collected)
    settings.FORCE_SCRIPT_NAME = "/app"
    settings.STATIC_URL = "/app/static/"
    client = Client()
    assert sync_fetch(client, "GET", "/static/txt/readme.txt", {}).status == 200
    assert sync_fetch(client, "GET", "/app/static/txt/readme.txt", {}).header("X-App") == "yes"


def test_vanished_file_falls_through(settings: SettingsWrapper, tmp_path: Path) -> None:
    gone = write(tmp_path / "root", "gone.txt", "soon gone\n")
    settings.STATIC_ROOT = str(tmp_path / "root")
    client = Client()
    middleware = PinkNoiseMiddleware(_view)
    assert "/static/gone.txt" in middleware.server.catalog
    gone.unlink()
    assert sync_fetch(client, "GET", "/static/gone.txt", {}).header("X-App") == "yes"


def test_wsgi_whole_file_goes_to_file_wrapper(serve_collected: Path) -> None:
    """Django's WSGIHandler hands ``file_to_stream`` to wsgi.file_wrapper (sendfile).

    Called directly: the test client wraps streaming content and loses the attribute.
    """
    response = PinkNoiseMiddleware(_view)(RequestFactory().get("/static/media/big.mp4"))
    try:
        assert response.status_code == 200
        assert response.file_to_stream is not None  # type: ignore[attr-defined]
        assert "Content-Disposition" not in response
        body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        assert body == (serve_collected / "media" / "big.mp4").read_bytes()
    finally:
        response.close()
    assert response.file_to_stream.closed  # type: ignore[attr-defined]


def test_wsgi_range_streams_only_the_slice(serve_collected: Path) -> None:
    response = Client().get("/static/media/big.mp4", headers={"Range": "bytes=1000-1999"})
    assert response.status_code == 206
    assert getattr(response, "file_to_stream", None) is None
    chunks = list(response.streaming_content)  # type: ignore[attr-defined]
    response.close()
    assert b"".join(chunks) == (serve_collected / "media" / "big.mp4").read_bytes()[1000:2000]


def _count_thread_hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    hops: list[str] = []
    real = asyncio.to_thread

    async def counting(function: Callable[..., Any], *args: Any) -> Any:
        called = getattr(function, "func", function)  # a functools.partial: its function
        hops.append(getattr(called, "__name__", repr(called)))
        return await real(function, *args)

    monkeypatch.setattr(aio.asyncio, "to_thread", counting)
    return hops


def test_asgi_small_files_are_answered_without_a_thread_hop(
    serve_collected: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hops = _count_thread_hops(monkeypatch)
    client = AsyncClient()
    first = async_fetch(client, "GET", "/static/txt/readme.txt", {})
    assert first.status == 200
    assert hops == ["_respond"]  # first request: read from disk, in a thread
    # A file's first request stats it (it may have changed since start-up): a thread.
    assert async_fetch(client, "HEAD", "/static/media/big.mp4", {}).status == 200
    assert hops == ["_respond", "_respond"]
    hops.clear()
    again = async_fetch(client, "GET", "/static/txt/readme.txt", {})
    not_modified = async_fetch(
        client, "GET", "/static/txt/readme.txt", {"If-None-Match": first.header("ETag") or ""}
    )
    head = async_fetch(client, "HEAD", "/static/media/big.mp4", {})
    assert (again.status, not_modified.status, head.status) == (200, 304, 200)
    assert again.body == first.body
    assert hops == []


def test_asgi_large_file_streams_in_bounded_chunks_without_warnings(
    serve_collected: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hops = _count_thread_hops(monkeypatch)
    expected = (serve_collected / "media" / "big.mp4").read_bytes()
    assert len(expected) > 2 * ASYNC_BLOCK_SIZE

    async def fetch() -> list[bytes]:
        response = await AsyncClient().get("/static/media/big.mp4")
        assert response.status_code == 200
        assert response.is_async
        chunks = [chunk async for chunk in response.streaming_content]
        response.close()
        return chunks

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Django warns when it must buffer a sync iterator
        chunks = asyncio.run(fetch())
    assert b"".join(chunks) == expected
    assert max(len(chunk) for chunk in chunks) <= ASYNC_BLOCK_SIZE
    # The first chunk is read in the same hop as the open, before the response starts.
    assert hops.count("read") == len(chunks) - 1


class SyncOnlyMiddleware:
    """A middleware that Django must run synchronously, dragging ours into sync mode."""

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)


def test_asgi_sync_mode_still_streams_asynchronously(
    settings: SettingsWrapper, serve_collected: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "tests.django.test_django_middleware.SyncOnlyMiddleware",
    ]
    instances: list[PinkNoiseMiddleware] = []
    real_init = PinkNoiseMiddleware.__init__

    def recording_init(self: PinkNoiseMiddleware, get_response: Any) -> None:
        real_init(self, get_response)
        instances.append(self)

    monkeypatch.setattr(PinkNoiseMiddleware, "__init__", recording_init)

    async def fetch() -> tuple[bool, bytes]:
        response = await AsyncClient().get("/static/media/big.mp4")
        body = b"".join([chunk async for chunk in response.streaming_content])
        response.close()
        return response.is_async, body

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        is_async, body = asyncio.run(fetch())
    assert [instance.is_async for instance in instances] == [False]
    assert is_async
    assert body == (serve_collected / "media" / "big.mp4").read_bytes()


def _stream(path: Path, length: int) -> Stream:
    file = path.open("rb")
    return Stream(file, file.read(min(ASYNC_BLOCK_SIZE, length)), length)


def test_async_stream_closes_its_file(tmp_path: Path) -> None:
    path = write(tmp_path, "data.bin", b"x" * (3 * ASYNC_BLOCK_SIZE))

    async def partial() -> None:
        iterator = aiter(_stream(path, 3 * ASYNC_BLOCK_SIZE))
        await anext(iterator)
        await iterator.aclose()  # type: ignore[attr-defined]

    files: list[Any] = []
    real_open = Path.open

    def tracking_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        file = real_open(self, *args, **kwargs)
        files.append(file)
        return file

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "open", tracking_open)
        asyncio.run(partial())
    assert files
    assert all(file.closed for file in files)

    whole = _stream(path, 10)

    async def consume() -> bytes:
        return b"".join([chunk async for chunk in whole])

    assert asyncio.run(consume()) == b"x" * 10
    assert whole.file.closed


def test_middleware_is_sync_and_async_capable() -> None:
    assert PinkNoiseMiddleware.sync_capable
    assert PinkNoiseMiddleware.async_capable


def test_async_mode_is_detected(serve_collected: Path) -> None:
    async def get_response(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    sync_instance = PinkNoiseMiddleware(_view)
    async_instance = PinkNoiseMiddleware(get_response)
    from asgiref.sync import iscoroutinefunction

    assert not iscoroutinefunction(sync_instance)
    assert iscoroutinefunction(async_instance)


@pytest.mark.parametrize("fetch", [sync_fetch, async_fetch], ids=["wsgi", "asgi"])
def test_dictionary_deltas_pass_through(
    settings: SettingsWrapper, tmp_path: Path, fetch: Callable[..., Any]
) -> None:
    """Available-Dictionary reaches the core: a browser holding the old version gets a delta."""
    import base64
    import hashlib

    from pinknoise.compress.deltas import decode_dcz, write_deltas

    base = "".join(f"export function f{i}(x) {{ return x * {i}; }}\n" for i in range(300))
    old, new = base, base.replace("f10(x)", "f10(y)")
    root = tmp_path / "static"
    for index, (name, text) in enumerate(
        [("app.1111aaaa2222.js", old), ("app.3333bbbb4444.js", new)]
    ):
        path = write(root, f"js/{name}", text)
        os.utime(path, ns=(1_700_000_000_000_000_000 + index * 10**9,) * 2)
    write_deltas(root)
    settings.STATIC_ROOT = str(root)
    client = Client() if fetch is sync_fetch else AsyncClient()
    available = ":" + base64.b64encode(hashlib.sha256(old.encode()).digest()).decode() + ":"
    result = fetch(
        client,
        "GET",
        "/static/js/app.3333bbbb4444.js",
        {"Accept-Encoding": "dcz, br", "Available-Dictionary": available},
    )
    assert result.status == 200
    assert result.header("Content-Encoding") == "dcz"
    assert decode_dcz(result.body, old.encode()) == new.encode()
