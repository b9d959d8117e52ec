"""The three encoders, each a plain ``bytes -> bytes`` function with fixed settings.

Settings are fixed (not user knobs) so that output is reproducible and so that the
incremental manifest can tell, via :data:`CODEC_IDS`, when a pinknoise upgrade changed
them and every variant must be rebuilt.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import itertools
import os
import struct
import zlib
from collections.abc import Callable, Iterable
from typing import Final, Protocol

from pinknoise.compress.atomic import CREATE_FLAGS as _CREATE_FLAGS
from pinknoise.compress.reading import CHUNK_SIZE, iter_fd, open_checked
from pinknoise.core.codings import SUFFIXES, validate_codings

#: Order in which encodings are listed and scheduled: slowest first, so the expensive
#: jobs start early and the cheap ones fill the gaps at the end of a run.
ALL_ENCODINGS: Final[tuple[str, ...]] = ("br", "zstd", "gzip")

#: pip extra that provides each encoding's library (gzip needs none: zlib is stdlib).
EXTRAS: Final[dict[str, str]] = {"br": "brotli", "zstd": "zstd"}

_MODULES: Final[dict[str, str]] = {"br": "brotli", "zstd": "zstandard"}

#: Identifies the exact settings used; stored per variant in the manifest.
CODEC_IDS: Final[dict[str, str]] = {
    "gzip": "gzip-9-mem8-v1",
    "br": "br-11-lgwin22+-v1",
    "zstd": "zstd-19-v1",
}

#: Relative CPU cost per input byte, used only to schedule the largest jobs first.
COST_WEIGHT: Final[dict[str, int]] = {"br": 40, "zstd": 8, "gzip": 1}

ZSTD_LEVEL: Final = 19
BROTLI_QUALITY: Final = 11


class MissingEncodingError(RuntimeError):
    """A requested encoding's optional library is not installed."""


def is_available(encoding: str) -> bool:
    """True if the library behind ``encoding`` imports (gzip always does).

    A real import, not just a lookup, so a broken install counts as missing.
    """
    module = _MODULES.get(encoding)
    if module is None:
        return True
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def available_encodings() -> tuple[str, ...]:
    """Every encoding whose library is installed, in :data:`ALL_ENCODINGS` order."""
    return tuple(e for e in ALL_ENCODINGS if is_available(e))


def resolve_encodings(encodings: Iterable[str] | None) -> tuple[str, ...]:
    """Validate a user's encoding list; ``None`` means every installed one.

    Raises :class:`MissingEncodingError` naming the pip extra to install, because a
    silent fallback would ship a site without the encoding the user asked for.
    """
    if encodings is None:
        return available_encodings()
    chosen = validate_codings(list(encodings))
    if not chosen:
        raise ValueError("at least one encoding is required")
    for encoding in chosen:
        if not is_available(encoding):
            raise MissingEncodingError(
                f"encoding {encoding!r} needs the {_MODULES[encoding]!r} package: "
                f"pip install 'pinknoise[{EXTRAS[encoding]}]'"
            )
    return tuple(e for e in ALL_ENCODINGS if e in chosen)


def suffix(encoding: str) -> str:
    """File suffix of the sibling written for ``encoding`` (shared with the scanner)."""
    return SUFFIXES[encoding]


# gzip member header (RFC 1952): magic, CM=deflate, no flags, MTIME=0, XFL=2 (slowest,
# best compression), OS=255 (unknown). Written by hand so the bytes do not depend on
# the platform the build ran on, unlike zlib's own header (it stores the OS).
_GZIP_HEADER: Final = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"


def compress_gzip(data: bytes) -> bytes:
    """Deflate at level 9, wrapped as a reproducible gzip member.

    memLevel stays at zlib's default 8: on real JS/CSS it produced smaller output than 9.
    """
    deflater = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, 8)
    body = deflater.compress(data) + deflater.flush()
    trailer = struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
    return _GZIP_HEADER + body + trailer


def brotli_window(size: int) -> int:
    """Brotli ``lgwin`` for an input of ``size`` bytes.

    Never below the library default of 22 (smaller windows made output slightly larger
    on small files), and up to the format's maximum of 24 for files over 4 MiB so that
    a large bundle can reference its whole length. The window usable for matches is
    ``2**lgwin - 16`` bytes.
    """
    lgwin = 22
    while lgwin < 24 and (1 << lgwin) - 16 < size:
        lgwin += 1
    return lgwin


def compress_brotli(data: bytes) -> bytes:
    """Brotli at quality 11 (the maximum)."""
    brotli = importlib.import_module("brotli")  # untyped; optional extra
    result: bytes = brotli.compress(data, quality=BROTLI_QUALITY, lgwin=brotli_window(len(data)))
    return result


