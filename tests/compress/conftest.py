"""Shared helpers: compressible text that is not trivially repetitive, tree builders."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import brotli
import pytest
import zstandard

DECODERS = {
    ".gz": gzip.decompress,
    ".br": brotli.decompress,
    ".zst": lambda data: zstandard.ZstdDecompressor().decompress(data),
}


def text(size: int, seed: int = 0) -> bytes:
    """Word soup of ``size`` bytes: compresses to roughly a third, like real JS/CSS."""
    rng = random.Random(seed)
    words = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
        for _ in range(400)
    ]
    out = bytearray()
    while len(out) < size:
        out += rng.choice(words).encode() + (b"\n" if rng.random() < 0.1 else b" ")
    return bytes(out[:size])


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def variants_of(path: Path) -> dict[str, Path]:
    """The variant files (regular files) that exist next to ``path``, by suffix."""
    return {s: Path(f"{path}{s}") for s in DECODERS if Path(f"{path}{s}").is_file()}


def assert_variants_match(path: Path) -> None:
    """Every variant next to ``path`` decodes to exactly ``path``'s current bytes."""
    original = path.read_bytes()
    for suffix, variant in variants_of(path).items():
        assert DECODERS[suffix](variant.read_bytes()) == original, variant


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A small static tree: text assets, an image, a font, an incompressible blob."""
    root = tmp_path / "static"
    write(root / "app.js", text(20_000, 1))
    write(root / "css" / "site.css", text(8_000, 2))
    write(root / "css" / "empty.css", b"")
    write(root / "img" / "logo.png", text(5_000, 3))  # compressible, but skipped by name
    write(root / "fonts" / "a.woff2", text(5_000, 4))
    write(root / "blob.bin", random.Random(5).randbytes(10_000))
    return root
