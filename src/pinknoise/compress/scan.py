"""Walk the roots with the same file-selection policy as the server.

* Hidden names (:func:`pinknoise.core.paths.is_hidden`: files and directories starting
  with ``.``) are ignored, except our own abandoned temporary files, which are
  collected for deletion; so are names no URL can spell
  (:func:`pinknoise.core.paths.is_url_safe`), which the server never serves.
* A symlink whose resolved target is inside the root is followed. A file symlink that
  leaves the root is skipped unless ``allow_external_symlinks``; its variant is then
  written next to the link, inside the root. A directory symlink that leaves the root
  is never descended, even with that flag, because its variants would have to be
  written outside the root: pass that directory as a root of its own instead.
* Each directory is entered once, keyed by ``(st_dev, st_ino)``, so symlink loops end
  and a directory reachable by two paths is not compressed twice.
* Only regular files are compressed (FIFOs, sockets and devices are skipped).
* dcz deltas (``NAME.<sha256>.dcz``) are representations of ``NAME``, not files of
  their own: they are listed apart, for the delta step, which takes its versions from
  this same scan (:mod:`pinknoise.compress.deltas`).

These are the rules of the server's walk (:func:`pinknoise.core.scanner.walk`), plus
what only a writer needs (full stat results, reasons for what was left out, temp files,
each directory once so nothing is compressed twice, external directory symlinks never
entered).
"""

from __future__ import annotations

import os
import stat as stat_module
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from pinknoise.compress.atomic import is_abandoned_temp
from pinknoise.core.codings import SUFFIXES, VARIANT_SUFFIXES
from pinknoise.core.dictionaries import parse_delta_name
from pinknoise.core.paths import is_hidden, is_hidden_at_root, is_url_safe
from pinknoise.core.paths import is_within as _is_within

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
        # archives and compressed streams (including our own variants)
        "gz", "tgz", "br", "zst", "zstd", "dcz", "zip", "bz2", "tbz", "tbz2", "xz", "txz",
        "lz", "lzma", "lz4", "7z", "rar", "jar", "whl", "apk", "dmg",
        # audio
        "mp3", "ogg", "oga", "opus", "m4a", "aac", "flac", "wma",
        # video
        "mp4", "m4v", "webm", "mkv", "mov", "avi", "wmv", "mpg", "mpeg", "ogv",
        "3gp", "3gpp", "asf", "flv", "swf",
    }
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


def scan_root(
    index: int,
    root: str,
    skip_extensions: frozenset[str],
    allow_external_symlinks: bool,
    result: ScanResult,
) -> None:
    """Walk ``root`` and append what it holds to ``result``."""
    real_root = os.path.realpath(root)
    try:
        root_st = os.stat(root)
    except OSError as exc:
        result.errors.append((root, exc.strerror or str(exc)))
        return
    if not stat_module.S_ISDIR(root_st.st_mode):
        result.errors.append((root, "not a directory"))
        return
    visited: set[tuple[int, int]] = {(root_st.st_dev, root_st.st_ino)}
    stack: list[tuple[str, str]] = [(root, "")]
    while stack:
        directory, rel_dir = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            result.errors.append((directory, exc.strerror or str(exc)))
            continue
        names = {e.name for e in entries}
        subdirs: list[tuple[str, str]] = []
        for entry in entries:
            name = entry.name
            rel = f"{rel_dir}{name}"
            if is_hidden(name):
                if is_abandoned_temp(name):
                    result.abandoned_temps.append(entry.path)
                continue
            if not is_url_safe(name):
                result.ignored.append((printable(entry.path), "a name no URL can spell"))
                continue
            if not rel_dir and is_hidden_at_root(name):
                continue  # never served (Django's manifest), so never compressed
            try:
                is_link = entry.is_symlink()
                external = False
                if is_link:
                    target = os.path.realpath(entry.path)
                    external = not is_within(target, real_root)
                    try:
                        st = os.stat(entry.path)
                    except FileNotFoundError:
                        result.ignored.append((entry.path, "broken symlink"))
                        continue
                else:
                    st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                result.errors.append((entry.path, exc.strerror or str(exc)))
                continue
            if stat_module.S_ISDIR(st.st_mode):
                if external:
                    result.ignored.append((entry.path, "directory symlink leaves the root"))
                    continue
                key = (st.st_dev, st.st_ino)
                if key in visited:
                    result.ignored.append((entry.path, "directory already visited"))
                    continue
                visited.add(key)
                subdirs.append((entry.path, f"{rel}/"))
                continue
            if not stat_module.S_ISREG(st.st_mode):
                result.ignored.append((entry.path, "not a regular file"))
                continue
            if external and not allow_external_symlinks:
                result.ignored.append((entry.path, "symlink leaves the root"))
                continue
            if name.endswith(".dcz") and parse_delta_name(name) is not None:
                result.deltas.append(entry.path)
                continue
            if any(name.endswith(s) for s in VARIANT_SUFFIXES):
                # A variant (ours or someone's): never compress it again.
                continue
            siblings = frozenset(enc for enc, suf in SUFFIXES.items() if name + suf in names)
            source = Source(index, entry.path, rel, st, siblings)
            if has_extension(name, skip_extensions):
                result.skipped.append(source)
            else:
                result.sources.append(source)
        # Depth-first in name order: reversed so the stack pops them alphabetically.
        stack.extend(reversed(subdirs))


def scan(
    roots: list[str], skip_extensions: frozenset[str], allow_external_symlinks: bool
) -> ScanResult:
    """Walk every root in order into one :class:`ScanResult`."""
    result = ScanResult()
    for index, root in enumerate(roots):
        scan_root(index, root, skip_extensions, allow_external_symlinks, result)
    return result
