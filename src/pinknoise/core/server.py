"""The core facade adapters talk to: roots in, decisions and open files out."""

from __future__ import annotations

import collections
import dataclasses
import os
import resource
import stat
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, BinaryIO, Final, NamedTuple

from pinknoise.core.bundlers import declared_outputs
from pinknoise.core.decision import decide
from pinknoise.core.dictionaries import parse_delta_name
from pinknoise.core.files import (
    Entry,
    FileFactory,
    InvalidHeader,
    Redirect,
    Representation,
    StaticFile,
)
from pinknoise.core.media import DENIED, MediaLookup, MediaRoot, make_media_options
from pinknoise.core.media import NOT_ALLOWED as MEDIA_NOT_ALLOWED
from pinknoise.core.options import Options, is_hashed_name, is_pure, pure
from pinknoise.core.paths import normalize_prefix, relative_file_path
from pinknoise.core.request import Request
from pinknoise.core.response import Response
from pinknoise.core.scanner import Pending, listed, log, prepare, scan_root
from pinknoise.core.snapshot import read_snapshot
from pinknoise.core.walker import (
    FileStat,
    Policy,
    lookup,
    open_contained,
    proc_path,
    read_compress_record,
    siblings,
    variant_source,
)

#: Seconds a descriptor handed to a server by path stays open after pinknoise stops
#: using it: the server opens the path after ``send()`` returns (granian does so in a
#: task of its own), so closing at once could let the number name another file.
HANDLE_GRACE: Final = 120.0


class FilePath(NamedTuple):
    """A whole file for the server to send by path (ASGI ``http.response.pathsend``).

    ``path`` is ``/proc/self/fd/N`` for a descriptor pinknoise opened and checked, so
    the server reads the very file the headers were computed from.
    """

    path: str


#: A response body: bytes held in memory, an open file positioned at its start, or a
#: path for the server to send.
Body = bytes | BinaryIO | FilePath


class WouldBlock(Exception):
    """Raised by ``respond(blocking=False)`` when answering needs the disk.

    ``entry`` is the entry as prepared so far: pass it to the blocking retry so the
    work already done (preparing a pending file) is not done twice.
    """

    def __init__(self, entry: Found) -> None:
        super().__init__(entry)
        self.entry = entry


#: What :meth:`StaticServer.respond` answers: a catalog entry (prepared or pending),
#: or a media path to look up.
Found = Entry | Pending | MediaLookup

_STALE: Final = object()


