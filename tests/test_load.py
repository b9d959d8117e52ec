"""Bounded load under gunicorn and uvicorn: no errors, no leaked descriptors or memory.

Client threads send a fixed number of requests over loopback, mixing hits (identity and
precompressed), 304 revalidations, byte ranges, misses that fall through to the app, and
downloads the client abandons mid-body. The server's process tree is measured after a
warm-up and again at the end (after it has gone idle):

* zero errors: every response has the expected status and a body matching its
  Content-Length, nothing 5xx, no traceback or error line in the server's log;
* open file descriptors flat: the count at the end is at most the warm-up count plus
  a small slack (a keep-alive socket the server has not reaped yet), and no descriptor
  points into the static root;
* resident memory (RSS) grows by less than ``RSS_GROWTH_LIMIT`` between warm-up and end.

``PINKNOISE_LOAD_SECONDS=60`` runs the main phase for that long instead of a fixed
request count (on demand; by default: 10,000 requests per server after 2,000 of warm-up).
"""

from __future__ import annotations

import http.client
import os
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.procfs import process_tree
from tests.support.servers import BIN, free_port, gunicorn, run_server
from tests.support.site import HASHED_JS, Site

pytestmark = pytest.mark.server

APP = "tests.apps.hardening_site"
CLIENTS = 6
WARM_UP_REQUESTS = 2_000
MAIN_REQUESTS = 10_000
SECONDS = float(os.environ.get("PINKNOISE_LOAD_SECONDS", "0"))
# Generous: the bound is for leaks (which grow with requests), not for allocator noise on
# a shared machine. The memory cache is bounded by the site's size (well under 1 MB).
RSS_GROWTH_LIMIT = 24 * 1024 * 1024
FD_SLACK = 3
HUGE_SIZE = 8 * 1024 * 1024


@dataclass
class Stats:
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, error: str | None = None) -> None:
        with self.lock:
            self.outcomes[kind] += 1
            if error is not None:
                self.outcomes["error"] += 1
                if len(self.errors) < 20:
                    self.errors.append(f"{kind}: {error}")


def _get(
    connection: http.client.HTTPConnection, target: str, headers: dict[str, str]
) -> tuple[int, http.client.HTTPResponse, bytes]:
    connection.request("GET", target, headers=headers)
    response = connection.getresponse()
    body = response.read()
    return response.status, response, body


