"""`pinknoise serve` as a user runs it: a real process, real HTTP, signals."""

from __future__ import annotations

import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest

from tests.support.procfs import process_tree, wait_until_closed
from tests.support.servers import BIN, REPO, Server, free_port, http_request, run_server

pytestmark = pytest.mark.server
EXAMPLE = REPO / "examples" / "site"


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    target = tmp_path / "site"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("*.br", "*.gz", "*.zst", ".*"))
    return target


def _serve(directory: Path, port: int, *extra: str) -> list[str]:
    return [str(BIN / "pinknoise"), "serve", str(directory), "--port", str(port), *extra]


@pytest.fixture
def served(site_copy: Path, tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    with run_server(_serve(site_copy, port, "--compress"), port, tmp_path / "log") as server:
        yield server


def test_serves_the_example_site(served: Server, site_copy: Path) -> None:
    home = served.request("GET", "/")
    assert home.status == 200
    assert b"pinknoise example site" in home.body
    css = served.request("GET", "/css/site.css", {"Accept-Encoding": "gzip, br"})
    assert css.header("Content-Encoding") == "br"
    assert brotli.decompress(css.body) == (site_copy / "css" / "site.css").read_bytes()
    assert served.request("GET", "/about").header("Location") == "about/"
    assert served.request("GET", "/about/").status == 200
    assert served.request("GET", "/missing.js").status == 404


def test_access_log_and_graceful_stop(served: Server) -> None:
    served.request("GET", "/css/site.css")
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(15) == 0
    log = served.log_text()
    assert '"GET /css/site.css HTTP/1.1" 200' in log


def test_quiet_has_no_access_log(site_copy: Path, tmp_path: Path) -> None:
    port = free_port()
    with run_server(_serve(site_copy, port, "--quiet"), port, tmp_path / "log") as server:
        assert server.request("GET", "/").status == 200
        server.process.send_signal(signal.SIGINT)
        assert server.process.wait(15) == 0
        assert "GET /" not in server.log_text()


def test_single_page_app_fallback(site_copy: Path, tmp_path: Path) -> None:
    port = free_port()
    with run_server(_serve(site_copy, port, "--spa", "--quiet"), port, tmp_path / "log") as server:
        route = server.request("GET", "/users/42")
        assert route.status == 200
        assert route.body == (site_copy / "index.html").read_bytes()
        assert server.request("GET", "/users/42/app.js").status == 404
        assert server.request("POST", "/users/42").status == 404
        assert server.request("GET", "/css/site.css").status == 200
        index = (site_copy / "index.html").read_bytes()
        # A dot in a route is not a file extension unless it names a known media type.
        for route in ("/users/john.doe", "/releases/v1.2", "/tags/node.js.conf"):
            assert server.request("GET", route).body == index, route
        for asset in ("/app.3f2a9c1b.js", "/missing.png", "/data/page.json", "/x.css.map"):
            assert server.request("GET", asset).status == 404, asset
        # A client that does not take HTML (fetch asking for JSON) gets the 404.
        json_only = {"Accept": "application/json"}
        assert server.request("GET", "/users/42", json_only).status == 404
        assert server.request("GET", "/users/42", {"Accept": "text/html;q=0, */*"}).status == 404
        for accept in ("text/html,application/xhtml+xml,*/*;q=0.8", "*/*", "text/*"):
            assert server.request("GET", "/users/42", {"Accept": accept}).status == 200, accept
        assert server.request("HEAD", "/users/john.doe").status == 200


def test_spa_without_index_warns_at_start_up(site_copy: Path, tmp_path: Path) -> None:
    (site_copy / "index.html").unlink()
    port = free_port()
    with run_server(_serve(site_copy, port, "--spa", "--quiet"), port, tmp_path / "log") as server:
        assert server.request("GET", "/users/42").status == 404
        assert "--spa: " in server.log_text()
        assert "has no index.html" in server.log_text()


def test_prefix_and_max_age(site_copy: Path, tmp_path: Path) -> None:
    port = free_port()
    argv = _serve(site_copy, port, "--prefix", "/docs/", "--max-age", "none", "--quiet")
    with run_server(argv, port, tmp_path / "log") as server:
        page = server.request("GET", "/docs/css/site.css")
        assert page.status == 200
        assert page.header("Cache-Control") is None
        assert server.request("GET", "/css/site.css").status == 404


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    result = _run(str(BIN / "pinknoise"), "serve", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "no such directory" in result.stderr


def test_a_file_is_not_a_directory(site_copy: Path) -> None:
    result = _run(str(BIN / "pinknoise"), "serve", str(site_copy / "index.html"))
    assert result.returncode == 2
    assert "is a file, not a directory" in result.stderr
    assert f"pinknoise serve {site_copy}" in result.stderr


def test_port_in_use_is_a_clear_error(served: Server, site_copy: Path) -> None:
    result = _run(*_serve(site_copy, served.port))
    assert result.returncode == 2
    assert f"port {served.port} on 127.0.0.1 is already in use" in result.stderr


def test_large_file_by_path(site_copy: Path, tmp_path: Path) -> None:
    data = bytes(range(256)) * 8192  # 2 MiB: above the memory cache's per-file limit
    (site_copy / "big.bin").write_bytes(data)
    port = free_port()
    with run_server(_serve(site_copy, port, "--quiet"), port, tmp_path / "log") as server:
        # Served over RSGI: a range alone goes out by path (response_file_range), so the
        # worker holds the checked descriptor granian opens; ASGI would have streamed it.
        assert server.request("GET", "/big.bin", {"Range": "bytes=10-19"}).body == data[10:20]
        held = wait_until_closed(process_tree(server.process.pid), site_copy, timeout=2)
        assert held == [str(site_copy / "big.bin")]
        assert http_request(port, "GET", "/big.bin").body == data
        assert server.request("GET", "/big.bin", {"Range": "bytes=-5"}).body == data[-5:]


def test_several_workers_get_the_same_settings(site_copy: Path, tmp_path: Path) -> None:
    """Each worker builds its app from the command's arguments (no environment hand-off)."""
    port = free_port()
    argv = _serve(site_copy, port, "--workers", "2", "--prefix", "/docs/", "--quiet")
    with run_server(argv, port, tmp_path / "log") as server:
        for _ in range(8):  # new connections, so both workers answer
            assert http_request(port, "GET", "/docs/css/site.css").status == 200
            assert http_request(port, "GET", "/css/site.css").status == 404
        assert "Traceback" not in server.log_text()


def test_media_next_to_a_single_page_app(site_copy: Path, tmp_path: Path) -> None:
    """``--media``: uploads at their prefix, looked up per request; --spa never answers
    under it, so a missing upload is a 404, not the app's page."""
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    port = free_port()
    argv = _serve(site_copy, port, "--spa", "--quiet", "--media", f"{uploads}:/media/")
    with run_server(argv, port, tmp_path / "log") as server:
        assert server.request("GET", "/media/avatar", {"Accept": "text/html"}).status == 404
        assert server.request("GET", "/some/route", {"Accept": "text/html"}).status == 200
        (uploads / "avatar").write_bytes(b"uploaded after start-up")
        result = server.request("GET", "/media/avatar")
        assert (result.status, result.body) == (200, b"uploaded after start-up")
        assert result.header("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize("spec", ["uploads", "uploads:media", "uploads:/", ":/media/"])
def test_bad_media_spec_is_a_clear_error(site_copy: Path, spec: str) -> None:
    result = _run(str(BIN / "pinknoise"), "serve", str(site_copy), "--media", spec)
    assert result.returncode == 2
    assert "--media" in result.stderr
    assert "Traceback" not in result.stderr