class StaticServer:
    """Static files under one or more roots, and the decision for each request.

    Without ``autorefresh`` every root is scanned once, here, into a catalog: a dict from
    URL path to entry. With it, each request looks its file up on disk (development).

    Freshness is one decision per entry, shared by the non-blocking and blocking passes:
    an entry checked less than ``recheck_interval`` seconds ago is trusted (nginx's
    ``open_file_cache_valid``); past that, the next request stats the file (in the
    blocking pass, off an event loop) and rebuilds the entry if it changed. Bodies are
    always read from a descriptor proved to be the catalogued file, inside its root, so
    a body never disagrees with its headers and never comes from outside.
    """

    def __init__(self, options: Options) -> None:
        self.options = options
        # Build and bundler manifests (core/bundlers.py) add the files they declare
        # hashed to the default immutable test; under a root built by ``pinknoise build``
        # they alone decide. A user's own test is left alone.
        self._bundled: set[str] = set()
        self._exact_roots: list[str] = []  # real roots + os.sep whose manifest decides
        if options.immutable_file_test is is_hashed_name:
            bundled, exact_roots = self._bundled, self._exact_roots

            def manifest_or_name(path: str, url: str) -> bool:
                if path in bundled:
                    return True
                return is_hashed_name(path, url) and not any(map(path.startswith, exact_roots))

            options = dataclasses.replace(options, immutable_file_test=pure(manifest_or_name))
        self._factory = FileFactory(options)
        self._roots: list[tuple[Policy, str]] = []  # (root's policy, prefix), oldest first
        self._catalog: dict[str, Entry | Pending] = {}
        self._prepare_eagerly = options.add_headers_function is not None or not is_pure(
            options.immutable_file_test
        )
        self._lock = threading.Lock()
        self._cached_bytes = 0
        self._handles = _Handles()
        #: ``find(path) -> Entry | None``: the catalog's own ``dict.get`` when files are
        #: scanned once (the hot path is one C call), a disk lookup under autorefresh.
        self.find: Callable[[str], Entry | Pending | None] = (
            self._find_on_disk if options.autorefresh else self._catalog.get
        )
        #: Whether ``find`` touches the disk, so an event loop must call it in a thread.
        self.find_blocks = options.autorefresh
        self._media: list[MediaRoot] = []  # newest first
        #: Whether any media root was added: adapters skip ``find_media`` without one.
        self.serves_media = False

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
        allow_external = self.options.allow_external_symlinks
        policy = Policy(real_root, allow_external, read_compress_record(real_root))
        self._roots.append((policy, url_prefix))
        declared = declared_outputs(real_root)  # an unusable build manifest raises here
        self._bundled.update(os.path.join(real_root, p) for p in declared.hashed)
        if declared.exact:
            self._exact_roots.append(os.path.join(real_root, ""))
        autorefresh = self.options.autorefresh
        if not os.path.isdir(real_root) or (
            autorefresh and self.options.add_headers_function is None
        ):
            return  # nothing to catalog (autorefresh looks files up per request)
        recorded = None if autorefresh else read_snapshot(real_root, allow_external)
        found = scan_root(policy, url_prefix, self._factory, listed(policy, recorded))
        if self._prepare_eagerly:
            # User callbacks run at start-up, so a mistake in one fails here, loudly.
            found = {
                key: prepare(value, self._factory) if type(value) is tuple else value
                for key, value in found.items()
            }
        if autorefresh:
            return  # checked at start-up; served from disk per request
        self._catalog = {**self._catalog, **found}
        self.find = self._catalog.get

    def add_media(
        self, root: str | os.PathLike[str], prefix: str | None = "/media/", **media_options: Any
    ) -> None:
        """Serve user uploads under ``root`` at ``prefix``, looked up per request.

        Nothing is scanned or cached: a file is found, opened and checked on each
        request (see :mod:`pinknoise.core.media` for the headers and the options:
        ``max_age``, ``inline_types``, ``authorize``). A static file at the same URL
        wins: the catalog is asked first.
        """
        root_path = os.fspath(root)
        if not isinstance(root_path, str):
            raise TypeError(f"media root must be a str path, got {root!r}")
        media = MediaRoot(
            root_path, prefix, make_media_options(**media_options), self._factory.media_types
        )
        if not os.path.isdir(media.policy.real_root):
            # A new deployment has no uploads yet: the first one creates the directory.
            log.info("pinknoise: media root %s does not exist (yet)", root_path)
        self._media.insert(0, media)
        self.serves_media = True

    def find_media(self, path: str) -> MediaLookup | None:
        """A marker for ``path`` under a media prefix (None: not media); no disk touched.

        Adapters ask only after the catalog missed, so static hits never pay for it.
        The marker is answered by :meth:`respond` in a blocking pass (off the loop).
        """
        for media in self._media:
            found = media.find(path)
            if found is not None:
                return found
        return None

    def on_miss(
        self, paths: tuple[str, ...], request_headers: Callable[[], Mapping[str, str]]
    ) -> tuple[Found | None, str]:
        """What a catalog miss of ``paths[0]`` may still be, and the path it was found as.

        ``paths`` is the path within the mount, then (when mounted) the full path: a
        prefix that includes the mount, like Django's absolute STATIC_URL under a
        server-set ``SCRIPT_NAME`` or ``root_path`` (unknown when the settings were
        read), names full paths. Then an upload under a media prefix, by either path;
        ``request_headers`` is what its ``authorize`` hook will be shown. Every adapter
        and the Django middleware ask this one place.
        """
        for candidate in paths[1:]:
            entry = self.find(candidate)
            if entry is not None:
                return entry, candidate
        if self.serves_media:
            for candidate in paths:
                media = self.find_media(candidate)
                if media is not None:
                    media.headers = request_headers
                    return media, candidate
        return None, paths[0]

    @property
    def media_prefixes(self) -> list[str]:
        """The URL prefix of each media root, newest first."""
        return [media.prefix for media in self._media]

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

    def has(self, path: str) -> bool:
        """Whether ``path`` names a static file or index redirect (may touch the disk)."""
        return self.find(path) is not None

    @property
    def cached_bytes(self) -> int:
        """Bytes the memory cache accounts for; always what its entries hold."""
        return self._cached_bytes

    def respond(
        self,
        path: str,
        entry: Found,
        request: Request,
        *,
        send_path: bool = False,
        ranges_by_path: bool = False,
        blocking: bool = True,
    ) -> tuple[Response, Body | None]:
        """Decide, and load the body checked against the decision's headers.

        Returns the response and its body: ``bytes`` for a small file held in memory, an
        open file positioned at the body's start, a :class:`FilePath` when ``send_path``
        (the adapter can hand a whole file to its server by path; with ``ranges_by_path``
        a byte range too, sent as ``response.start`` and ``response.length`` of it) or
        None when there is no body. With ``blocking=False`` it raises
        :class:`WouldBlock` instead of touching the disk (a stat included), so an event
        loop can rerun it in a thread.

        A file found changed is re-read and the decision taken again; a file gone is
        answered as if it had never been static (``LookupError``). A
        :class:`MediaLookup` is always disk work: looked up, opened and answered here.
        """
        if type(entry) is not StaticFile:  # one test on the hot path, as before media
            if type(entry) is tuple:
                entry = self._prepared(path, entry)
            elif isinstance(entry, MediaLookup):
                if not blocking:
                    raise WouldBlock(entry)
                return self._respond_media(path, entry, request)
        assert type(entry) is StaticFile or type(entry) is Redirect
        for _ in range(3):
            if type(entry) is StaticFile and self._due(entry):
                if not blocking:
                    raise WouldBlock(entry)
                if _unchanged(entry.identity):
                    entry.checked_at = time.monotonic()
                else:
                    entry = self._refresh(path, entry)
                    continue
            response = decide(entry, request)
            representation = response.body
            if representation is None:
                return response, None
            sendable = send_path and (ranges_by_path or response.is_whole_file)
            body = self._body(path, entry, response, representation, sendable, blocking)
            if body is not _STALE:
                return response, body  # type: ignore[return-value]
            entry = self._refresh(path, entry)
        raise LookupError(path)

    def _respond_media(
        self, path: str, media: MediaLookup, request: Request
    ) -> tuple[Response, Body | None]:
        """Look a media file up, open it, and answer from that descriptor.

        ``authorize`` is asked first, before the disk: a refusal is the same 404
        whether the file exists or not. A file rewritten while a small body is read is
        looked up again; a file missing is ``LookupError`` (the application answers).
        """
        root = media.root
        if not root.authorized(path, request.query, media.headers):
            return DENIED, None
        for _ in range(3):
            opened = root.open(media.relative, path)
            if opened is None:
                raise LookupError(path)
            entry, fd = opened
            response = decide(entry, request)
            if response.body is None:
                os.close(fd)
                return (MEDIA_NOT_ALLOWED if response.status == 405 else response), None
            small = response.body.size <= self.options.memory_cache_max_file_size
            loaded = _load(fd, response, small)  # never kept: the next request looks again
            if loaded is not None:
                return response, _slice(loaded, response) if type(loaded) is bytes else loaded
        raise LookupError(path)

    def _due(self, entry: StaticFile) -> bool:
        interval = self.options.recheck_interval
        return not interval or time.monotonic() - entry.checked_at >= interval

    def _prepared(self, path: str, pending: Pending) -> Entry:
        """The full entry for a pending record, installed once even under concurrency."""
        built = prepare(pending, self._factory)
        with self._lock:
            current = self._catalog.get(path)
            if current is pending:
                self._catalog[path] = built
                return built
        if current is None or isinstance(current, tuple):
            return built
        return current

    def _body(
        self,
        path: str,
        entry: StaticFile | Redirect,
        response: Response,
        representation: Representation,
        sendable: bool,
        blocking: bool,
    ) -> Body | object:
        """The body of ``response``, or ``_STALE`` if the file is not the catalogued one.

        ``sendable``: the adapter's server can send this response's bytes by path.
        """
        data = representation.data
        if data is not None:  # the memory-cache hit, inline: the hot path
            if response.length == representation.size:
                return data
            return data[response.start : response.start + response.length]
        size = representation.size
        options = self.options
        # By path unless it is small and will be (or under autorefresh, could be) read
        # into memory: a held descriptor costs more than a small read.
        by_path = sendable and not (
            size <= options.memory_cache_max_file_size
            and (options.autorefresh or self._fits_cache(size))
        )
        if by_path and representation.handle is not None:
            held = proc_path(representation.handle)
            if held is not None:
                return FilePath(held)
        if not blocking:
            raise WouldBlock(entry)
        opened = _open_checked(representation)
        if opened is None:
            return _STALE
        fd, _ = opened
        if by_path:
            held = self._handles.hold(representation, fd)
            if held is not None:
                if options.autorefresh:
                    # A per-request entry: its descriptor is let go at once, so it is
                    # closed after the grace period, when the server has opened it.
                    self._handles.retire(representation)
                return FilePath(held)
        loaded = _load(fd, response, size <= options.memory_cache_max_file_size)
        if loaded is None:
            return _STALE  # rewritten in place between fstat and read
        if type(loaded) is not bytes:
            return loaded
        if self._fits_cache(size):
            self._hold(path, entry, representation, loaded)
        return _slice(loaded, response)

    def _fits_cache(self, size: int) -> bool:
        options = self.options
        return (
            not options.autorefresh
            and size <= options.memory_cache_max_file_size
            and self._cached_bytes + size <= options.memory_cache_budget
        )

    def _hold(
        self, path: str, entry: StaticFile | Redirect, representation: Representation, data: bytes
    ) -> None:
        """Keep ``data`` in memory if the entry is still the catalog's and it fits.

        Under the lock, with the catalog check: an entry replaced meanwhile never gains
        bytes, so the accounting always equals what the catalog's entries hold.
        """
        with self._lock:
            if (
                representation.data is None
                and self._catalog.get(path) is entry
                and self._fits_cache(len(data))
            ):
                representation.data = data
                self._cached_bytes += len(data)

    def _refresh(self, path: str, stale: StaticFile | Redirect) -> Entry:
        """Rebuild ``path``'s entry from disk; raise LookupError if it is gone."""
        fresh = self._find_on_disk(path)
        with self._lock:
            if fresh is not None and not self.options.autorefresh:
                current = self._catalog.get(path)
                if current is stale or current is None:
                    self._catalog[path] = fresh
                elif current is not None and not isinstance(current, tuple):
                    fresh = current  # another request rebuilt it first: use that one
            # A vanished file keeps its old entry: every request for it looks again, so
            # a file re-created later (collectstatic deletes, then saves) is served.
            if isinstance(stale, StaticFile):
                for representation in stale.representations():
                    if representation.data is not None:
                        self._cached_bytes -= len(representation.data)
                        representation.data = None
                    self._handles.retire(representation)
        if fresh is None:
            raise LookupError(path)
        return fresh

    def _find_on_disk(self, url: str) -> Entry | None:
        """Look ``url`` up under the roots, newest first, with the walker's rules."""
        index_file = self.options.index_file
        for policy, prefix in reversed(self._roots):
            relative = relative_file_path(url, prefix)
            if relative is None:
                if url + "/" == prefix and index_file:
                    index = lookup(policy, index_file)
                    if index is not None and stat.S_ISREG(index[1].st_mode):
                        return Redirect.add_slash(url)
                continue
            url_dir = url[: url.rfind("/") + 1]
            if relative == "" or relative.endswith("/"):
                if index_file is None:
                    continue
                name = index_file
                relative += index_file
            else:
                name = relative[relative.rfind("/") + 1 :]
            if parse_delta_name(name):
                continue  # a delta is only ever a representation of its source
            source = variant_source(name)
            if source is not None:
                found = lookup(policy, relative[: len(relative) - len(name)] + source)
                if found is not None and stat.S_ISREG(found[1].st_mode):
                    continue  # so is a precompressed sibling of a file next to it
            found = lookup(policy, relative)
            if found is None:
                continue
            path, st = found
            if stat.S_ISDIR(st.st_mode):
                index = lookup(policy, f"{relative}/{index_file}") if index_file else None
                if index is not None and stat.S_ISREG(index[1].st_mode):
                    return Redirect.add_slash(url)
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            if name == index_file and not url.endswith("/"):
                return Redirect.to_directory()
            source_stat = FileStat.of(st)
            variants, _ = policy.worth_serving(
                path, source_stat, [(p, FileStat.of(s)) for p, s in siblings(policy, path)]
            )
            try:
                return self._factory.build(
                    policy, path, url_dir + name, source_stat, variants, time.monotonic()
                )
            except InvalidHeader as error:
                log.error("pinknoise: not serving %s: %s", url, error)
                return None
        return None


