"""A file changed on disk is served fresh within ``recheck_interval``, on every front end.

Default options throughout: the default ``recheck_interval`` (1 s) is what users run,
and the tests that once used ``recheck_interval=0`` hid a stale-forever bug on ASGI.
Changes are made the way deployments make them: a new file renamed over the old one.
"""

from __future__ import annotations

import gzip
import os
import time
from pathlib import Path

import brotli

from pinknoise.core.options import DEFAULT_RECHECK_INTERVAL
from tests.support.frontends import Fetch, Frontend

#: Past the recheck interval: a change made before this wait must be seen after it.
WAIT = DEFAULT_RECHECK_INTERVAL + 0.2
SMALL = 10_000  # held in memory after its first request
LARGE = 3_000_000  # sent from disk (by path where the front end can)


def replace(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".tmp-{path.name}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def body_of(size: int, tag: bytes) -> bytes:
    block = tag + b"-" * (64 - len(tag) - 1) + b"\n"
    return (block * (size // len(block) + 1))[:size]


def check_whole(
    fetch: Fetch, target: str, expected: bytes, headers: dict[str, str] | None = None
) -> str:
    result = fetch("GET", target, headers or {})
    assert result.status == 200, (result.status, result.body[:200])
    assert result.header("Content-Length") == str(len(result.body))
    assert result.body == expected, f"stale body for {target}: {result.body[:40]!r}"
    return result.header("ETag") or ""


def test_replaced_files_are_served_fresh(frontend: Frontend, tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    files = {"small.txt": SMALL, "large.bin": LARGE}
    for name, size in files.items():
        (root / name).write_bytes(body_of(size, b"old"))
    with frontend.start(root) as fetch:
        old_etags = {name: check_whole(fetch, f"/static/{name}", body_of(size, b"old"))
                     for name, size in files.items()}  # fmt: skip
        # Held and sent bodies are now trusted for a second; then the files change.
        replace(root / "small.txt", body_of(SMALL, b"new"))
        replace(root / "large.bin", body_of(LARGE // 3, b"new"))  # a smaller file
        time.sleep(WAIT)
        assert (
            check_whole(fetch, "/static/small.txt", body_of(SMALL, b"new"))
            != old_etags["small.txt"]
        )
        assert (
            check_whole(fetch, "/static/large.bin", body_of(LARGE // 3, b"new"))
            != old_etags["large.bin"]
        )
        # And it stays fresh: a second request is not answered from an old decision.
        check_whole(fetch, "/static/small.txt", body_of(SMALL, b"new"))
        check_whole(fetch, "/static/large.bin", body_of(LARGE // 3, b"new"))


def test_same_size_replacement_changes_the_validator(frontend: Frontend, tmp_path: Path) -> None:
    """New bytes under an old ETag would let a CDN keep the new content as the old."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "large.bin").write_bytes(body_of(LARGE, b"old"))
    with frontend.start(root) as fetch:
        old = check_whole(fetch, "/static/large.bin", body_of(LARGE, b"old"))
        replace(root / "large.bin", body_of(LARGE, b"new"))
        os.utime(root / "large.bin", ns=(time.time_ns() + 5_000_000_000,) * 2)
        time.sleep(WAIT)
        assert check_whole(fetch, "/static/large.bin", body_of(LARGE, b"new")) != old
        revalidated = fetch("GET", "/static/large.bin", {"If-None-Match": old})
        assert revalidated.status == 200
        assert revalidated.body == body_of(LARGE, b"new")


def test_deleted_files_are_no_longer_served(frontend: Frontend, tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "small.txt").write_bytes(body_of(SMALL, b"old"))
    (root / "large.bin").write_bytes(body_of(LARGE, b"old"))
    with frontend.start(root) as fetch:
        check_whole(fetch, "/static/small.txt", body_of(SMALL, b"old"))
        check_whole(fetch, "/static/large.bin", body_of(LARGE, b"old"))
        (root / "small.txt").unlink()
        (root / "large.bin").unlink()
        time.sleep(WAIT)
        for name in ("small.txt", "large.bin"):
            for _ in range(2):
                gone = fetch("GET", f"/static/{name}", {})
                assert gone.status == 404, (name, gone.status)
                assert b"old" not in gone.body
        # A file that comes back is served again (collectstatic deletes, then saves).
        replace(root / "small.txt", body_of(SMALL, b"back"))
        check_whole(fetch, "/static/small.txt", body_of(SMALL, b"back"))


def test_stale_compressed_sibling_is_not_sent(frontend: Frontend, tmp_path: Path) -> None:
    """The source is replaced and its ``.br``/``.gz`` left behind: they are stale."""
    root = tmp_path / "root"
    root.mkdir()
    old = body_of(SMALL, b"old")
    (root / "app.js").write_bytes(old)
    (root / "app.js.br").write_bytes(brotli.compress(old))
    (root / "app.js.gz").write_bytes(gzip.compress(old))
    with frontend.start(root) as fetch:
        first = fetch("GET", "/static/app.js", {"Accept-Encoding": "br"})
        assert first.header("Content-Encoding") == "br"
        assert brotli.decompress(first.body) == old
        replace(root / "app.js", body_of(SMALL, b"new"))
        time.sleep(WAIT)
        for coding in ("br", "gzip", "br"):
            result = fetch("GET", "/static/app.js", {"Accept-Encoding": coding})
            assert result.status == 200
            assert result.header("Content-Encoding") is None, "a stale variant was sent"
            assert result.body == body_of(SMALL, b"new")


def test_rollback_with_preserved_mtimes_drops_the_newer_variant(
    frontend: Frontend, tmp_path: Path
) -> None:
    """``cp -p`` of an older source over a compressed newer one: its ``.br`` is v2's."""
    import subprocess

    from tests.support.servers import BIN

    root = tmp_path / "root"
    root.mkdir()
    v1, v2 = body_of(SMALL, b"version-1"), body_of(SMALL + 64, b"version-2")
    source = root / "app.js"
    source.write_bytes(v2)
    subprocess.run([str(BIN / "pinknoise"), "compress", str(root), "-q"], check=True)
    assert (root / "app.js.br").exists()
    # The rollback: v1 comes back with the mtime it had, older than v2's.
    old = tmp_path / "app.js.v1"
    old.write_bytes(v1)
    os.utime(old, ns=(time.time_ns() - 86_400 * 10**9,) * 2)
    replace_preserving = tmp_path / "copy"
    replace_preserving.write_bytes(v1)
    os.utime(replace_preserving, ns=(old.stat().st_mtime_ns,) * 2)
    os.replace(replace_preserving, source)
    with frontend.start(root) as fetch:
        for coding in ("br", "gzip", "identity"):
            result = fetch("GET", "/static/app.js", {"Accept-Encoding": coding})
            assert result.status == 200
            assert result.header("Content-Encoding") is None, coding
            assert result.body == v1
