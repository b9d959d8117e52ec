"""The compressor's view of its roots: the server's walk (:func:`pinknoise.core.walker.walk_full`).

Which files exist is decided by :mod:`pinknoise.core.walker` alone, for the server, the
compressor and the delta writer: hidden and private names, names no URL can spell,
special files and symlinks leaving the root are left out there (each with a reason),
each directory is entered once, and directory symlinks leaving the root are never
entered (their variants would be written outside the root: pass such a directory as
a root of its own). What this module adds is what the compressor does with the files:

* our own temporary files abandoned by a killed run (hidden names) are collected for
  deletion;
* a file is a source, a precompressed variant of a source next to it (never compressed
  again) or a dcz delta (listed apart, for the delta step), as
  :func:`pinknoise.core.walker.role` says, the server's rule;
* sources with an extension in the skip list are kept apart, so stale variants an
  earlier run wrote for them can be removed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from pinknoise.compress.atomic import is_abandoned_temp
from pinknoise.core.codings import SUFFIXES
from pinknoise.core.paths import is_within as _is_within
from pinknoise.core.walker import HIDDEN, PRIVATE, Policy, WalkReport, role, walk_full

#: Extensions whose content is already compressed; compressing them again wastes time
#: and (by the 5 % rule) almost never yields a variant. SVG, ICO/BMP, TTF/OTF/EOT and
#: PDF are deliberately absent: they often compress well, and the ratio check decides.
DEFAULT_SKIP_EXTENSIONS: Final[frozenset[str]] = frozenset(
    {
        # images
        "jpg", "jpeg", "jpe", "jfif", "pjpeg", "png", "apng", "gif", "webp", "avif",
        "heic", "heif", "jxl", "jp2",
        # fonts
        "woff", "woff2",
        # archives and compressed streams
        "tgz", "zstd", "dcz", "zip", "bz2", "tbz", "tbz2", "xz", "txz",
        "lz", "lzma", "lz4", "7z", "rar", "jar", "whl", "apk", "dmg",
        # audio
        "mp3", "ogg", "oga", "opus", "m4a", "aac", "flac", "wma",
        # video
        "mp4", "m4v", "webm", "mkv", "mov", "avi", "wmv", "mpg", "mpeg", "ogv",
        "3gp", "3gpp", "asf", "flv", "swf",
    }
    # and our own variants' suffixes (.br, .zst, .gz), whoever wrote the file
    | {suffix.lstrip(".") for suffix in SUFFIXES.values()}
)  # fmt: skip


def normalize_extensions(extensions: Iterable[str]) -> frozenset[str]:
    """Lower-case, strip leading dots and blanks: ``".CSS"`` and ``"css"`` match alike."""
    return frozenset(e.strip().lower().lstrip(".") for e in extensions if e.strip(" ."))


def has_extension(name: str, extensions: frozenset[str]) -> bool:
    """True if ``name`` ends with ``.EXT`` for some EXT (multi-part ones like tar.gz too)."""
    lower = name.lower()
    parts = lower.split(".")
    # Every dotted tail of the name: "a.tar.gz" -> "gz", "tar.gz".
    return any(".".join(parts[i:]) in extensions for i in range(1, len(parts)))


@dataclass(slots=True)
class Source:
    """A regular file under a root that is a candidate for compression."""

    root: int  #: index of its root in the run's root list
    path: str  #: path as walked (through in-root symlinks), where variants go
    rel: str  #: '/'-separated path relative to the root: the manifest key
    st: os.stat_result  #: stat of the file's content (symlinks followed)
    siblings: frozenset[str]  #: encodings whose ``NAME.SUFFIX`` exists next to it


@dataclass(slots=True)
class ScanResult:
    """Everything one walk found, split by what the runner must do with it."""

    sources: list[Source] = field(default_factory=list)
    #: Files not compressed because of their extension; kept so stale variants that a
    #: previous run wrote for them can be removed.
    skipped: list[Source] = field(default_factory=list)
    #: (path, reason) for entries ignored for a reason worth telling in --verbose.
    ignored: list[tuple[str, str]] = field(default_factory=list)
    #: Temporary files abandoned by a killed run.
    abandoned_temps: list[str] = field(default_factory=list)
    #: Paths of the regular files named like a dcz delta (``NAME.<sha256>.dcz``).
    deltas: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


def is_within(path: str, root: str) -> bool:
    """True if real path ``path`` is ``root`` or below it (both already resolved)."""
    return _is_within(path, root.rstrip(os.sep) or os.sep)


def printable(path: str) -> str:
    """``path`` with undecodable bytes escaped, safe to print on any stream."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def scan(
    roots: list[str], skip_extensions: frozenset[str], allow_external_symlinks: bool
) -> ScanResult:
    """Walk every root in order into one :class:`ScanResult`."""
    result = ScanResult()
    for index, root in enumerate(roots):
        _scan_into(result, index, root, skip_extensions, allow_external_symlinks)
    return result


def _scan_into(
    result: ScanResult,
    index: int,
    root: str,
    skip_extensions: frozenset[str],
    allow_external_symlinks: bool,
) -> None:
    """Sort what the walker finds under ``root`` into ``result``."""
    policy = Policy(os.path.realpath(root), allow_external_symlinks)
    report = WalkReport()
    for directory, rel_dir, files in walk_full(policy, report, start=root):
        names = {name for name, _ in files}
        for name, st in files:
            kind = role(name, names)
            path = os.path.join(directory, name)
            if kind == "delta":
                result.deltas.append(path)
                continue
            if kind == "variant":
                continue  # a representation of a source next to it: never compressed
            siblings = frozenset(enc for enc, suf in SUFFIXES.items() if name + suf in names)
            source = Source(index, path, f"{rel_dir}{name}", st, siblings)
            if has_extension(name, skip_extensions):
                result.skipped.append(source)
            else:
                result.sources.append(source)
    for path, reason in report.skipped:
        if reason == HIDDEN:
            if is_abandoned_temp(os.path.basename(path)):
                result.abandoned_temps.append(path)
        elif reason != PRIVATE:  # never served (Django's manifest), so not worth a line
            result.ignored.append((printable(path), reason))
    result.errors.extend(report.errors)
