"""PinkNoiseASGI under uvicorn, hypercorn and granian: the request table over real HTTP;
no leaks after aborted downloads there and under granian RSGI (PinkNoiseRSGI)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.checks import run_case
from tests.request_table import CASES, Case
from tests.support.procfs import process_tree, wait_until_closed
from tests.support.servers import (
    BIN,
    Server,
    free_port,
    granian_rsgi_argv,
    http_request,
    run_server,
)
from tests.support.site import Site

pytestmark = pytest.mark.server
APP = "tests.apps.asgi_site:application"
WIRE = [case for case in CASES if case.wire]


def _argv(server: str, port: int) -> list[str]:
    if server == "granian-rsgi":
        return granian_rsgi_argv(port)
    if server == "uvicorn":
        return [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", str(port), APP]
    if server == "hypercorn":
        return [str(BIN / "hypercorn"), "--bind", f"127.0.0.1:{port}", APP]
    return [str(BIN / "granian"), "--interface", "asgi", "--host", "127.0.0.1",
            "--port", str(port), "--workers", "1", APP]  # fmt: skip


@pytest.fixture(scope="module", params=["uvicorn", "hypercorn", "granian"])
def asgi_server(
    request: pytest.FixtureRequest, site: Site, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    port = free_port()
    log = tmp_path_factory.mktemp(request.param) / "server.log"
    env = {"PINKNOISE_TEST_ROOT": str(site.root)}
    with run_server(_argv(request.param, port), port, log, env=env) as server:
        yield server


@pytest.mark.parametrize("case", WIRE, ids=[case.name for case in WIRE])
def test_request_table(case: Case, asgi_server: Server, site: Site) -> None:
    run_case(case, asgi_server.request, site)


@pytest.mark.parametrize("server_name", ["uvicorn", "hypercorn", "granian", "granian-rsgi"])
def test_aborted_downloads_leak_nothing(server_name: str, fresh_site: Site, tmp_path: Path) -> None:
    big = fresh_site.root / "huge.bin"
    big.write_bytes(os.urandom(1024 * 1024) * 24)
    port = free_port()
    env = {"PINKNOISE_TEST_ROOT": str(fresh_site.root)}
    with run_server(_argv(server_name, port), port, tmp_path / "log", env=env) as server:
        for _ in range(10):
            with socket.create_connection(("127.0.0.1", port)) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sock.sendall(b"GET /static/huge.bin HTTP/1.1\r\nHost: x\r\n\r\n")
                assert sock.recv(1024).startswith(b"HTTP/1.1 200")
        ranged = http_request(port, "GET", "/static/huge.bin", {"Range": "bytes=1000-1999"})
        assert ranged.body == big.read_bytes()[1000:2000]
        whole = http_request(port, "GET", "/static/huge.bin", timeout=30)
        assert whole.body == big.read_bytes()
        pids = process_tree(server.process.pid)
        # Under granian (ASGI pathsend, RSGI response_file and response_file_range) one
        # descriptor per large file is kept for the server to open by /proc path;
        # however many requests, whole or ranged, never more than that one.
        held = [str(big)] if server_name.startswith("granian") else []
        assert wait_until_closed(pids, fresh_site.root, expected=held) == held
        assert "Traceback" not in server.log_text()
