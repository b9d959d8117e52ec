"""The core facade adapters talk to: roots in, decisions and open files out."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import stat
import threading
import time
from collections.abc import Callable
from typing import BinaryIO, NamedTuple

from pinknoise.core.bundlers import hashed_outputs
from pinknoise.core.codings import SUFFIXES
from pinknoise.core.decision import decide
from pinknoise.core.dictionaries import parse_delta_name
from pinknoise.core.files import (
    Entry,
    FileFactory,
    FileStat,
    Redirect,
    Representation,
    StaticFile,
)
from pinknoise.core.options import Options, is_hashed_name, is_pure, pure
from pinknoise.core.paths import (
    is_hidden_at_root,
    is_within,
    normalize_prefix,
    relative_file_path,
)
from pinknoise.core.request import Request
from pinknoise.core.response import Response
from pinknoise.core.scanner import Pending, log, prepare, scan_root
from pinknoise.core.snapshot import read_snapshot


class FilePath(NamedTuple):
    """A whole file for the server to send by path (ASGI ``http.response.pathsend``)."""

    path: str


#: A response body: bytes held in memory, an open file positioned at its start, or a
#: path for the server to send.
Body = bytes | BinaryIO | FilePath


class _NeedsIO(Exception):
    """Internal: ``_load`` would have to open or read a file."""


class WouldBlock(Exception):
    """Raised by ``respond(blocking=False)`` when the body needs file I/O.

    ``entry`` is the entry as prepared so far: pass it to the blocking retry so the
    work already done (preparing a pending file) is not done twice.
    """

    def __init__(self, entry: Entry | Pending) -> None:
        super().__init__(entry)
        self.entry = entry


class StaticServer:
    """Static files under one or more roots, and the decision for each request.

    Without ``autorefresh`` every root is scanned once, here, into a catalog: a dict from
    URL path to entry. With it, each request looks its file up on disk (development).
    Either way a file found to have changed since it was catalogued is re-read before
    its bytes are sent, so a body never disagrees with its headers.
    """

    def __init__(self, options: Options) -> None:
        self.options = options
        # Bundler manifests (core/bundlers.py) add the files they declare hashed to the
        # default immutable test; a user's own test is left alone.
        self._bundled: set[str] = set()
        if options.immutable_file_test is is_hashed_name:
            bundled = self._bundled
            test = pure(lambda path, url: path in bundled or is_hashed_name(path, url))
            options = dataclasses.replace(options, immutable_file_test=test)
        self._factory = FileFactory(options)
        self._roots: list[tuple[str, str]] = []  # (resolved root, prefix), oldest first
        self._catalog: dict[str, Entry | Pending] = {}
        self._prepare_eagerly = options.add_headers_function is not None or not is_pure(
            options.immutable_file_test
        )
        self._cache_lock = threading.Lock()
        #: ``find(path) -> Entry | None``: the catalog's own ``dict.get`` when files are
        #: scanned once (the hot path is one C call), a disk lookup under autorefresh.
        self.find: Callable[[str], Entry | Pending | None] = (
            self._find_on_disk if options.autorefresh else self._catalog.get
        )
        self._cached_bytes = 0

    def add_files(self, root: str | os.PathLike[str], prefix: str | None = None) -> None:
        """Serve the files under ``root`` at URL ``prefix``; a later root wins a clash."""
        root_path = os.fspath(root)
        if not isinstance(root_path, str):
            raise TypeError(f"root must be a str path, got {root!r}")
        url_prefix = normalize_prefix(prefix)
        real_root = os.path.realpath(root_path)
        if not os.path.isdir(real_root):
            if os.path.exists(real_root):
                raise ValueError(f"static root is not a directory: {root_path}")
            log.warning("pinknoise: static root %s does not exist (yet); ignoring it", root_path)
        self._roots.append((real_root, url_prefix))
        self._bundled.update(os.path.join(real_root, p) for p in hashed_outputs(real_root))
        if not self.options.autorefresh and os.path.isdir(real_root):
            listing = read_snapshot(real_root, self.options.allow_external_symlinks)
            found = scan_root(real_root, url_prefix, self._factory, listing)
            if self._prepare_eagerly:
                # User callbacks run at start-up, so a mistake in one fails here, loudly.
                found = {
                    key: prepare(value, self._factory) if type(value) is tuple else value
                    for key, value in found.items()
                }
            self._catalog = {**self._catalog, **found}
            self.find = self._catalog.get

    @property
    def prefixes(self) -> list[str]:
        """The URL prefix of each root, in the order they were added."""
        return [prefix for _, prefix in self._roots]

    @property
    def catalog(self) -> dict[str, Entry | Pending]:
        """URL path -> entry. Treat as read-only; entries are replaced, never mutated.

        A file not requested yet may still be a :data:`Pending` record (a tuple).
        """
        return self._catalog

    def respond(
        self,
        path: str,
        entry: Entry | Pending,
        request: Request,
        *,
        send_path: bool = False,
        blocking: bool = True,
    ) -> tuple[Response, Body | None]:
        """Decide, and load the body checked against the decision's headers.

        Returns the response and its body: ``bytes`` for a small file held in memory, an
        open file positioned at the body's start, a :class:`FilePath` when ``send_path``
        (the adapter can hand a whole file to its server by path) or None when there is
        no body. With ``blocking=False`` it raises :class:`WouldBlock` instead of reading
        or opening a file, so an event loop can rerun it in a thread.

        If the file changed on disk since it was catalogued, its entry is rebuilt and
        the decision taken again; if it is gone, the path is answered as if it had never
        been static (``LookupError``).
        """
        if isinstance(entry, tuple):
            entry = self._catalog[path] = prepare(entry, self._factory)
        for attempt in range(2):
            response = decide(entry, request)
            representation = response.body
            if representation is None:
                return response, None
            try:
                body = self._load(response, representation, send_path, blocking)
            except _NeedsIO:
                raise WouldBlock(entry) from None
            if body is not None:
                return response, body
            if not blocking:
                raise WouldBlock(entry)
            fresh = self._refresh(path) if attempt == 0 else None
            if fresh is None:
                raise LookupError(path)
            entry = fresh
        raise AssertionError("unreachable")

    def _load(
        self, response: Response, representation: Representation, send_path: bool, blocking: bool
    ) -> Body | None:
        """The body of ``response``, or None if the file no longer matches the catalog."""
        data = representation.data
        source = representation.source
        if data is None:
            size = representation.size
            if send_path and response.is_whole_file and not self._fits_cache(size):
                if self._recheck_due(representation) and not (
                    _unchanged(representation) and (source is None or _unchanged(source))
                ):
                    return None
                return FilePath(representation.path)
            if not blocking:
                raise _NeedsIO
            opened = _open_checked(representation)
            if opened is None:
                return None
            if not self._reserve_cache(size):
                if response.start:
                    opened.seek(response.start)
                return opened
            with opened:
                data = opened.read()
            if len(data) != size:
                return None  # rewritten between fstat and read
            representation.data = data
            representation.checked_at = time.monotonic()
        elif self._recheck_due(representation) and not _unchanged(source or representation):
            # Held bytes are consistent with their headers, but the source was edited:
            # serve the new file rather than the old one.
            return None
        if response.length == representation.size:
            return data
        return data[response.start : response.start + response.length]

    def _recheck_due(self, representation: Representation) -> bool:
        """Whether to stat a file we did not open for this request (held or pathsent).

        A stat is a third of a cached hit's cost, so a file checked less than
        ``recheck_interval`` seconds ago is trusted, as nginx's ``open_file_cache_valid``
        does; within that window an edit is not yet seen, but a body always matches
        its headers. ``recheck_interval=0`` stats on every request.
        """
        interval = self.options.recheck_interval
        if not interval:
            return True
        now = time.monotonic()
        if now - representation.checked_at < interval:
            return False
        representation.checked_at = now
        return True

    def _fits_cache(self, size: int) -> bool:
        options = self.options
        return (
            not options.autorefresh
            and size <= options.memory_cache_max_file_size
            and self._cached_bytes + size <= options.memory_cache_budget
        )

    def _reserve_cache(self, size: int) -> bool:
        """Reserve room for a body in the memory cache, within the configured bounds."""
        with self._cache_lock:
            if not self._fits_cache(size):
                return False
            self._cached_bytes += size
        return True

    def _refresh(self, path: str) -> Entry | None:
        entry = self._find_on_disk(path)
        stale = self._catalog.get(path)
        if isinstance(stale, StaticFile):
            released = 0
            for representation in stale.representations():
                if representation.data is not None:
                    released += len(representation.data)
                    representation.data = None
            with self._cache_lock:
                self._cached_bytes -= released
        if entry is not None and not self.options.autorefresh:
            # A vanished file keeps its old entry: every request for it looks again, so
            # a file re-created later (collectstatic deletes, then saves) is served.
            self._catalog[path] = entry
        return entry

    def _find_on_disk(self, url: str) -> Entry | None:
        """Look ``url`` up under the roots, newest first, with the scanner's rules."""
        index_file = self.options.index_file
        for real_root, prefix in reversed(self._roots):
            relative = relative_file_path(url, prefix)
            if relative is None:
                if (
                    url + "/" == prefix
                    and index_file
                    and os.path.isfile(os.path.join(real_root, index_file))
                ):
                    return Redirect(prefix)
                continue
            url_dir = url[: url.rfind("/") + 1]
            if relative == "" or relative.endswith("/"):
                if index_file is None:
                    continue
                name = index_file
                relative += index_file
            else:
                name = relative[relative.rfind("/") + 1 :]
            if is_hidden_at_root(relative) or parse_delta_name(name):
                continue
            path = os.path.join(real_root, relative)
            if not self._reachable(real_root, relative):
                continue
            try:
                st = os.stat(path)
            except (OSError, ValueError):
                continue
            if stat.S_ISDIR(st.st_mode):
                if index_file and os.path.isfile(os.path.join(path, index_file)):
                    return Redirect(url + "/")
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            if name == index_file and not url.endswith("/"):
                return Redirect(url_dir)
            return self._factory.build(path, url_dir + name, FileStat.of(st), _siblings(path))
        return None

    def _reachable(self, real_root: str, relative: str) -> bool:
        """Would the scanner have reached ``relative``? Same symlink and loop rules."""
        parent = real_root
        for component in relative.split("/"):
            if not component:
                break
            resolved = os.path.realpath(os.path.join(parent, component))
            if is_within(parent, resolved):
                return False  # a symlink to an ancestor: a loop the scanner skips
            if not self.options.allow_external_symlinks and not is_within(resolved, real_root):
                return False
            parent = resolved
        return True


