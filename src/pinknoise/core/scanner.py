"""Walks a root directory once and turns what it finds into catalog entries."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable, Iterator
from typing import Final

from pinknoise.core.codings import SUFFIXES
from pinknoise.core.dictionaries import parse_delta_name
from pinknoise.core.files import Entry, FileFactory, FileStat, Redirect, StaticFile
from pinknoise.core.paths import is_hidden, is_hidden_at_root, is_url_safe, is_within

log = logging.getLogger("pinknoise")

#: One directory of a listing: (absolute directory, its path relative to the root with a
#: trailing "/" or "" for the root itself, [(name, stat), ...] of its regular files).
Directory = tuple[str, str, list[tuple[str, FileStat]]]
#: Precompressed siblings of a pending file: (file name, size, mtime_ns), already
#: filtered (smaller than the source and not older than it).
Siblings = tuple[tuple[str, int, int], ...]
#: A file found by the scan but not yet prepared: (path, size, mtime_ns, siblings, url).
Pending = tuple[str, int, int, Siblings, str]
_SUFFIXES: Final = tuple(SUFFIXES.values())


def scan_root(
    real_root: str, prefix: str, factory: FileFactory, listing: Iterable[Directory] | None = None
) -> dict[str, Entry | Pending]:
    """Catalog entries for every servable file under ``real_root``, keyed by URL path.

    Files become :data:`Pending` records, turned into full entries (headers and all) on
    their first request: start-up stays a directory walk, and memory holds little more
    than a path and two numbers per file until a file is actually served.
    ``listing`` is what :func:`walk` yields; a snapshot (``pinknoise.core.snapshot``)
    can stand in for it so that start-up does not stat every file.
    """
    if listing is None:
        listing = walk(real_root, factory.options.allow_external_symlinks)
    entries: dict[str, Entry | Pending] = {}
    index_file = factory.options.index_file
    stale: list[str] = []
    for directory, relative_dir, files in listing:
        url_dir = prefix + relative_dir
        stats = dict(files)
        deltas: dict[str, list[str]] = {}
        for name, _ in files:
            if name.endswith(".dcz") and (delta := parse_delta_name(name)) is not None:
                deltas.setdefault(delta[0], []).append(name)
        for name, st in files:
            if not relative_dir and is_hidden_at_root(name):
                continue
            if name.endswith(".dcz") and parse_delta_name(name):
                continue  # a delta is only ever a representation of its source
            path = os.path.join(directory, name)
            siblings: Siblings = ()
            candidates = [name + suffix for suffix in _SUFFIXES if name + suffix in stats]
            candidates += deltas.get(name, ())
            if candidates:
                kept = []
                for sibling in candidates:
                    size, mtime_ns = stats[sibling]
                    if size >= st.size:
                        continue
                    if mtime_ns < st.mtime_ns:
                        stale.append(os.path.join(directory, sibling))
                        continue
                    kept.append((sibling, size, mtime_ns))
                siblings = tuple(kept)
            url = url_dir + name
            pending = (path, st.size, st.mtime_ns, siblings, url)
            if name == index_file:
                entries[url_dir] = pending
                entries[url] = Redirect(url_dir)
                if url_dir != "/":
                    entries.setdefault(url_dir[:-1], Redirect(url_dir))
            else:
                entries[url] = pending
    if stale:
        log.warning(
            "pinknoise: ignored %d compressed file(s) older than their source, e.g. %s; "
            "run `pinknoise compress` again",
            len(stale),
            stale[0],
        )
    return entries


def prepare(pending: Pending, factory: FileFactory) -> StaticFile:
    """The full catalog entry for a pending record (see :func:`scan_root`)."""
    path, size, mtime_ns, siblings, url = pending
    directory = os.path.dirname(path)
    return factory.build(
        path,
        url,
        FileStat(size, mtime_ns),
        [(os.path.join(directory, name), FileStat(s, m)) for name, s, m in siblings],
    )


def walk(real_root: str, allow_external: bool) -> Iterator[Directory]:
    """Yield every directory under ``real_root`` with its servable regular files.

    Hidden names are skipped; symlinks are followed only while they resolve inside the
    root (unless ``allow_external``), and never into a directory's own ancestor, so a
    symlink loop cannot hang start-up. Unreadable directories are reported and skipped.
    """
    try:
        root_stat = os.stat(real_root)
    except OSError as error:
        log.warning("pinknoise: cannot read static root %s: %s", real_root, error)
        return
    # A directory is a loop when it is one of its own ancestors; aliases that are not
    # (``current -> v2``) are served under both names, as a file server would.
    pending = [(real_root, "", frozenset({(root_stat.st_dev, root_stat.st_ino)}))]
    while pending:
        directory, relative_dir, ancestors = pending.pop()
        files: list[tuple[str, FileStat]] = []
        try:
            with os.scandir(directory) as listing:
                dir_entries = list(listing)
        except OSError as error:
            log.warning("pinknoise: skipping unreadable directory %s: %s", directory, error)
            continue
        for entry in dir_entries:
            name = entry.name
            if is_hidden(name) or not is_url_safe(name):
                continue
            path = entry.path
            try:
                if entry.is_symlink():
                    target = os.path.realpath(path)
                    if not allow_external and not is_within(target, real_root):
                        log.debug("pinknoise: skipping symlink out of root: %s", path)
                        continue
                st = entry.stat()
            except OSError:
                continue  # a dangling symlink or a file gone since the listing
            if stat.S_ISDIR(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if key not in ancestors:
                    pending.append((path, f"{relative_dir}{name}/", ancestors | {key}))
            elif stat.S_ISREG(st.st_mode):
                files.append((name, FileStat.of(st)))
        yield directory, relative_dir, files
