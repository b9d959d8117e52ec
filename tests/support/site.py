"""A real static tree on disk with every kind of file the HTTP tests need."""

from __future__ import annotations

import gzip
import os
import random
from dataclasses import dataclass
from pathlib import Path

import brotli
import zstandard

HASHED_JS = "js/app.3f2a9c1b7d4e.js"


@dataclass
class Site:
    root: Path
    outside: Path

    def read(self, relative: str) -> bytes:
        return (self.root / relative).read_bytes()


def _text(seed: int, size: int) -> bytes:
    rng = random.Random(seed)
    words = [b"body", b"color", b"margin", b"{", b"}", b";", b"var", b"function", b"return"]
    out = bytearray()
    while len(out) < size:
        out += rng.choice(words) + b" "
    return bytes(out[:size])


def compress_all(path: Path, codings: tuple[str, ...] = ("gzip", "br", "zstd")) -> None:
    data = path.read_bytes()
    if "gzip" in codings:
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(data, 9, mtime=0))
    if "br" in codings:
        path.with_name(path.name + ".br").write_bytes(brotli.compress(data))
    if "zstd" in codings:
        path.with_name(path.name + ".zst").write_bytes(zstandard.compress(data, 19))


def write(root: Path, relative: str, data: bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def build_site(base: Path) -> Site:
    """Create ``base/root`` (served) and ``base/outside`` (never served)."""
    root, outside = base / "root", base / "outside"
    outside.mkdir(parents=True)
    (outside / "secret.txt").write_bytes(b"TOP SECRET outside the root\n")

    compress_all(write(root, "css/app.css", _text(1, 20_000)))
    compress_all(write(root, HASHED_JS, _text(2, 30_000)), ("gzip", "br"))
    compress_all(write(root, "js/gz-only.js", _text(3, 8_000)), ("gzip",))
    write(root, "index.html", b"<!doctype html><title>home</title>\n")
    write(root, "docs/index.html", b"<!doctype html><title>docs</title>\n")
    write(root, "docs/page.html", b"<!doctype html><title>page</title>\n")
    write(root, "img/logo.png", random.Random(4).randbytes(3_000))
    write(root, "big.bin", random.Random(5).randbytes(300_000))
    write(root, "space name.txt", b"a file with a space\n")
    write(root, "caf\u00e9/\u00fcn\u00efcode.txt", "unicode \u2713\n".encode())
    write(root, "empty.txt", b"")
    write(root, "one.txt", b"x")
    write(root, "digits.txt", b"0123456789")
    write(root, ".secret", b"dotfile\n")
    write(root, ".git/config", b"[core]\n")
    compress_all(write(root, "staticfiles.json", b'{"paths": {}, "pad": "' + b"x" * 200 + b'"}'))
    write(root, "fonts/font.woff2", random.Random(6).randbytes(2_000))
    write(root, "data.json", b'{"a": 1}')

    # A variant older than its source (stale) and one bigger than its source.
    stale = write(root, "stale.js", _text(7, 5_000))
    compress_all(stale, ("gzip",))
    os.utime(stale.with_name("stale.js.gz"), ns=(1_000_000_000, 1_000_000_000))
    tiny = write(root, "tiny.txt", b"ab")
    compress_all(tiny, ("gzip",))

    (root / "link-in.css").symlink_to(root / "css" / "app.css")
    (root / "link-out.txt").symlink_to(outside / "secret.txt")
    (root / "link-out-dir").symlink_to(outside, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)
    return Site(root, outside)