def _abort_download(port: int) -> None:
    """Start a large download, read a little of it, and hang up."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(b"GET /static/huge.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        head = sock.recv(1024)
        if not head.startswith(b"HTTP/1.1 200"):
            raise AssertionError(head[:100])
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")


@dataclass
class Workload:
    """The request mix; each call sends one request and records its outcome."""

    port: int
    site: Site
    etag: str
    expected: dict[str, bytes]

    def one(self, rng: random.Random, connection: http.client.HTTPConnection, stats: Stats) -> None:
        pick = rng.random()
        try:
            if pick < 0.05:
                _abort_download(self.port)
                stats.add("aborted")
                return
            if pick < 0.35:
                target = rng.choice(["/static/css/app.css", "/static/" + HASHED_JS,
                                     "/static/img/logo.png", "/static/big.bin"])  # fmt: skip
                headers = {"Accept-Encoding": rng.choice(["br", "gzip", "zstd", "identity"])}
                status, response, body = _get(connection, target, headers)
                ok = status == 200 and len(body) == int(response.getheader("Content-Length", -1))
                stats.add("hit", None if ok else f"{target} {status} {len(body)}")
            elif pick < 0.55:
                status, _, body = _get(
                    connection, "/static/css/app.css", {"If-None-Match": self.etag}
                )
                stats.add("304", None if status == 304 and body == b"" else f"{status}")
            elif pick < 0.8:
                start = rng.randrange(0, 290_000)
                end = start + rng.randrange(0, 20_000)
                headers = {"Range": f"bytes={start}-{end}"}
                status, _, body = _get(connection, "/static/big.bin", headers)
                ok = status == 206 and body == self.expected["big"][start : end + 1]
                stats.add("range", None if ok else f"{headers} {status} {len(body)}")
            else:
                target = rng.choice(["/static/missing.css", "/api/thing", "/static/.secret"])
                status, response, _ = _get(connection, target, {})
                ok = status == 404 and response.getheader("X-App") == "yes"
                stats.add("miss", None if ok else f"{target} {status}")
        except (OSError, http.client.HTTPException, AssertionError) as error:
            stats.add("exception", f"{type(error).__name__}: {error}")
            connection.close()


def _drive(workload: Workload, requests: int, seconds: float, stats: Stats) -> None:
    """Send ``requests`` requests over CLIENTS threads (or run for ``seconds`` if set)."""
    deadline = time.monotonic() + seconds
    share = requests // CLIENTS

    def client(seed: int) -> None:
        rng = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", workload.port, timeout=30)
        try:
            sent = 0
            while (time.monotonic() < deadline) if seconds else (sent < share):
                if rng.random() < 0.1:
                    connection.close()  # a new connection now and then
                workload.one(rng, connection, stats)
                sent += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@dataclass
class Usage:
    fds: int
    rss: int
    in_root: list[str]


def _usage(pid: int, root: Path) -> Usage:
    fds, rss, in_root = 0, 0, []
    for member in process_tree(pid):
        for fd in os.listdir(f"/proc/{member}/fd"):
            fds += 1
            try:
                target = os.readlink(f"/proc/{member}/fd/{fd}")
            except OSError:
                continue
            if target.startswith(str(root)):
                in_root.append(target)
        for line in Path(f"/proc/{member}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss += int(line.split()[1]) * 1024
    return Usage(fds, rss, in_root)


def _settled_usage(pid: int, root: Path, baseline: int | None = None) -> Usage:
    """Usage once the server is idle: sockets of finished clients take a moment to go.

    Waits (up to 10 s) until no file under the root is open and, given a ``baseline``,
    until the descriptor count is back to it.
    """
    deadline = time.monotonic() + 10
    usage = _usage(pid, root)
    while (usage.in_root or (baseline is not None and usage.fds > baseline)) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.2)
        usage = _usage(pid, root)
    return usage


ARGV: dict[str, Callable[[int], list[str]]] = {
    "gunicorn": lambda port: gunicorn(f"{APP}:wsgi", port, "--worker-class", "gthread",
                                      "--threads", "4", "--access-logfile", "/dev/null"),
    "uvicorn": lambda port: [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", str(port),
                             "--no-access-log", f"{APP}:asgi"],
}  # fmt: skip


@pytest.mark.parametrize("kind", list(ARGV))
def test_load_is_clean_and_flat(kind: str, fresh_site: Site, tmp_path: Path) -> None:
    huge = fresh_site.root / "huge.bin"
    huge.write_bytes(os.urandom(1024 * 1024) * (HUGE_SIZE // (1024 * 1024)))
    port = free_port()
    env = {"PINKNOISE_TEST_ROOT": str(fresh_site.root)}
    with run_server(ARGV[kind](port), port, tmp_path / "server.log", env=env) as server:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        _, first, _ = _get(connection, "/static/css/app.css", {})
        connection.close()
        workload = Workload(
            port, fresh_site, first.getheader("ETag") or "", {"big": fresh_site.read("big.bin")}
        )
        warm = Stats()
        _drive(workload, WARM_UP_REQUESTS, 0, warm)
        after_warm_up = _settled_usage(server.process.pid, fresh_site.root)
        stats = Stats()
        started = time.monotonic()
        _drive(workload, MAIN_REQUESTS, SECONDS, stats)
        elapsed = time.monotonic() - started
        end = _settled_usage(server.process.pid, fresh_site.root, after_warm_up.fds)
        log = server.log_text()
    total = sum(n for key, n in stats.outcomes.items() if key != "error")
    print(
        f"\n{kind}: {total} requests in {elapsed:.1f} s {dict(stats.outcomes)}; "
        f"fds {after_warm_up.fds} -> {end.fds}; "
        f"RSS {after_warm_up.rss / 2**20:.1f} -> {end.rss / 2**20:.1f} MiB"
    )
    assert warm.outcomes["error"] == 0, warm.errors
    assert stats.outcomes["error"] == 0, stats.errors
    assert min(stats.outcomes[k] for k in ("hit", "304", "range", "miss", "aborted")) > 0
    assert end.in_root == []
    assert end.fds <= after_warm_up.fds + FD_SLACK
    assert end.rss - after_warm_up.rss < RSS_GROWTH_LIMIT
    for marker in ("Traceback", "[ERROR]", "Exception"):
        assert marker not in log, log[-3000:]