def _load(fd: int, response: Response, small: bool) -> bytes | BinaryIO | None:
    """The body behind an opened, checked descriptor (the file is closed when done with).

    A ``small`` file is read whole and checked before anything is sent, so even a file
    rewritten in place goes out complete: its bytes, or None when its size changed
    between the ``fstat`` and the read. A larger one is returned as a file positioned
    at the response's first byte, to be streamed.
    """
    file = os.fdopen(fd, "rb")
    if small:
        assert response.body is not None
        size = response.body.size
        with file:
            data = file.read(size + 1)
        return data if len(data) == size else None
    if response.start:
        file.seek(response.start)
    return file


def _slice(data: bytes, response: Response) -> bytes:
    """The bytes of ``response`` out of the whole file's ``data``."""
    if response.length == len(data):
        return data
    return data[response.start : response.start + response.length]


def _unchanged(representation: Representation) -> bool:
    try:
        st = os.stat(representation.path)
    except (OSError, ValueError):
        return False
    return st.st_size == representation.size and st.st_mtime_ns == representation.mtime_ns


def _open_checked(representation: Representation) -> tuple[int, os.stat_result] | None:
    """Open a representation's file if it still is what the catalog says it is.

    Containment is proved on the descriptor (see ``walker.open_contained``). For a
    precompressed sibling the source is checked too: a source edited after the variant
    was made means the variant holds stale content, and it must not be sent.
    """
    source = representation.source
    if source is not None and not _unchanged(source):
        return None
    opened = open_contained(representation.policy, representation.path)
    if opened is None:
        return None
    fd, st = opened
    if st.st_size != representation.size or st.st_mtime_ns != representation.mtime_ns:
        os.close(fd)
        return None
    return opened


