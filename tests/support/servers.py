"""Start real servers on 127.0.0.1 for integration tests, and talk raw HTTP to them."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.wsgi_client import Result

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def request(self, method: str, target: str, headers: dict[str, str] | None = None) -> Result:
        return http_request(self.port, method, target, headers)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def http_request(
    port: int, method: str, target: str, headers: dict[str, str] | None = None, timeout: float = 10
) -> Result:
    """Send exactly ``target`` (no client-side normalisation) and read the whole reply."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        return Result(response.status, list(response.getheaders()), body)
    finally:
        connection.close()


@contextmanager
def run_server(
    argv: list[str], port: int, log: Path, env: dict[str, str] | None = None, timeout: float = 30
) -> Iterator[Server]:
    """Run ``argv`` (a server listening on ``port``) until the block ends."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            argv,
            cwd=REPO,
            env=full_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{log.read_text(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server not ready:\n{log.read_text()}") from None
                time.sleep(0.1)
        yield Server(process, port, log)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def gunicorn(app: str, port: int, *extra: str) -> list[str]:
    return [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
            "--access-logfile", "-", *extra, app]  # fmt: skip


def granian_rsgi_argv(port: int) -> list[str]:
    """granian over RSGI with one worker, serving the test site (``tests.apps.rsgi_site``)."""
    return [str(BIN / "granian"), "--interface", "rsgi", "--host", "127.0.0.1",
            "--port", str(port), "--workers", "1", "tests.apps.rsgi_site:application"]  # fmt: skip
