"""Deltas between versions of an asset, for Compression Dictionary Transport (RFC 9842).

When a root holds several versions of one asset — ``app.3f2a9c1b7d4e.js`` and, after a
deploy, ``app.8e0d62a03b7c.js`` — the newest version gets, for each of the ``keep`` most
recent older versions, ``NAME.<sha256 of the older file>.dcz``: the newest file
compressed by zstd with the older one as a raw dictionary, in dcz's exact on-wire form
(see :mod:`pinknoise.core.dictionaries`). A browser that still holds the older version
then downloads only the difference.

Versions are told apart by the same content-hash rule the server uses for immutable
caching; "newest" means the most recently modified. Writes are atomic (temp file and
rename); a delta newer than both of its files is kept as it is (incremental); deltas
that are no longer wanted (an older newest, a dictionary beyond ``keep``) are removed.
``dcb`` (brotli with a dictionary) is not produced: the ``brotli`` binding has no
dictionary support.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Final

from pinknoise.compress.atomic import write_atomic
from pinknoise.core.dictionaries import DCZ_MAGIC, delta_name, parse_delta_name
from pinknoise.core.options import hash_span
from pinknoise.core.paths import is_hidden

DEFAULT_KEEP: Final = 3
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


def write_deltas(root: str | os.PathLike[str], keep: int = DEFAULT_KEEP) -> DeltaSummary:
    """Write (or refresh) the deltas of every versioned asset under ``root``."""
    summary = DeltaSummary()
    for directory, names in _directories(os.fspath(root)):
        for versions in _version_groups(directory, names).values():
            _refresh_group(directory, versions, names, keep, summary)
    return summary


def _directories(root: str) -> list[tuple[str, list[str]]]:
    found = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [d for d in subdirectories if not is_hidden(d)]
        found.append((directory, [f for f in files if not is_hidden(f)]))
    return found


def _version_groups(directory: str, names: list[str]) -> dict[tuple[str, str], list[str]]:
    """Versioned files grouped by their name with the hash cut out, newest first."""
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for name in names:
        if name.endswith((".gz", ".br", ".zst", ".dcz")):
            continue
        span = hash_span(name)
        if span is None:
            continue
        try:
            st = os.stat(os.path.join(directory, name))
        except OSError:
            continue
        groups.setdefault((name[: span[0]], name[span[1] :]), []).append((st.st_mtime_ns, name))
    return {key: [n for _, n in sorted(v, reverse=True)] for key, v in groups.items()}


def _refresh_group(
    directory: str, versions: list[str], names: list[str], keep: int, summary: DeltaSummary
) -> None:
    newest, older = versions[0], versions[1 : 1 + keep]
    wanted: set[str] = set()
    newest_path = os.path.join(directory, newest)
    try:
        content = _read_small(newest_path)
        for dictionary_name in older:
            dictionary_path = os.path.join(directory, dictionary_name)
            dictionary = _read_small(dictionary_path)
            if dictionary is None or content is None or dictionary == content:
                continue
            target_name = delta_name(newest, hashlib.sha256(dictionary).digest())
            wanted.add(target_name)
            target = os.path.join(directory, target_name)
            if _fresh(target, newest_path, dictionary_path):
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
        summary.errors.append((newest_path, error.strerror or str(error)))
    # Deltas of any version of this asset that are no longer wanted go away.
    for name in names:
        delta = parse_delta_name(name)
        if delta and delta[0] in versions and name not in wanted:
            try:
                os.unlink(os.path.join(directory, name))
                summary.removed.append(os.path.join(directory, name))
            except FileNotFoundError:
                pass


def _read_small(path: str) -> bytes | None:
    if os.path.getsize(path) > MAX_DELTA_INPUT:
        return None
    with open(path, "rb") as source:
        return source.read()


def _fresh(target: str, *sources: str) -> bool:
    """A delta written after both of its inputs were last modified is up to date."""
    try:
        made = os.stat(target).st_mtime_ns
        return all(os.stat(source).st_mtime_ns <= made for source in sources)
    except OSError:
        return False