class _Handles:
    """Descriptors kept open for servers that open ``/proc/self/fd/N`` themselves.

    A held descriptor is closed only ``HANDLE_GRACE`` seconds after its representation
    stopped using it (the file changed, or its inode was unlinked), and the number held
    is bounded by the process's descriptor limit; past the bound, files are streamed.
    """

    def __init__(self) -> None:
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        self.limit = max(0, min(1024, soft // 4))
        self._lock = threading.Lock()
        self._live: dict[int, Representation] = {}
        self._retired: collections.deque[tuple[float, int]] = collections.deque()
        self._swept_at = time.monotonic()

    def hold(self, representation: Representation, fd: int) -> str | None:
        """Keep ``fd`` for ``representation`` and return its path; None to stream it."""
        path = proc_path(fd)
        if path is None:
            return None
        with self._lock:
            now = time.monotonic()
            self._reap(now)
            if now - self._swept_at > 10.0:
                self._sweep(now)
            if len(self._live) + len(self._retired) >= self.limit:
                return None
            previous = representation.handle
            representation.handle = fd
            self._live[fd] = representation
            if previous is not None:
                self._retire_locked(previous, now)
        return path

    def retire(self, representation: Representation) -> None:
        if representation.handle is None:
            return
        with self._lock:
            fd = representation.handle
            if fd is not None:
                representation.handle = None
                self._retire_locked(fd, time.monotonic())

    def _retire_locked(self, fd: int, now: float) -> None:
        self._live.pop(fd, None)
        self._retired.append((now, fd))

    def _reap(self, now: float) -> None:
        retired = self._retired
        while retired and now - retired[0][0] > HANDLE_GRACE:
            os.close(retired.popleft()[1])

    def _sweep(self, now: float) -> None:
        """Let go of files deleted or replaced on disk, so their space can be freed."""
        self._swept_at = now
        for fd, representation in list(self._live.items()):
            try:
                unlinked = os.fstat(fd).st_nlink == 0
            except OSError:
                unlinked = True
            if unlinked:
                representation.handle = None
                self._retire_locked(fd, now)
