"""PinkNoise under a real gunicorn: bodies by sendfile, and no file handle ever leaked."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.support.procfs import wait_for_tree, wait_until_closed
from tests.support.servers import free_port, gunicorn, http_request, run_server
from tests.support.site import Site

pytestmark = pytest.mark.server


def _aborted_download(port: int, target: str) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert sock.recv(1024).startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize("worker", ["sync", "gthread"])
def test_no_file_handle_leaks(fresh_site: Site, tmp_path: Path, worker: str) -> None:
    big = fresh_site.root / "huge.bin"
    big.write_bytes(os.urandom(1024 * 1024) * 24)
    port = free_port()
    argv = gunicorn("tests.apps.wsgi_site:application", port, "--worker-class", worker)
    env = {"PINKNOISE_TEST_ROOT": str(fresh_site.root)}
    with run_server(argv, port, tmp_path / "log", env=env) as server:
        # The master and its one worker (forked after the port is already open).
        pids = wait_for_tree(server.process.pid, 2)
        etag = server.request("GET", "/static/css/app.css").header("ETag") or ""
        for _ in range(30):
            assert (
                server.request("GET", "/static/css/app.css", {"Accept-Encoding": "br"}).status
                == 200
            )
            assert (
                server.request("GET", "/static/digits.txt", {"Range": "bytes=2-4"}).body == b"234"
            )
            assert (
                server.request("GET", "/static/css/app.css", {"If-None-Match": etag}).status == 304
            )
            assert server.request("HEAD", "/static/big.bin").status == 200
        for _ in range(10):
            _aborted_download(port, "/static/huge.bin")
        whole = http_request(port, "GET", "/static/huge.bin", timeout=30)
        assert whole.body == big.read_bytes()
        assert wait_until_closed(pids, fresh_site.root) == []
        assert "Traceback" not in server.log_text()
