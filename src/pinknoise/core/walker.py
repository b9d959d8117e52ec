"""Which files exist for pinknoise: one policy, applied by every part that touches a tree.

The server's start-up scan (:func:`walk`), its per-request lookup under autorefresh, the
siblings of a file (``.br``/``.zst``/``.gz`` variants and ``.dcz`` deltas, told apart by
:func:`role`), the compressor and the delta writer (:func:`walk_full`) all decide
through this module, so a rule (dotfiles, names a URL cannot spell, special files,
symlinks leaving the root, symlink loops) is written once, in :func:`_list`.

Checks made on paths can be raced (a directory swapped for a symlink between the check
and the open), so the last word is :func:`open_contained`: it opens without blocking,
and proves on the opened descriptor itself that the file is a regular file inside the
root before a byte is read.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import stat
import sys
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal, NamedTuple

from pinknoise.core.codings import SUFFIXES
from pinknoise.core.dictionaries import parse_delta_name
from pinknoise.core.paths import is_hidden, is_hidden_at_root, is_url_safe, is_within

log = logging.getLogger("pinknoise")


class FileStat(NamedTuple):
    """What the catalog needs to know of a file: from ``os.stat`` or from a snapshot."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> FileStat:
        return cls(st.st_size, st.st_mtime_ns)


#: One directory of a listing: (absolute directory, its path relative to the root with a
#: trailing "/" or "" for the root itself, its mtime_ns, [(name, stat), ...] of its
#: admitted regular files).
Listing = tuple[str, str, int, list[tuple[str, FileStat]]]
#: A recorded directory (a snapshot): relative_dir -> (its mtime_ns, its files).
Recorded = Mapping[str, tuple[int, list[tuple[str, FileStat]]]]
#: One directory of :func:`walk_full`: (directory as walked, its root-relative path with
#: a trailing "/" or "", [(name, full stat), ...] of its admitted regular files).
FullListing = tuple[str, str, list[tuple[str, os.stat_result]]]

# Why an entry was left out, as :class:`WalkReport` tells a writer.
HIDDEN: Final = "a hidden name"
UNSAFE_NAME: Final = "a name no URL can spell"
PRIVATE: Final = "private at the root"
OUTSIDE: Final = "symlink leaves the root"
OUTSIDE_DIR: Final = "directory symlink leaves the root"
SPECIAL: Final = "not a regular file"
BROKEN: Final = "broken symlink"
LOOP: Final = "symlink loop"
VISITED: Final = "directory already visited"

VARIANT_SUFFIXES: Final = tuple(SUFFIXES.values())
_OPEN_FLAGS: Final = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
#: Where the kernel tells what an open descriptor is (Linux); elsewhere we compare inodes.
_PROC_FD: Final = "/proc/self/fd"
HAS_PROC_FD: Final = sys.platform.startswith("linux") and os.path.isdir(_PROC_FD)


#: What ``pinknoise compress`` recorded for a source (root-relative path): its size and
#: mtime when its variants were made, and each variant's file suffix -> (size, mtime).
CompressRecord = tuple[int, int, dict[str, tuple[int, int]]]
COMPRESS_RECORD: Final = ".pinknoise-compress.json"
_RECORD_FORMAT: Final = "pinknoise-compress/1"


