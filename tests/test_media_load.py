"""Bounded load on media under gunicorn and uvicorn: no errors, descriptors flat.

Media is opened on every request and never cached, so a leak would show at once: client
threads mix small and large hits, 304s, Safari's ``bytes=0-1`` probe and other ranges,
hidden and missing names, while a writer thread keeps uploading, replacing and deleting
files. At the end (server idle) no descriptor points into the media root and the count
is back to the warm-up one (see tests/test_load.py, whose measurements this reuses).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.frontends import PREFIX
from tests.support.servers import BIN, free_port, gunicorn, run_server
from tests.test_load import FD_SLACK, Stats, _drive, _get, _settled_usage

pytestmark = pytest.mark.server

APP = "tests.apps.frontend_site"
WARM_UP_REQUESTS = 1_000
MAIN_REQUESTS = 6_000
LARGE = bytes(range(256)) * 2048  # 512 KiB: streamed from its descriptor
SMALL = b"small upload\n" * 100  # read whole per request

ARGV = {
    "gunicorn": lambda port: gunicorn(f"{APP}:wsgi", port, "--worker-class", "gthread",
                                      "--threads", "4", "--access-logfile", "/dev/null"),
    "uvicorn": lambda port: [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", str(port),
                             "--no-access-log", f"{APP}:asgi"],
}  # fmt: skip


def _one(
    rng: random.Random, connection: http.client.HTTPConnection, etag: str, stats: Stats
) -> None:
    pick = rng.random()
    try:
        if pick < 0.3:
            target = rng.choice(["/media/large.bin", "/media/small.txt"])
            status, _, body = _get(connection, target, {})
            ok = status == 200 and body == (LARGE if "large" in target else SMALL)
            stats.add("hit", None if ok else f"{target} {status} {len(body)}")
        elif pick < 0.45:
            status, _, body = _get(connection, "/media/small.txt", {"If-None-Match": etag})
            stats.add("304", None if status == 304 and body == b"" else f"{status}")
        elif pick < 0.7:
            start = rng.randrange(0, len(LARGE) - 1)
            end = rng.choice([start + 1, start + rng.randrange(0, 50_000)])
            status, _, body = _get(
                connection, "/media/large.bin", {"Range": f"bytes={start}-{end}"}
            )
            ok = status == 206 and body == LARGE[start : end + 1]
            stats.add("range", None if ok else f"{start}-{end} {status} {len(body)}")
        elif pick < 0.85:
            # Written and deleted by the churn thread: either state is right, never a 5xx.
            status, _, body = _get(connection, f"/media/churn/{rng.randrange(8)}.txt", {})
            ok = (status == 200 and body.startswith(b"churn")) or status == 404
            stats.add("churn", None if ok else f"{status} {body[:40]!r}")
        else:
            target = rng.choice(["/media/missing.png", "/media/.env", "/media/churn/"])
            status, _, body = _get(connection, target, {})
            stats.add(
                "miss", None if status == 404 and b"SECRET" not in body else f"{target} {status}"
            )
    except (OSError, http.client.HTTPException) as error:
        stats.add("exception", f"{type(error).__name__}: {error}")
        connection.close()


@dataclass
class MediaWorkload:
    """The media request mix, driven by tests/test_load.py's client threads."""

    port: int
    etag: str

    def one(self, rng: random.Random, connection: http.client.HTTPConnection, stats: Stats) -> None:
        _one(rng, connection, self.etag, stats)


def _churn(media: Path, stop: threading.Event) -> None:
    """Upload, replace and delete files under the clients' feet."""
    rng = random.Random(99)
    churn = media / "churn"
    while not stop.wait(0.002):
        path = churn / f"{rng.randrange(8)}.txt"
        if rng.random() < 0.4 and path.exists():
            path.unlink()
        else:
            temporary = churn / f".upload-{rng.randrange(10**9)}"
            temporary.write_bytes(b"churn " + os.urandom(rng.randrange(1, 300_000)))
            os.replace(temporary, path)  # how storages save: write aside, then rename


@pytest.mark.parametrize("kind", list(ARGV))
def test_media_load_is_clean_and_flat(kind: str, tmp_path: Path) -> None:
    static, media = tmp_path / "static", tmp_path / "media"
    static.mkdir()
    (media / "churn").mkdir(parents=True)
    (media / "large.bin").write_bytes(LARGE)
    (media / "small.txt").write_bytes(SMALL)
    (media / ".env").write_bytes(b"SECRET")
    config = {"root": str(static), "prefix": PREFIX, "options": {},
              "media": {"root": str(media), "options": {}}}  # fmt: skip
    port = free_port()
    env = {"PINKNOISE_TEST_CONFIG": json.dumps(config)}
    stop = threading.Event()
    churn = threading.Thread(target=_churn, args=(media, stop))
    with run_server(ARGV[kind](port), port, tmp_path / "server.log", env=env) as server:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        _, first, _ = _get(connection, "/media/small.txt", {})
        connection.close()
        workload = MediaWorkload(port, first.getheader("ETag") or "")
        churn.start()
        try:
            warm = Stats()
            _drive(workload, WARM_UP_REQUESTS, 0, warm)  # type: ignore[arg-type]
            after_warm_up = _settled_usage(server.process.pid, media)
            stats = Stats()
            _drive(workload, MAIN_REQUESTS, 0, stats)  # type: ignore[arg-type]
        finally:
            stop.set()
            churn.join()
        end = _settled_usage(server.process.pid, media, after_warm_up.fds)
        log = server.log_text()
    print(f"\n{kind}: {dict(stats.outcomes)}; fds {after_warm_up.fds} -> {end.fds}")
    assert warm.outcomes["error"] == 0, warm.errors
    assert stats.outcomes["error"] == 0, stats.errors
    assert min(stats.outcomes[k] for k in ("hit", "304", "range", "churn", "miss")) > 0
    assert after_warm_up.in_root == []
    assert end.in_root == []
    assert end.fds <= after_warm_up.fds + FD_SLACK
    for marker in ("Traceback", "[ERROR]", "Exception"):
        assert marker not in log, log[-3000:]