def _siblings(path: str) -> list[tuple[str, FileStat]]:
    """The precompressed regular files and deltas next to ``path``, stat-ed."""
    directory, name = os.path.split(path)
    candidates = [path + suffix for suffix in SUFFIXES.values()]
    with contextlib.suppress(OSError):
        candidates += [
            os.path.join(directory, sibling)
            for sibling in os.listdir(directory)
            if sibling.startswith(name)
            and (delta := parse_delta_name(sibling))
            and delta[0] == name
        ]
    found = []
    for candidate in candidates:
        try:
            st = os.stat(candidate)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            found.append((candidate, FileStat.of(st)))
    return found


_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


def _unchanged(representation: Representation) -> bool:
    try:
        st = os.stat(representation.path)
    except OSError:
        return False
    return st.st_size == representation.size and st.st_mtime_ns == representation.mtime_ns


def _open_checked(representation: Representation) -> BinaryIO | None:
    """Open a representation's file if it still is what the catalog says it is.

    For a precompressed sibling the source is checked too: a source edited after the
    variant was made means the variant holds stale content, and it must not be sent.
    """
    source = representation.source
    if source is not None and not _unchanged(source):
        return None
    try:
        # O_NONBLOCK: a file replaced by a FIFO must not hang the request in open(); it
        # has no effect on reading a regular file, which is all that passes the check.
        fd = os.open(representation.path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
    except OSError:
        os.close(fd)
        return None
    if (
        not stat.S_ISREG(st.st_mode)
        or st.st_size != representation.size
        or st.st_mtime_ns != representation.mtime_ns
    ):
        os.close(fd)
        return None
    # A regular file: back to blocking mode, so sendfile(2) and reads behave as usual.
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")