@dataclass(frozen=True, slots=True, eq=False)
class Policy:
    """The rules for one root. ``allow_external_symlinks`` is the only choice a user has."""

    real_root: str
    allow_external_symlinks: bool = False
    #: The compressor's record of the root, read once (see :func:`read_compress_record`).
    records: dict[str, CompressRecord] = field(default_factory=dict)

    def variant_is_current(
        self, source: str, source_stat: tuple[int, int], variant: str, variant_stat: tuple[int, int]
    ) -> bool:
        """Whether a precompressed sibling holds the source as it is now.

        Judging by mtime order alone, a rollback that preserves mtimes (``cp -p``,
        ``rsync -a``, tar) of an older source keeps the newer ``.br``: br clients get v2
        while identity clients get v1. So where the compressor recorded the source it
        made the variant from, that decides: the variant must be the one recorded, and
        the source must still have the recorded size and an mtime not older than the
        recorded one. A newer mtime with the same size is what copying a tree without
        preserving times does (both files then look new): the mtime rule applies there,
        as it does where there is no record.
        """
        record = self.records.get(os.path.relpath(source, self.real_root)) if self.records else None
        if record is not None:
            made = record[2].get(variant[len(source) :])
            size, mtime_ns = source_stat
            if made is not None and made == tuple(variant_stat):
                if size != record[0] or mtime_ns < record[1]:
                    return False  # another version of the source: a rollback, or an edit
                if mtime_ns == record[1]:
                    return True
            elif made is not None and size != record[0]:
                return False
        return variant_stat[1] >= source_stat[1]

    def worth_serving(
        self, source: str, source_stat: FileStat, found: Iterable[tuple[str, FileStat]]
    ) -> tuple[list[tuple[str, FileStat]], list[str]]:
        """Split ``source``'s siblings into those to serve and the stale ones (paths).

        Served: smaller than the source and made from it as it is now
        (:meth:`variant_is_current`). A sibling no smaller is simply useless; a stale
        one is reported, since a rerun of the compressor fixes it. Judged here once,
        for the start-up scan and the autorefresh lookup alike.
        """
        kept: list[tuple[str, FileStat]] = []
        stale: list[str] = []
        for sibling, sibling_stat in found:
            if sibling_stat.size >= source_stat.size:
                continue
            if self.variant_is_current(source, source_stat, sibling, sibling_stat):
                kept.append((sibling, sibling_stat))
            else:
                stale.append(sibling)
        return kept, stale

    def admits_name(self, name: str, at_root: bool) -> bool:
        """A name the server may serve: no dotfile, one a URL can spell, not private."""
        if is_hidden(name) or not is_url_safe(name):
            return False
        return not (at_root and is_hidden_at_root(name))

    def refusal(self, name: str, at_root: bool) -> str | None:
        """Why :meth:`admits_name` refuses ``name`` (None: it does not), for reports."""
        if is_hidden(name):
            return HIDDEN
        if not is_url_safe(name):
            return UNSAFE_NAME
        return PRIVATE if at_root and is_hidden_at_root(name) else None

    def admits_target(self, resolved: str) -> bool:
        """Where a symlink may lead: inside the root, unless external links are allowed."""
        return self.allow_external_symlinks or is_within(resolved, self.real_root)


def variant_source(name: str) -> str | None:
    """``app.css`` for ``app.css.br``: the name a precompressed sibling was made from.

    Where that source exists next to it, the sibling is only a representation of the
    source, never a URL of its own (as in WhiteNoise): one URL per content, and a stale
    ``.gz`` cannot be fetched directly. A lone ``logs.tar.gz`` is an ordinary file.
    """
    for suffix in VARIANT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return None


def role(name: str, names: Container[str]) -> Literal["file", "variant", "delta"]:
    """What a regular file is, given the names of the files next to it.

    A dcz delta (``NAME.<sha256>.dcz``) and a precompressed sibling of a file that
    exists (:func:`variant_source`) are representations of another file, never served
    or compressed as files of their own; anything else is a file.
    """
    if name.endswith(".dcz") and parse_delta_name(name) is not None:
        return "delta"
    if variant_source(name) in names:
        return "variant"
    return "file"


@dataclass(slots=True)
class WalkReport:
    """What :func:`walk_full` left out and why, and what it could not read."""

    #: (path, reason): one of the reasons above (HIDDEN, OUTSIDE, ...).
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: (path, message) of directories and entries that could not be read.
    errors: list[tuple[str, str]] = field(default_factory=list)


