"""Walks a root directory once and turns what it finds into catalog entries."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from typing import Final

from pinknoise.core.codings import SUFFIXES
from pinknoise.core.dictionaries import parse_delta_name
from pinknoise.core.files import Entry, FileFactory, Redirect, StaticFile
from pinknoise.core.walker import FileStat, Policy, Recorded, role, walk

log = logging.getLogger("pinknoise")

#: One directory of a listing: (absolute directory, its path relative to the root with a
#: trailing "/" or "" for the root itself, [(name, stat), ...] of its regular files).
Directory = tuple[str, str, list[tuple[str, FileStat]]]
#: Precompressed siblings of a pending file: (file name, size, mtime_ns), already
#: judged worth serving (:meth:`pinknoise.core.walker.Policy.worth_serving`).
Siblings = tuple[tuple[str, int, int], ...]
#: A file found by the scan but not yet prepared:
#: (path, size, mtime_ns, siblings, url, the policy of its root).
Pending = tuple[str, int, int, Siblings, str, Policy]
_SUFFIXES: Final = tuple(SUFFIXES.values())


def scan_root(
    policy: Policy, prefix: str, factory: FileFactory, listing: Iterable[Directory] | None = None
) -> dict[str, Entry | Pending]:
    """Catalog entries for every servable file under ``real_root``, keyed by URL path.

    Files become :data:`Pending` records, turned into full entries (headers and all) on
    their first request: start-up stays a directory walk, and memory holds little more
    than a path and two numbers per file until a file is actually served.
    ``listing`` is what :func:`walk` yields; a snapshot (``pinknoise.core.snapshot``)
    can stand in for it so that start-up does not stat every file.
    """
    if listing is None:
        listing = listed(policy)
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
            if not relative_dir and not policy.admits_name(name, at_root=True):
                continue
            if role(name, stats) != "file":
                continue  # a delta or a variant is only a representation of its source
            path = os.path.join(directory, name)
            siblings: Siblings = ()
            candidates = [name + suffix for suffix in _SUFFIXES if name + suffix in stats]
            candidates += deltas.get(name, ())
            if candidates:
                kept, stale_here = policy.worth_serving(
                    path, st, [(os.path.join(directory, c), stats[c]) for c in candidates]
                )
                stale += stale_here
                siblings = tuple((os.path.basename(p), s.size, s.mtime_ns) for p, s in kept)
            url = url_dir + name
            pending = (path, st.size, st.mtime_ns, siblings, url, policy)
            if name == index_file:
                entries[url_dir] = pending
                entries[url] = Redirect.to_directory()
                if url_dir != "/":
                    entries.setdefault(url_dir[:-1], Redirect.add_slash(url_dir[:-1]))
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
    path, size, mtime_ns, siblings, url, policy = pending
    directory = os.path.dirname(path)
    return factory.build(
        policy,
        path,
        url,
        FileStat(size, mtime_ns),
        [(os.path.join(directory, name), FileStat(s, m)) for name, s, m in siblings],
    )


def listed(policy: Policy, recorded: Recorded | None = None) -> Iterator[Directory]:
    """:func:`pinknoise.core.walker.walk`, as :func:`scan_root` takes it."""
    for directory, relative_dir, _, files in walk(policy, recorded):
        yield directory, relative_dir, files
