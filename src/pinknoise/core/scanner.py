"""Walks a root directory once and turns what it finds into catalog entries."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator

from pinknoise.core.codings import SUFFIXES
from pinknoise.core.files import Entry, FileFactory, Redirect
from pinknoise.core.paths import HIDDEN_ROOT_FILES, is_hidden, is_within

log = logging.getLogger("pinknoise")


def scan_root(root: str, prefix: str, factory: FileFactory) -> dict[str, Entry]:
    """Catalog entries for every servable file under ``root``, keyed by URL path.

    Hidden names are skipped; symlinks are followed only while they resolve inside the
    root (unless ``allow_external_symlinks``), and never into a directory's own ancestor,
    so a symlink loop cannot hang start-up.
    """
    real_root = os.path.realpath(root)
    entries: dict[str, Entry] = {}
    index_file = factory.options.index_file
    for directory, url_dir, files in _walk(
        real_root, prefix, factory.options.allow_external_symlinks
    ):
        names = {name for name, _, _ in files}
        for name, path, st in files:
            if directory == real_root and name in HIDDEN_ROOT_FILES:
                continue
            siblings = [path + suffix for suffix in SUFFIXES.values() if name + suffix in names]
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


FileList = list[tuple[str, str, os.stat_result]]


def _walk(real_root: str, prefix: str, allow_external: bool) -> Iterator[tuple[str, str, FileList]]:
    """Yield ``(directory, url_dir, [(name, path, stat), ...])`` for each directory."""
    try:
        root_stat = os.stat(real_root)
    except OSError as error:
        log.warning("pinknoise: cannot read static root %s: %s", real_root, error)
        return
    # A directory is a loop when it is one of its own ancestors; aliases that are not
    # (``current -> v2``) are served under both names, as a file server would.
    pending = [(real_root, prefix, frozenset({(root_stat.st_dev, root_stat.st_ino)}))]
    while pending:
        directory, url_dir, ancestors = pending.pop()
        files: FileList = []
        try:
            with os.scandir(directory) as listing:
                dir_entries = list(listing)
        except OSError as error:
            log.warning("pinknoise: skipping unreadable directory %s: %s", directory, error)
            continue
        for entry in dir_entries:
            name = entry.name
            if is_hidden(name) or not _is_url_safe(name):
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
                    pending.append((path, f"{url_dir}{name}/", ancestors | {key}))
            elif stat.S_ISREG(st.st_mode):
                files.append((name, path, st))
        yield directory, url_dir, files


def _is_url_safe(name: str) -> bool:
    """A name no URL can reach (undecodable bytes, control characters) is not served."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return name.isprintable()