def read_compress_record(real_root: str) -> dict[str, CompressRecord]:
    """The compressor's record of ``real_root`` (``.pinknoise-compress.json``), or {}.

    Only what judging a sibling needs; anything unreadable means "no record", which
    falls back to the mtime rule.
    """
    data = read_regular(Policy(real_root), os.path.join(real_root, COMPRESS_RECORD))
    try:
        if data is None:
            return {}
        raw = json.loads(data)
        if raw.get("format") != _RECORD_FORMAT:
            return {}
        records: dict[str, CompressRecord] = {}
        for relative, record in raw["files"].items():
            variants = {
                SUFFIXES[coding]: (int(v["size"]), int(v["mtime_ns"]))
                for coding, v in record["variants"].items()
                if coding in SUFFIXES and v.get("size") is not None
            }
            records[str(relative)] = (int(record["size"]), int(record["mtime_ns"]), variants)
        return records
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def walk(policy: Policy, recorded: Recorded | None = None) -> Iterator[Listing]:
    """Yield every directory under the root with its admitted regular files.

    Symlinks are followed only where :meth:`Policy.admits_target` says so, and never into
    a directory's own ancestor, so a symlink loop cannot hang start-up. Aliases that are
    not loops (``current -> v2``) are served under both names, as a file server would.
    Unreadable directories are reported and skipped.

    With ``recorded`` (a snapshot), a directory whose mtime is the recorded one is not
    listed again: its recorded files are used and only its recorded subdirectories are
    visited, one ``stat`` each. Adding, removing or renaming an entry changes a
    directory's mtime, so a file added after the snapshot is found; the directory is
    stat-ed before it is listed, so a change during the listing is seen next time.
    """
    real_root = policy.real_root
    try:
        root_stat = os.stat(real_root)
    except OSError as error:
        log.warning("pinknoise: cannot read static root %s: %s", real_root, error)
        return
    children: dict[str, list[str]] = {}
    for relative_dir in recorded or ():
        if relative_dir:
            parent, _, name = relative_dir[:-1].rpartition("/")
            children.setdefault(f"{parent}/" if parent else "", []).append(name)
    pending = [(real_root, "", root_stat, frozenset({(root_stat.st_dev, root_stat.st_ino)}))]
    while pending:
        directory, relative_dir, dir_stat, ancestors = pending.pop()
        known = recorded.get(relative_dir) if recorded else None
        if known is not None and known[0] == dir_stat.st_mtime_ns:
            for name in children.get(relative_dir, ()):
                path = os.path.join(directory, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                key = (st.st_dev, st.st_ino)
                if stat.S_ISDIR(st.st_mode) and key not in ancestors:
                    pending.append((path, f"{relative_dir}{name}/", st, ancestors | {key}))
            yield directory, relative_dir, dir_stat.st_mtime_ns, known[1]
            continue
        listed = _list(policy, directory, not relative_dir, None)
        if listed is None:
            continue
        for path, name, st, _ in listed[1]:
            key = (st.st_dev, st.st_ino)
            if key not in ancestors:
                pending.append((path, f"{relative_dir}{name}/", st, ancestors | {key}))
        files = [(name, FileStat(st.st_size, st.st_mtime_ns)) for name, st in listed[0]]
        yield directory, relative_dir, dir_stat.st_mtime_ns, files


def walk_full(
    policy: Policy, report: WalkReport, start: str | None = None
) -> Iterator[FullListing]:
    """:func:`walk` for a writer (the compressor, the delta writer), by the same rules.

    What a writer needs besides: full ``os.stat_result`` of each file, a reason in
    ``report`` for every entry left out, each directory entered once by
    ``(st_dev, st_ino)`` (an alias of a directory is not compressed twice), and
    directory symlinks leaving the root never entered, even where external symlinks
    are allowed: what is written there would land outside the root. Directories are
    walked depth-first in name order, from ``start`` (the root as the caller named
    it, so reported paths are the caller's) or else the real root.
    """
    root = start if start is not None else policy.real_root
    try:
        root_stat = os.stat(root)
    except OSError as error:
        report.errors.append((root, error.strerror or str(error)))
        return
    if not stat.S_ISDIR(root_stat.st_mode):
        report.errors.append((root, "not a directory"))
        return
    visited = {(root_stat.st_dev, root_stat.st_ino)}
    pending = [(root, "")]
    while pending:
        directory, relative_dir = pending.pop()
        listed = _list(policy, directory, not relative_dir, report)
        if listed is None:
            continue
        subdirs = []
        for path, name, st, outside in listed[1]:
            key = (st.st_dev, st.st_ino)
            if outside:
                report.skipped.append((path, OUTSIDE_DIR))
            elif key in visited:
                report.skipped.append((path, VISITED))
            else:
                visited.add(key)
                subdirs.append((path, f"{relative_dir}{name}/"))
        yield directory, relative_dir, listed[0]
        pending.extend(reversed(subdirs))  # popped in name order


def _list(
    policy: Policy, directory: str, at_root: bool, report: WalkReport | None
) -> tuple[list[tuple[str, os.stat_result]], list[tuple[str, str, os.stat_result, bool]]] | None:
    """One directory's admitted regular files ``(name, stat)`` and subdirectories
    ``(path, name, stat, leaves the root)``, or None if it cannot be listed.

    The one place the per-entry rules are applied. With a ``report`` (a writer's
    walk), entries are taken in name order and each one left out is reported.
    """
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=_name) if report is not None else list(listing)
    except OSError as error:
        if report is None:
            log.warning("pinknoise: skipping unreadable directory %s: %s", directory, error)
        else:
            report.errors.append((directory, error.strerror or str(error)))
        return None
    real_root = policy.real_root
    files: list[tuple[str, os.stat_result]] = []
    dirs: list[tuple[str, str, os.stat_result, bool]] = []
    for entry in entries:
        name = entry.name
        if not policy.admits_name(name, at_root):
            if report is not None:
                report.skipped.append((entry.path, policy.refusal(name, at_root) or HIDDEN))
            continue
        try:
            outside = entry.is_symlink() and not is_within(os.path.realpath(entry.path), real_root)
            if outside and not policy.allow_external_symlinks:
                if report is not None:
                    report.skipped.append((entry.path, OUTSIDE))
                continue
            st = entry.stat()
        except FileNotFoundError:  # a dangling symlink, or a file gone since the listing
            if report is not None:
                report.skipped.append((entry.path, BROKEN))
            continue
        except OSError as error:
            if report is None:
                continue
            if error.errno == errno.ELOOP:  # names no file: not an error, as for the server
                report.skipped.append((entry.path, LOOP))
            else:
                report.errors.append((entry.path, error.strerror or str(error)))
            continue
        if stat.S_ISREG(st.st_mode):
            files.append((name, st))
        elif stat.S_ISDIR(st.st_mode):
            dirs.append((entry.path, name, st, outside))
        elif report is not None:
            report.skipped.append((entry.path, SPECIAL))
    return files, dirs


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def lookup(policy: Policy, relative: str) -> tuple[str, os.stat_result] | None:
    """``(path, stat)`` of what ``relative`` names under the root, as :func:`walk` would
    have reached it, or None. Linear in the number of segments: one ``lstat`` each, and
    the first missing segment ends the search.

    ``relative`` has already passed :func:`pinknoise.core.paths.relative_file_path` (no
    ``..``, no empty or hidden segments). The result may be a directory.
    """
    path = policy.real_root
    try:
        st = os.stat(path)
    except OSError:
        return None
    ancestors = {(st.st_dev, st.st_ino)}
    segments = relative.split("/")
    for index, segment in enumerate(segments):
        if not stat.S_ISDIR(st.st_mode):
            return None  # a file in the middle of the path
        if not policy.admits_name(segment, at_root=index == 0):
            return None
        path = f"{path}/{segment}"
        try:
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                resolved = os.path.realpath(path)
                if not policy.admits_target(resolved):
                    return None
                st = os.stat(path)
        except (OSError, ValueError):
            return None
        if stat.S_ISDIR(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if key in ancestors:
                return None  # a loop back into an ancestor, which walk() never enters
            ancestors.add(key)
    return path, st


def siblings(policy: Policy, path: str) -> list[tuple[str, os.stat_result]]:
    """The precompressed variants and deltas next to ``path`` that the policy admits.

    Each sibling passes exactly the rules a file passes: a regular file, and a symlink
    only where it stays inside the root.
    """
    directory, name = os.path.split(path)
    candidates = [name + suffix for suffix in VARIANT_SUFFIXES]
    try:
        with os.scandir(directory) as listing:
            candidates += [
                entry.name
                for entry in listing
                if entry.name.startswith(name)
                and entry.name.endswith(".dcz")
                and (delta := parse_delta_name(entry.name))
                and delta[0] == name
            ]
    except OSError:
        return []
    found = []
    for candidate in candidates:
        sibling = os.path.join(directory, candidate)
        try:
            st = os.lstat(sibling)
            if stat.S_ISLNK(st.st_mode):
                if not policy.admits_target(os.path.realpath(sibling)):
                    continue
                st = os.stat(sibling)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            found.append((sibling, st))
    return found


def open_contained(policy: Policy, path: str) -> tuple[int, os.stat_result] | None:
    """Open ``path`` for reading if what opens is a regular file inside the root.

    Returns the descriptor (in blocking mode, ready for reads and sendfile) and its
    ``fstat``, or None. The proof is made on the descriptor: whatever was swapped in
    between a check and this open, the bytes read come from the file checked here.
    ``O_NONBLOCK`` keeps a file replaced by a FIFO from hanging the open.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except (OSError, ValueError):
        return None
    try:
        st = os.fstat(fd)
        if stat.S_ISREG(st.st_mode) and (
            policy.allow_external_symlinks or _is_inside(fd, st, path, policy.real_root)
        ):
            os.set_blocking(fd, True)
            return fd, st
    except OSError:
        pass
    os.close(fd)
    return None


def read_regular(policy: Policy, path: str, limit: int = 32 * 1024 * 1024) -> bytes | None:
    """The bytes of a small file pinknoise reads itself (a manifest, a record), or None.

    Through :func:`open_contained`, so a FIFO put in its place cannot hang start-up and a
    symlink out of the root is not followed; files over ``limit`` bytes are refused.
    """
    opened = open_contained(policy, path)
    if opened is None:
        return None
    fd, st = opened
    with os.fdopen(fd, "rb") as file:
        return file.read(st.st_size) if st.st_size <= limit else None


def proc_path(fd: int) -> str | None:
    """A path that opens the very file behind ``fd`` (Linux), for a server to open."""
    return f"{_PROC_FD}/{fd}" if HAS_PROC_FD else None


def _is_inside(fd: int, st: os.stat_result, path: str, real_root: str) -> bool:
    if HAS_PROC_FD:
        # The kernel's name for the opened inode; a file unlinked since gets " (deleted)".
        target = os.readlink(f"{_PROC_FD}/{fd}").removesuffix(" (deleted)")
        return is_within(target, real_root)
    # Elsewhere: the resolved path must name the same inode, inside the root.
    resolved = os.path.realpath(path)
    if not is_within(resolved, real_root):
        return False
    try:
        again = os.stat(resolved)
    except OSError:
        return False
    return (again.st_dev, again.st_ino) == (st.st_dev, st.st_ino)
