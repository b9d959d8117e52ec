"""Each encoder on its own: exact round-trips, reproducibility, settings, the 5 % rule."""

from __future__ import annotations

import gzip
import subprocess
import sys
import zlib

import brotli
import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from pinknoise.compress import codecs

from .conftest import text

DECODE = {
    "gzip": gzip.decompress,
    "br": brotli.decompress,
    "zstd": lambda data: zstandard.ZstdDecompressor().decompress(data),
}


@pytest.mark.parametrize("encoding", codecs.ALL_ENCODINGS)
@pytest.mark.parametrize("size", [0, 1, 1000, 300_000])
def test_round_trip_exact(encoding: str, size: int) -> None:
    data = text(size, size)
    assert DECODE[encoding](codecs.compress(encoding, data)) == data


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=5000))
def test_round_trip_any_bytes(data: bytes) -> None:
    for encoding in codecs.ALL_ENCODINGS:
        assert DECODE[encoding](codecs.compress(encoding, data)) == data


def test_gzip_is_reproducible_with_zero_mtime() -> None:
    data = text(10_000)
    first = codecs.compress_gzip(data)
    assert first == codecs.compress_gzip(data)
    assert first[4:8] == b"\x00\x00\x00\x00"  # MTIME field
    assert first[9] == 255  # OS unknown: same bytes whichever OS built them
    # Same deflate stream as zlib at level 9, so never larger than gzip.compress(..., 9).
    assert len(first) == len(gzip.compress(data, 9, mtime=0))


def test_gzip_trailer_matches_rfc1952() -> None:
    data = text(70_000)
    blob = codecs.compress_gzip(data)
    assert int.from_bytes(blob[-8:-4], "little") == zlib.crc32(data)
    assert int.from_bytes(blob[-4:], "little") == len(data)


def test_zstd_frame_records_content_size_and_level_19_window() -> None:
    blob = codecs.compress_zstd(text(50_000))
    params = zstandard.get_frame_parameters(blob)
    assert params.content_size == 50_000
    assert params.has_checksum
    assert params.window_size <= 8 * 1024 * 1024


def test_brotli_window_grows_only_for_large_files() -> None:
    assert codecs.brotli_window(0) == 22
    assert codecs.brotli_window((1 << 22) - 16) == 22
    assert codecs.brotli_window((1 << 22) - 15) == 23
    assert codecs.brotli_window(100 << 20) == 24


@pytest.mark.parametrize(
    ("original", "compressed", "kept"),
    [(100, 95, True), (100, 96, False), (1000, 950, True), (1000, 951, False), (0, 0, False)],
)
def test_threshold_is_five_percent(original: int, compressed: int, kept: bool) -> None:
    assert codecs.is_effective(original, compressed) is kept


def test_resolve_defaults_to_installed_in_slowest_first_order() -> None:
    assert codecs.resolve_encodings(None) == ("br", "zstd", "gzip")
    assert codecs.resolve_encodings(["gzip", "br"]) == ("br", "gzip")
    with pytest.raises(ValueError, match="unknown encoding"):
        codecs.resolve_encodings(["lzma"])
    with pytest.raises(ValueError, match="at least one"):
        codecs.resolve_encodings([])


def test_missing_extra_names_the_pip_install() -> None:
    # sys.modules[name] = None makes "import name" raise ImportError, as if not installed.
    script = (
        "import sys; sys.modules['brotli'] = None\n"
        "from pinknoise.compress import codecs\n"
        "print(codecs.available_encodings())\n"
        "try:\n"
        "    codecs.resolve_encodings(['br'])\n"
        "except codecs.MissingEncodingError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert "('zstd', 'gzip')" in out
    assert "pip install 'pinknoise[brotli]'" in out
