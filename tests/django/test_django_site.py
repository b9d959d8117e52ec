"""The example site (examples/django_site) under real servers: gunicorn, uvicorn, granian,
runserver; its wsgi.py and asgi.py use ``pinknoise.django.wrap``.

Raw HTTP on 127.0.0.1. Each test runs against WSGI (gunicorn) and ASGI (uvicorn, granian).
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import time
from pathlib import Path

import brotli
import pytest

from tests.django.conftest import EXAMPLE, example_env
from tests.support.servers import Server, free_port, http_request, run_server

pytestmark = pytest.mark.server

BROWSER_AE = {"Accept-Encoding": "gzip, deflate, br, zstd"}


@pytest.fixture(params=["gunicorn", "uvicorn", "granian"])
def server(request: pytest.FixtureRequest) -> Server:
    fixture: Server = request.getfixturevalue(f"{request.param}_site")
    return fixture


def manifest(static_root: Path) -> dict[str, str]:
    paths: dict[str, str] = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    return paths


def test_page_links_hashed_assets(server: Server, site_static_root: Path) -> None:
    page = server.request("GET", "/")
    assert page.status == 200
    html = page.body.decode()
    paths = manifest(site_static_root)
    for name in ("pages/site.css", "pages/site.js", "pages/fonts/pinknoise-demo-sans.woff2"):
        assert f'"/static/{paths[name]}"' in html


@pytest.mark.parametrize("name", ["pages/site.css", "pages/site.js", "admin/css/base.css"])
def test_hashed_assets_are_brotli_and_immutable(
    server: Server, site_static_root: Path, name: str
) -> None:
    hashed = manifest(site_static_root)[name]
    result = server.request("GET", f"/static/{hashed}", BROWSER_AE)
    assert result.status == 200
    assert result.header("Content-Encoding") == "br"
    assert result.header("Cache-Control") == "max-age=31536000, public, immutable"
    assert result.header("Vary") == "Accept-Encoding"
    # wrap() adds what SecurityMiddleware would have.
    assert result.header("X-Content-Type-Options") == "nosniff"
    assert result.header("Referrer-Policy") == "same-origin"
    assert brotli.decompress(result.body) == (site_static_root / hashed).read_bytes()
    # The unhashed name is served too, but only briefly cacheable.
    plain = server.request("GET", f"/static/{name}", BROWSER_AE)
    assert plain.header("Cache-Control") == "max-age=60, public"


def test_css_references_were_rewritten(site_static_root: Path) -> None:
    paths = manifest(site_static_root)
    css = (site_static_root / paths["pages/site.css"]).read_text()
    font = paths["pages/fonts/pinknoise-demo-sans.woff2"].rsplit("/", 1)[1]
    assert f'url("fonts/{font}")' in css


def test_large_file_streams_whole_and_in_ranges(server: Server, site_static_root: Path) -> None:
    """Bigger than the memory cache: streamed from disk (ASGI: async, in worker threads)."""
    hashed = manifest(site_static_root)["admin/js/vendor/jquery/jquery.js"]
    expected = (site_static_root / hashed).read_bytes()
    assert len(expected) > 200_000
    whole = server.request("GET", f"/static/{hashed}")
    assert (whole.status, whole.header("Content-Encoding")) == (200, None)
    assert whole.body == expected
    part = server.request("GET", f"/static/{hashed}", {"Range": "bytes=100000-100999"})
    assert part.status == 206
    assert part.header("Content-Range") == f"bytes 100000-100999/{len(expected)}"
    assert part.body == expected[100_000:101_000]


def test_revalidation_and_head(server: Server, site_static_root: Path) -> None:
    hashed = manifest(site_static_root)["pages/site.css"]
    first = server.request("GET", f"/static/{hashed}", BROWSER_AE)
    etag = first.header("ETag") or ""
    again = server.request("GET", f"/static/{hashed}", {**BROWSER_AE, "If-None-Match": etag})
    assert (again.status, again.body) == (304, b"")
    assert again.header("ETag") == etag
    assert again.header("Content-Type") is None
    head = server.request("HEAD", f"/static/{hashed}", BROWSER_AE)
    assert head.status == 200
    assert head.header("Content-Length") == first.header("Content-Length")


def test_dynamic_pages_still_reach_django(server: Server) -> None:
    login = server.request("GET", "/admin/login/")
    assert login.status == 200
    assert login.header("X-Frame-Options") == "DENY"  # middleware below ours ran
    assert server.request("GET", "/static/nope.css").status == 404


def test_uvicorn_logs_no_buffering_warning(uvicorn_site: Server, site_static_root: Path) -> None:
    hashed = manifest(site_static_root)["admin/js/vendor/jquery/jquery.js"]
    assert uvicorn_site.request("GET", f"/static/{hashed}").status == 200
    assert "synchronous iterators" not in uvicorn_site.log_text()


def _open_static_files(pid: int, static_root: Path) -> list[str]:
    fd_dir = Path(f"/proc/{pid}/fd")
    opened = []
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(static_root)):
            opened.append(target)
    return opened


def test_uvicorn_aborted_download_closes_the_file(
    uvicorn_site: Server, site_static_root: Path
) -> None:
    hashed = manifest(site_static_root)["admin/js/vendor/jquery/jquery.js"]
    with socket.create_connection(("127.0.0.1", uvicorn_site.port)) as connection:
        connection.sendall(f"GET /static/{hashed} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert connection.recv(4096).startswith(b"HTTP/1.1 200")
    deadline = time.monotonic() + 10
    while _open_static_files(uvicorn_site.process.pid, site_static_root):
        if time.monotonic() > deadline:
            pytest.fail(
                f"still open: {_open_static_files(uvicorn_site.process.pid, site_static_root)}"
            )
        time.sleep(0.05)
    assert uvicorn_site.request("GET", "/").status == 200


def test_runserver_leaves_static_files_to_pinknoise(site_static_root: Path, tmp_path: Path) -> None:
    """With runserver_nostatic, DEBUG runserver serves app files through the middleware
    (finders, autorefresh): pinknoise's headers, not Django's static view's."""
    port = free_port()
    manage = str(EXAMPLE / "manage.py")
    argv = [sys.executable, manage, "runserver", "--noreload", f"127.0.0.1:{port}"]
    env = example_env(site_static_root, DJANGO_DEBUG="1")
    with run_server(argv, port, tmp_path / "runserver.log", env=env):
        result = http_request(port, "GET", "/static/pages/site.css", BROWSER_AE)
    assert result.status == 200
    assert result.header("Content-Encoding") is None  # sources have no variants
    assert result.header("Cache-Control") == "max-age=0, public"
    assert result.header("Access-Control-Allow-Origin") == "*"
    assert re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+"', result.header("ETag") or "")
    assert result.body == (EXAMPLE / "pages/static/pages/site.css").read_bytes()
