"""Deltas between versions of an asset, for Compression Dictionary Transport (RFC 9842).

When a root holds several versions of one asset — ``app.3f2a9c1b7d4e.js`` and, after a
deploy, ``app.8e0d62a03b7c.js`` — the newest version gets, for each of the ``keep`` most
recent older versions, ``NAME.<sha256 of the older file>.dcz``: the newest file
compressed by zstd with the older one as a raw dictionary, in dcz's exact on-wire form
(see :mod:`pinknoise.core.dictionaries`). A browser that still holds the older version
then downloads only the difference.

Versions are told apart by the same content-hash rule the server uses for immutable
caching; "newest" means the most recently modified. The candidate files are the ones
the compression pass's scan accepted (:mod:`pinknoise.compress.scan`), never a second
walk with rules of its own, and each is read through a checked open. Writes are atomic
(temp file and rename); a delta newer than both of its files is kept as it is (incremental); deltas
that are no longer wanted (an older newest, a dictionary beyond ``keep``) are removed.
``dcb`` (brotli with a dictionary) is not produced: the ``brotli`` binding has no
dictionary support.
"""

from __future__ import annotations

import hashlib
import os
import stat as stat_module
from dataclasses import dataclass, field
from typing import Final

from pinknoise.compress.atomic import write_atomic
from pinknoise.compress.reading import TooLargeError, read_checked
from pinknoise.compress.scan import ScanResult, Source, scan
from pinknoise.core.dictionaries import DCZ_MAGIC, delta_name, parse_delta_name
from pinknoise.core.options import hash_span

DEFAULT_KEEP: Final = 3
#: Old hashed versions of a file kept by collectstatic and ``pinknoise build``
#: (dictionaries for dcz deltas, and targets for pages still cached somewhere); older
#: ones are deleted. Defined here, not in the Django settings, so the builder shares it
#: without importing Django.
DEFAULT_KEEP_OLD_VERSIONS: Final = 5
ZSTD_LEVEL: Final = 19
# RFC 9842 §4.2: a dcz window may need to cover the dictionary and the content; clients
# must support at least 8 MiB, so larger files are left to the ordinary codings.
MAX_DELTA_INPUT: Final = 8 * 1024 * 1024


@dataclass
class DeltaSummary:
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    bytes_in: int = 0
    bytes_out: int = 0


def encode_dcz(content: bytes, dictionary: bytes, level: int = ZSTD_LEVEL) -> bytes:
    """``content`` as a dcz body: header with the dictionary's SHA-256, then zstd."""
    import zstandard

    raw = zstandard.ZstdCompressionDict(dictionary, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    compressor = zstandard.ZstdCompressor(level=level, dict_data=raw, write_content_size=True)
    return DCZ_MAGIC + hashlib.sha256(dictionary).digest() + compressor.compress(content)


def decode_dcz(body: bytes, dictionary: bytes) -> bytes:
    """Reverse of :func:`encode_dcz`, checking the header (used by tests and tools)."""
    import zstandard

    if body[:8] != DCZ_MAGIC or body[8:40] != hashlib.sha256(dictionary).digest():
        raise ValueError("not a dcz body for this dictionary")
    raw = zstandard.ZstdCompressionDict(dictionary, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    return zstandard.ZstdDecompressor(dict_data=raw).decompress(body[40:])


def write_deltas(
    root: str | os.PathLike[str],
    keep: int = DEFAULT_KEEP,
    *,
    allow_external_symlinks: bool = False,
) -> DeltaSummary:
    """Write (or refresh) the deltas of every versioned asset under ``root``.

    The versions are the files :func:`pinknoise.compress.scan.scan` accepts, under
    the same rules as a compression pass (``pinknoise compress`` passes its own scan
    to :func:`write_deltas_for` instead of walking twice).
    """
    found = scan([os.fspath(root)], frozenset(), allow_external_symlinks)
    summary = write_deltas_for(found, keep)
    summary.errors[:0] = found.errors
    return summary


def write_deltas_for(found: ScanResult, keep: int = DEFAULT_KEEP) -> DeltaSummary:
    """Write (or refresh) the deltas between the versions among ``found``'s files.

    Only files the scan accepted are read, each through a checked open
    (:func:`pinknoise.compress.reading.read_checked`): never a symlink the scan
    refused, a FIFO or a device, whatever its name.
    """
    summary = DeltaSummary()
    deltas: dict[str, list[str]] = {}
    for path in found.deltas:
        directory, name = os.path.split(path)
        deltas.setdefault(directory, []).append(name)
    groups: dict[tuple[str, str, str], list[Source]] = {}
    for source in (*found.sources, *found.skipped):
        directory, name = os.path.split(source.path)
        span = hash_span(name)
        if span is None:
            continue
        groups.setdefault((directory, name[: span[0]], name[span[1] :]), []).append(source)
    for (directory, _, _), versions in groups.items():
        versions.sort(key=lambda s: (s.st.st_mtime_ns, os.path.basename(s.path)), reverse=True)
        _refresh_group(directory, versions, deltas.get(directory, []), keep, summary)
    return summary


def _refresh_group(
    directory: str, versions: list[Source], names: list[str], keep: int, summary: DeltaSummary
) -> None:
    newest, older = versions[0], versions[1 : 1 + keep]
    newest_name = os.path.basename(newest.path)
    wanted: set[str] = set()
    try:
        content = _read_small(newest)
        for version in older:
            dictionary = _read_small(version)
            if dictionary is None or content is None or dictionary == content:
                continue
            target_name = delta_name(newest_name, hashlib.sha256(dictionary).digest())
            wanted.add(target_name)
            target = os.path.join(directory, target_name)
            if _fresh(target, newest, version):
                summary.kept.append(target)
                continue
            body = encode_dcz(content, dictionary)
            if len(body) >= len(content):
                wanted.discard(target_name)
                continue
            write_atomic(target, body, None, os.getpid())
            summary.written.append(target)
            summary.bytes_in += len(content)
            summary.bytes_out += len(body)
    except OSError as error:
        summary.errors.append((newest.path, error.strerror or str(error)))
    # Deltas of any version of this asset that are no longer wanted go away.
    version_names = {os.path.basename(v.path) for v in versions}
    for name in names:
        delta = parse_delta_name(name)
        if delta and delta[0] in version_names and name not in wanted:
            try:
                os.unlink(os.path.join(directory, name))
                summary.removed.append(os.path.join(directory, name))
            except FileNotFoundError:
                pass


def _read_small(source: Source) -> bytes | None:
    """The file's bytes if it is (still) a regular file of at most MAX_DELTA_INPUT."""
    if source.st.st_size > MAX_DELTA_INPUT:
        return None
    try:
        data, st = read_checked(source.path, MAX_DELTA_INPUT)
    except TooLargeError:
        return None
    source.st = st
    return data


def _fresh(target: str, *sources: Source) -> bool:
    """A delta (a regular file) written after both of its inputs' last change is current."""
    try:
        st = os.stat(target, follow_symlinks=False)
    except OSError:
        return False
    made = st.st_mtime_ns
    return stat_module.S_ISREG(st.st_mode) and all(s.st.st_mtime_ns <= made for s in sources)
