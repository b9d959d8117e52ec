"""The media core: which types are active, the download header, options, headers, and
that a media lookup stays off the event loop and out of every cache."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import unquote

import pytest

from pinknoise import PinkNoiseASGI
from pinknoise.core.media import (
    MediaLookup,
    content_disposition,
    is_active,
    join_headers,
    make_media_options,
)
from pinknoise.core.options import make_options
from pinknoise.core.request import Request
from pinknoise.core.server import StaticServer, WouldBlock
from tests.support import asgi_client


@pytest.mark.parametrize(
    "media_type",
    [
        "text/html",
        "text/html; charset=utf-8",
        "TEXT/HTML",
        "application/xhtml+xml",
        "image/svg+xml; charset=utf-8",
        "application/xml",
        "text/xml",
        "application/rss+xml",
        "application/mathml+xml",
        "text/javascript",
        "application/javascript",
        "text/xsl",
        "application/pdf",
    ],
)
def test_active_types(media_type: str) -> None:
    assert is_active(media_type)


@pytest.mark.parametrize(
    "media_type",
    ["image/png", "image/jpeg", "video/mp4", "text/plain", "text/css", "application/json",
     "application/octet-stream", "audio/mpeg", "application/zip", "text/csv"],
)  # fmt: skip
def test_passive_types(media_type: str) -> None:
    assert not is_active(media_type)


@pytest.mark.parametrize(
    "name",
    ["report.pdf", "r\u00e9sum\u00e9.html", 'a "quoted" name.svg', "back\\slash.xml",
     "100% sure.html", "\u65e5\u672c\u8a9e.svg", "semi;colon,comma.html"],
)  # fmt: skip
def test_content_disposition_round_trips(name: str) -> None:
    """RFC 6266: an ASCII header; ``filename*`` (RFC 8187) gives the exact name back
    whenever the quoted ASCII fallback had to differ from it."""
    value = content_disposition(name)
    assert value.isascii()
    kind, _, rest = value.partition("; ")
    assert kind == "attachment"
    quoted, _, extended = rest.partition("; ")
    assert quoted.startswith('filename="')
    assert quoted.endswith('"')
    fallback = quoted[len('filename="') : -1]
    assert not set(fallback) & set('"\\%;,')
    assert fallback.isprintable()
    if fallback == name:
        assert extended == ""
    else:
        assert extended.startswith("filename*=UTF-8''")
        encoded = extended.removeprefix("filename*=UTF-8''")
        assert not set(encoded) & set(" \"';,")
        assert unquote(encoded) == name


def test_media_options_are_validated() -> None:
    assert make_media_options().max_age == 0
    assert make_media_options(inline_types=["Application/PDF; x=1"]).inline_types == {
        "application/pdf"
    }
    with pytest.raises(TypeError, match=r"unknown media option.*inline_type.*valid media"):
        make_media_options(inline_type=["image/svg+xml"])
    with pytest.raises(TypeError, match="inline_types must be a list"):
        make_media_options(inline_types="image/svg+xml")
    with pytest.raises(ValueError, match="not a media type"):
        make_media_options(inline_types=["svg"])
    with pytest.raises(ValueError, match="media max_age must not be negative"):
        make_media_options(max_age=-1)
    with pytest.raises(TypeError, match="authorize must be callable"):
        make_media_options(authorize="module.function")


def test_a_media_root_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"x")
    with pytest.raises(ValueError, match="media root is not a directory"):
        StaticServer(make_options()).add_media(tmp_path / "file")


def test_join_headers() -> None:
    pairs = [("Cookie", "a=1"), ("X-Token", "t"), ("cookie", "b=2"), ("Accept", "a"),
             ("accept", "b")]  # fmt: skip
    assert join_headers(pairs) == {"cookie": "a=1; b=2", "x-token": "t", "accept": "a, b"}


def test_lookup_is_a_marker_until_the_blocking_pass(tmp_path: Path) -> None:
    """``find_media`` touches no disk; ``respond(blocking=False)`` hands it to a thread."""
    server = StaticServer(make_options())
    server.add_media(tmp_path, "/uploads/")
    assert server.find_media("/static/x.png") is None
    assert server.find_media("/uploads/") is None  # never a listing
    assert server.find_media("/uploads/.env") is None
    marker = server.find_media("/uploads/not-yet.png")
    assert isinstance(marker, MediaLookup)
    with pytest.raises(WouldBlock) as blocked:
        server.respond("/uploads/not-yet.png", marker, Request("GET"), blocking=False)
    assert blocked.value.entry is marker
    with pytest.raises(LookupError):
        server.respond("/uploads/not-yet.png", marker, Request("GET"))
    (tmp_path / "not-yet.png").write_bytes(b"now")
    response, body = server.respond("/uploads/not-yet.png", marker, Request("GET"))
    assert (response.status, body) == (200, b"now")
    assert server.catalog == {}  # nothing about media is kept
    assert server.cached_bytes == 0


def test_asgi_keeps_no_header_encodings_for_media(tmp_path: Path) -> None:
    static, media = tmp_path / "static", tmp_path / "media"
    static.mkdir()
    media.mkdir()
    (static / "app.css").write_bytes(b"body{}")
    app = PinkNoiseASGI(asgi_client.fallback_app, static, "/static/")
    app.add_media(media)
    for index in range(20):
        (media / f"{index}.txt").write_bytes(b"upload")
        assert asgi_client.call(app, "GET", f"/media/{index}.txt").status == 200
    assert asgi_client.call(app, "GET", "/static/app.css").status == 200
    assert len(app._raw_headers) == 1  # the static file's, none of the uploads'


def test_off_loop_under_asgi(tmp_path: Path) -> None:
    """The lookup and open happen in a worker thread, never on the event loop's."""
    import threading

    from pinknoise.core import media as media_module

    static, media = tmp_path / "static", tmp_path / "media"
    static.mkdir()
    media.mkdir()
    (media / "a.txt").write_bytes(b"a")
    threads: list[str] = []
    original = media_module.MediaRoot.open

    def spy(self: media_module.MediaRoot, relative: str, url: str):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return original(self, relative, url)

    app = PinkNoiseASGI(asgi_client.fallback_app, static, "/static/")
    app.add_media(media)
    media_module.MediaRoot.open = spy  # type: ignore[method-assign]
    try:
        scope = asgi_client.scope_for("GET", "/media/a.txt")
        result, _ = asyncio.run(asgi_client.call_async(app, scope))
    finally:
        media_module.MediaRoot.open = original  # type: ignore[method-assign]
    assert result.body == b"a"
    assert threads
    assert threads[0] != threading.main_thread().name