def compress_zstd(data: bytes) -> bytes:
    """Zstandard level 19, the highest level whose window (8 MiB) browsers must accept.

    Levels 20-22 use larger windows than RFC 8878 section 3.1.1.1.2 lets an HTTP client
    refuse, so they could produce variants some clients cannot decode.
    """
    import zstandard

    compressor = zstandard.ZstdCompressor(
        level=ZSTD_LEVEL, write_checksum=True, write_content_size=True
    )
    return compressor.compress(data)


_COMPRESSORS: Final[dict[str, Callable[[bytes], bytes]]] = {
    "gzip": compress_gzip,
    "br": compress_brotli,
    "zstd": compress_zstd,
}


def compress(encoding: str, data: bytes) -> bytes:
    """Compress ``data`` with ``encoding``'s fixed settings."""
    return _COMPRESSORS[encoding](data)


class _Stream(Protocol):
    def process(self, chunk: bytes) -> bytes: ...
    def finish(self) -> bytes: ...


class _GzipStream:
    def __init__(self, size: int) -> None:
        self.deflater = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, 8)
        self.crc = 0
        self.length = 0
        self.started = False

    def process(self, chunk: bytes) -> bytes:
        self.crc = zlib.crc32(chunk, self.crc)
        self.length += len(chunk)
        head = b"" if self.started else _GZIP_HEADER
        self.started = True
        return head + self.deflater.compress(chunk)

    def finish(self) -> bytes:
        head = b"" if self.started else _GZIP_HEADER
        trailer = struct.pack("<II", self.crc, self.length & 0xFFFFFFFF)
        return head + self.deflater.flush() + trailer


class _BrotliStream:
    def __init__(self, size: int) -> None:
        brotli = importlib.import_module("brotli")
        self.compressor = brotli.Compressor(quality=BROTLI_QUALITY, lgwin=brotli_window(size))

    def process(self, chunk: bytes) -> bytes:
        out: bytes = self.compressor.process(chunk)
        return out

    def finish(self) -> bytes:
        out: bytes = self.compressor.finish()
        return out


class _ZstdStream:
    def __init__(self, size: int) -> None:
        import zstandard

        compressor = zstandard.ZstdCompressor(
            level=ZSTD_LEVEL, write_checksum=True, write_content_size=True
        )
        self.chunker = compressor.chunker(size=size, chunk_size=CHUNK_SIZE)

    def process(self, chunk: bytes) -> bytes:
        return b"".join(self.chunker.compress(chunk))

    def finish(self) -> bytes:
        return b"".join(self.chunker.finish())  # type: ignore[no-untyped-call]


_STREAMS: Final[dict[str, Callable[[int], _Stream]]] = {
    "gzip": _GzipStream,
    "br": _BrotliStream,
    "zstd": _ZstdStream,
}


def compress_file(encoding: str, path: str, expected: os.stat_result, out_path: str) -> int:
    """Stream file ``path`` through ``encoding``'s compressor into new file ``out_path``.

    Memory stays at one :data:`CHUNK_SIZE` piece plus the compressor's own state,
    whatever the file's size. gzip and brotli output is byte-identical to
    :func:`compress` on the whole content; zstd's may differ in framing, not in what it
    decodes to. The file must still have the size and mtime of ``expected`` (what was
    hashed), else ``OSError``. ``out_path`` is created exclusively (``O_EXCL``, no
    symlink followed) and removed again on any error. Returns the compressed size.
    """
    fd, st = open_checked(path)
    try:
        if (st.st_size, st.st_mtime_ns) != (expected.st_size, expected.st_mtime_ns):
            raise OSError(errno.EAGAIN, "changed while being compressed", path)
        stream = _STREAMS[encoding](st.st_size)
        out = os.open(out_path, _CREATE_FLAGS, 0o666)
        written = 0
        try:
            for chunk in itertools.chain(iter_fd(fd, st.st_size), [None]):
                piece = stream.finish() if chunk is None else stream.process(chunk)
                view = memoryview(piece)
                while view:
                    n = os.write(out, view)
                    view = view[n:]
                    written += n
        except BaseException:
            os.close(out)
            with contextlib.suppress(OSError):
                os.unlink(out_path)
            raise
        os.close(out)
        return written
    finally:
        os.close(fd)


#: A variant is kept only if it is at most this fraction of the original's size,
#: i.e. it saves at least 5 %: below that, the extra file and the negotiation are not
#: worth it (the same rule WhiteNoise uses, so byte totals stay comparable).
MAX_RATIO_NUM: Final = 19
MAX_RATIO_DEN: Final = 20


def is_effective(original_size: int, compressed_size: int) -> bool:
    """True if a variant of ``compressed_size`` bytes is worth keeping (saves >= 5 %)."""
    if original_size <= 0:
        return False
    return compressed_size * MAX_RATIO_DEN <= original_size * MAX_RATIO_NUM
