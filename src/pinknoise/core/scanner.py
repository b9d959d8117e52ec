"""Walks a root directory once and turns what it finds into catalog entries."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable, Iterator

from pinknoise.core.codings import SUFFIXES
from pinknoise.core.dictionaries import parse_delta_name
from pinknoise.core.files import Entry, FileFactory, FileStat, Redirect
from pinknoise.core.paths import HIDDEN_ROOT_FILES, is_hidden, is_within

log = logging.getLogger("pinknoise")

#: One directory of a listing: (absolute directory, its path relative to the root with a
#: trailing "/" or "" for the root itself, [(name, stat), ...] of its regular files).
Directory = tuple[str, str, list[tuple[str, FileStat]]]


def scan_root(
    real_root: str, prefix: str, factory: FileFactory, listing: Iterable[Directory] | None = None
) -> dict[str, Entry]:
    """Catalog entries for every servable file under ``real_root``, keyed by URL path.

    ``listing`` is what :func:`walk` yields; a snapshot (``pinknoise.core.snapshot``)
    can stand in for it so that start-up does not stat every file.
    """
    if listing is None:
        listing = walk(real_root, factory.options.allow_external_symlinks)
    entries: dict[str, Entry] = {}
    index_file = factory.options.index_file
    for directory, relative_dir, files in listing:
        url_dir = prefix + relative_dir
        stats = dict(files)
        deltas: dict[str, list[str]] = {}
        for name, _ in files:
            delta = parse_delta_name(name)
            if delta is not None:
                deltas.setdefault(delta[0], []).append(name)
        for name, st in files:
            if not relative_dir and name in HIDDEN_ROOT_FILES:
                continue
            if name.endswith(".dcz") and parse_delta_name(name):
                continue  # a delta is only ever a representation of its source
            path = os.path.join(directory, name)
            siblings = [
                (os.path.join(directory, sibling), stats[sibling])
                for sibling in [name + suffix for suffix in SUFFIXES.values()]
                + deltas.get(name, [])
                if sibling in stats
            ]
            url = url_dir + name
            static_file = factory.build(path, url, st, siblings)
            if name == index_file:
                entries[url_dir] = static_file
                entries[url] = Redirect(url_dir)
                if url_dir != "/":
                    entries.setdefault(url_dir[:-1], Redirect(url_dir))
            else:
                entries[url] = static_file
    stale = factory.take_stale_variants()
    if stale:
        log.warning(
            "pinknoise: ignored %d compressed file(s) older than their source, e.g. %s; "
            "run `pinknoise compress` again",
            len(stale),
            stale[0],
        )
    return entries


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


def is_url_safe(name: str) -> bool:
    """A name no URL can reach (undecodable bytes, control characters) is not served."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return name.isprintable()
