"""Never a byte from outside the roots: siblings, swaps between check and open, deep paths.

Each test runs on every front end; the per-request lookups run for a static root under
autorefresh and for a media root (``add_media``), which is looked up on every request.
Containment is proved on the descriptor that was opened, so these hold whatever happens
to the tree between a check and a read.
"""

from __future__ import annotations

import gzip
import os
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from pinknoise.core.options import DEFAULT_RECHECK_INTERVAL
from tests.support.frontends import Fetch, Frontend

SECRET = b"TOP SECRET outside the root\n" * 50
WAIT = DEFAULT_RECHECK_INTERVAL + 0.2


def make_tree(tmp_path: Path) -> tuple[Path, Path]:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret").write_bytes(SECRET)
    (outside / "secret.gz").write_bytes(gzip.compress(SECRET))
    return root, outside


def serve(frontend: Frontend, root: Path, mode: str) -> tuple[AbstractContextManager[Fetch], str]:
    """Start ``frontend`` serving ``root`` as ``mode`` says; with the URL prefix of it.

    ``catalog``: a static root scanned at start-up; ``autorefresh``: a static root
    looked up per request; ``media``: an upload root (looked up per request too).
    """
    if mode == "media":
        empty = root.parent / "empty-static"
        empty.mkdir(exist_ok=True)
        return frontend.start(empty, media=root), "/media/"
    options = {"autorefresh": True} if mode == "autorefresh" else {}
    return frontend.start(root, **options), "/static/"


def leaked(body: bytes) -> bool:
    if b"SECRET" in body:
        return True
    try:
        return b"SECRET" in gzip.decompress(body)
    except (OSError, EOFError):
        return False


@pytest.mark.parametrize("autorefresh", [False, True], ids=["catalog", "autorefresh"])
def test_sibling_symlink_out_of_the_root_is_never_sent(
    frontend: Frontend, tmp_path: Path, autorefresh: bool
) -> None:
    root, outside = make_tree(tmp_path)
    big = root / "big.txt"
    big.write_bytes(b"public text, compressible " * 4000)
    (root / "big.txt.gz").symlink_to(outside / "secret.gz")
    options = {"autorefresh": True} if autorefresh else {}
    with frontend.start(root, **options) as fetch:
        first = fetch("GET", "/static/big.txt", {"Accept-Encoding": "gzip"})
        assert first.status == 200
        assert not leaked(first.body)
        # The source changes: its entry is rebuilt from disk, siblings included.
        big.write_bytes(b"public text, edited and compressible " * 4000)
        os.utime(big, ns=(time.time_ns() - 10**10,) * 2)
        time.sleep(WAIT)
        again = fetch("GET", "/static/big.txt", {"Accept-Encoding": "gzip"})
        assert again.status == 200
        assert not leaked(again.body)
        assert again.header("Content-Encoding") is None


def test_file_swapped_for_an_outside_twin_is_not_served(frontend: Frontend, tmp_path: Path) -> None:
    """Catalog mode: a symlink to an outside file with the same size and mtime."""
    root, outside = make_tree(tmp_path)
    twin = outside / "twin.bin"
    twin.write_bytes(SECRET * 100)  # large: read from disk, never held
    public = root / "file.bin"
    public.write_bytes(b"p" * len(SECRET * 100))
    stamp = time.time_ns() - 10**10
    os.utime(public, ns=(stamp, stamp))
    os.utime(twin, ns=(stamp, stamp))
    with frontend.start(root) as fetch:
        assert fetch("HEAD", "/static/file.bin", {}).status == 200  # catalogued, not opened
        public.unlink()
        public.symlink_to(twin)
        time.sleep(WAIT)
        for headers in ({}, {"Range": "bytes=0-99"}):
            result = fetch("GET", "/static/file.bin", headers)
            assert not leaked(result.body), result.status
            assert result.status == 404


@pytest.mark.parametrize("mode", ["autorefresh", "media"])
def test_directory_swap_race_never_leaks(frontend: Frontend, tmp_path: Path, mode: str) -> None:
    """``sub`` flips between a real directory and a symlink out, while it is requested."""
    root, outside = make_tree(tmp_path)
    (outside / "f.txt").write_bytes(SECRET)
    real = tmp_path / "real-sub"
    real.mkdir()
    (real / "f.txt").write_bytes(b"P" * len(SECRET))
    sub = root / "sub"
    sub.symlink_to(real)  # an alias that stays in... no: swap the link target below
    sub.unlink()
    os.rename(real, sub)
    stop = threading.Event()

    def flip() -> None:
        inside, aside, out_link = sub, tmp_path / "aside", tmp_path / "out-link"
        out_link.symlink_to(outside)
        while not stop.is_set():
            os.rename(inside, aside)  # the real directory steps aside ...
            os.rename(out_link, inside)  # ... and a link out takes its name
            os.rename(inside, out_link)
            os.rename(aside, inside)

    counts = {"leak": 0, "ok": 0, "other": 0}
    started, prefix = serve(frontend, root, mode)
    with started as fetch:
        flipper = threading.Thread(target=flip)
        flipper.start()
        try:
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline:
                result = fetch("GET", f"{prefix}sub/f.txt", {})
                if leaked(result.body):
                    counts["leak"] += 1
                elif result.status == 200:
                    counts["ok"] += 1
                else:
                    counts["other"] += 1
        finally:
            stop.set()
            flipper.join()
    assert counts["leak"] == 0, counts
    assert counts["ok"] > 0, counts


@pytest.mark.parametrize("mode", ["catalog", "autorefresh", "media"])
def test_deep_paths_are_cheap(frontend: Frontend, tmp_path: Path, mode: str) -> None:
    """Thousands of segments: linear work, and a small request is not held up meanwhile.

    The bound is generous (the quadratic check took 7.6 s for 2,000 segments): this is a
    complexity test, not a timing target.
    """
    root, _ = make_tree(tmp_path)
    (root / "a").mkdir()
    (root / "a" / "f.txt").write_bytes(b"small")
    (root / "loop").symlink_to(root)
    started, prefix = serve(frontend, root, mode)
    with started as fetch:
        for target in (prefix + "a/" * 3000 + "f.txt", prefix + "loop/" * 3000 + "a/f.txt"):
            started = time.monotonic()
            result = fetch("GET", target, {})
            assert result.status in (404, 414, 400), result.status
            assert time.monotonic() - started < 2.0
        assert fetch("GET", f"{prefix}a/f.txt", {}).body == b"small"
