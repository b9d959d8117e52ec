"""A compression pass in three steps: plan, execute, record (:func:`run_plan`).

The plan (:func:`pinknoise.compress.plan.make_plan`) is decided by stat alone and is
all a dry run does; :class:`_Execution` carries it out and returns the new records;
:func:`record` writes them, with the plan's reused ones, into each root's manifest.

Work is split per (content, encoding), not per file: a large bundle's brotli, zstd and
gzip jobs run on different workers, jobs are submitted largest first so the longest
one starts at once, and small files fill the other workers around it. Every change to
a final name (variant renames, deletions, the manifest) happens in the calling thread,
so no two workers ever race on a path and the manifest needs no locking; a worker only
ever writes a private temporary file (large files are streamed into one).

Workers are threads by default: the codecs release the GIL, and threads cannot re-run
the caller's ``__main__`` or outlive a killed run (see docs/compress.md).
"""

from __future__ import annotations

import ast
import contextlib
import ctypes
import dataclasses
import errno
import functools
import hashlib
import os
import queue
import signal
import stat
import sys
import time
import types
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Final, Protocol

from pinknoise.compress import codecs, manifest
from pinknoise.compress.atomic import commit, copy_atomic, temp_path, write_atomic
from pinknoise.compress.deltas import DEFAULT_KEEP, write_deltas_for
from pinknoise.compress.manifest import FileRecord, VariantRecord
from pinknoise.compress.options import (
    CompressOptions,
    ExecutorKind,
    make_compress_options,
)
from pinknoise.compress.plan import (
    Compress,
    Plan,
    Remove,
    Reuse,
    Skip,
    after_read,
    make_plan,
    variant_path,
)
from pinknoise.compress.reading import iter_fd, open_checked, read_checked
from pinknoise.compress.scan import ScanResult, Source, is_within, scan

#: Stop reading new files while this many bytes of source are waiting in the pool, so
#: memory stays bounded on trees far larger than RAM would like.
MAX_INFLIGHT_BYTES: Final = 64 * 1024 * 1024

#: Files larger than this are never held in memory whole: they are hashed piece by
#: piece, and each encoding's job streams the file through its compressor into a
#: temporary file (:func:`pinknoise.compress.codecs.compress_file`). Below it, the
#: content is read once and shared by the jobs of every encoding.
STREAM_THRESHOLD: Final = 8 * 1024 * 1024

#: What one streaming job counts against :data:`MAX_INFLIGHT_BYTES`: its read buffer
#: and a compressor's state, not the file's size.
STREAM_COST: Final = 16 * 1024 * 1024


class Reporter(Protocol):
    """Receives progress (in source bytes) and per-file lines; the CLI draws a bar."""

    def start(self, total_bytes: int) -> None: ...
    def advance(self, nbytes: int) -> None: ...
    def file(self, line: str) -> None: ...
    def close(self) -> None: ...


class NullReporter:
    """Reports nothing: the default for the Python API."""

    def start(self, total_bytes: int) -> None:
        pass

    def advance(self, nbytes: int) -> None:
        pass

    def file(self, line: str) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass(slots=True)
class EncodingStats:
    """Bytes in and out for the variants one encoding wrote (or would write) this run."""

    variants: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    #: Sources whose variant was not kept because it saved less than 5 %.
    not_effective: int = 0


@dataclass(slots=True)
class Summary:
    """Outcome of :func:`compress_tree`; ``errors`` non-empty means the run failed."""

    roots: list[str]
    encodings: tuple[str, ...]
    dry_run: bool
    #: Regular, non-dot, non-variant files found under the roots.
    files_scanned: int = 0
    #: Files for which at least one variant was (re)written or, on a dry run, would be.
    files_compressed: int = 0
    #: Files whose variants were all up to date.
    files_unchanged: int = 0
    #: Files skipped by extension.
    files_skipped: int = 0
    #: Files whose content equals another file's, so it was compressed only once.
    files_deduplicated: int = 0
    #: Stale variants deleted (no longer worth keeping, source gone, or now skipped).
    variants_removed: int = 0
    #: Temporary files of a killed earlier run that were deleted.
    temps_removed: int = 0
    #: dcz deltas between versions of an asset written, and removed as no longer wanted.
    deltas_written: int = 0
    deltas_removed: int = 0
    per_encoding: dict[str, EncodingStats] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    elapsed: float = 0.0
    #: What the run decided to do (on a dry run, all it did): see :mod:`.plan`.
    plan: Plan | None = None

    @property
    def ok(self) -> bool:
        """True if every file was handled without error."""
        return not self.errors


def normalize_roots(roots: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Drop duplicate roots and roots nested in another, so no file is done twice."""
    given = [os.fspath(r) for r in roots]
    if not given:
        raise ValueError("at least one directory is required")
    kept: list[tuple[str, str]] = []
    for root in given:
        real = os.path.realpath(root)
        if any(is_within(real, other) for _, other in kept):
            continue
        kept = [(r, o) for r, o in kept if not is_within(o, real)]
        kept.append((root, real))
    order = {root: i for i, root in enumerate(given)}
    return sorted((r for r, _ in kept), key=order.__getitem__)


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return f"{type(exc).__name__}: {exc}"


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


@dataclass(slots=True)
class _Pending:
    """A source being compressed: its new record fills in as its jobs finish."""

    source: Source
    record: FileRecord
    waiting: set[str]
    notes: list[str] = field(default_factory=list)
    wrote: bool = False


@dataclass(slots=True, frozen=True)
class _OnDisk:
    """A finished variant in a file: a streaming job's temp file, or a variant to copy."""

    path: str
    size: int
    #: True for a job's temporary file, moved (not copied) into place for its first use.
    temp: bool


Blob = bytes | _OnDisk


@dataclass(slots=True)
class _Job:
    future: Future[bytes] | Future[int]
    size: int  #: size of the source
    cost: int  #: what it counts against MAX_INFLIGHT_BYTES
    targets: list[_Pending]
    #: Where a streaming job writes its output (None: the job returns bytes).
    temp: str | None = None


class _Execution:
    """Carries out one plan; its results are new records, applied by :func:`record`.

    Holds only what executing needs: the worker pool, the jobs in flight and the
    finished results kept for duplicates. Counts go to ``summary``.
    """

    def __init__(self, plan: Plan, options: CompressOptions, reporter: Reporter, summary: Summary):
        self.plan = plan
        self.encodings = options.encodings
        self.workers = options.workers
        self.executor_kind = options.executor
        self.reporter = reporter
        self.summary = summary
        self.pid = os.getpid()
        #: The records made for the sources compressed, per root: the results.
        self.new: list[dict[str, FileRecord]] = [{} for _ in summary.roots]
        self.pool: Executor | None = None
        self.jobs: dict[tuple[str, str], _Job] = {}
        self.completed: queue.SimpleQueue[tuple[str, str]] = queue.SimpleQueue()
        self.inflight_bytes = 0
        #: Finished (digest, encoding) -> compressed bytes (None: not effective), kept
        #: only for sizes shared by several files, i.e. possible duplicates.
        self.done: dict[tuple[str, str], Blob | None] = {}

    def variant_path(self, source: Source, encoding: str) -> str:
        return variant_path(source, encoding)

    def error(self, path: str, exc: BaseException | str) -> None:
        text = exc if isinstance(exc, str) else _error_text(exc)
        self.summary.errors.append((path, text))
        self.reporter.file(f"error: {path}: {text}")

    def remove(self, removal: Remove) -> None:
        try:
            os.unlink(removal.path)
        except FileNotFoundError:
            return
        except OSError as exc:
            self.error(removal.path, exc)
            return
        if removal.temp:
            self.summary.temps_removed += 1
        else:
            self.summary.variants_removed += 1
            self.reporter.file(f"removed {removal.path} ({removal.reason})")

    def run(self) -> list[dict[str, FileRecord]]:
        """Every action in order; the compressions through the pool. Returns the results."""
        to_compress = self.plan.to_compress
        self.reporter.start(sum(a.source.st.st_size for a in to_compress))
        try:
            for action in self.plan.actions:
                if isinstance(action, Remove):
                    self.remove(action)
                elif isinstance(action, Skip):
                    if action.source is None:
                        self.reporter.file(f"ignored {action.path} ({action.reason})")
                    else:
                        self.summary.files_skipped += 1
                        self.reporter.file(f"skipped {action.path} ({action.reason})")
                elif isinstance(action, Reuse):
                    self.summary.files_unchanged += action.source is not None
                else:
                    self.compress(action)
                    self.collect(block=False)
                    while self.jobs and (
                        self.inflight_bytes > MAX_INFLIGHT_BYTES
                        or len(self.jobs) > self.workers * 16
                    ):
                        self.collect(block=True)
            while self.jobs:
                self.collect(block=True)
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True, cancel_futures=True)
            for job in self.jobs.values():  # interrupted: no streamed output left behind
                if job.temp is not None:
                    with contextlib.suppress(OSError):
                        os.unlink(job.temp)
            self.reporter.close()
        return self.new

    def read(self, source: Source) -> tuple[bytes | None, str, int, os.stat_result] | None:
        """``(content, digest, size, fstat)``; content None for a file streamed later."""
        try:
            if source.st.st_size <= STREAM_THRESHOLD:
                data, st = read_checked(source.path)
                return data, hashlib.blake2b(data, digest_size=16).hexdigest(), len(data), st
            return (None, *self.hash_stream(source.path))
        except OSError as exc:
            self.error(source.path, exc)
            return None

    @staticmethod
    def hash_stream(path: str) -> tuple[str, int, os.stat_result]:
        """Digest and size of a large file, read piece by piece."""
        fd, st = open_checked(path)
        try:
            hasher = hashlib.blake2b(digest_size=16)
            size = 0
            for chunk in iter_fd(fd, st.st_size):
                hasher.update(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
        if size != st.st_size:
            raise OSError(errno.EAGAIN, "changed while being read", path)
        return hasher.hexdigest(), size, st

    def compress(self, action: Compress) -> None:
        """Read and hash one source, keep what :func:`after_read` says, queue the rest."""
        source = action.source
        got = self.read(source)
        if got is None:
            if action.old is not None:
                # Keep what we knew: the next run then still owns (and can clean up)
                # the variants made earlier for this path.
                self.new[source.root][source.rel] = action.old
            self.reporter.advance(source.st.st_size)
            return
        data, digest, size, st = got
        source.st = st
        record = FileRecord(
            size=size,
            mtime_ns=st.st_mtime_ns,
            ctime_ns=st.st_ctime_ns,
            ino=st.st_ino,
            digest=digest,
        )
        kept, stale = after_read(action, record, self.encodings)
        for encoding, vrec in kept.items():
            record.variants[encoding] = (
                self.retime(source, encoding, vrec) if encoding in self.encodings else vrec
            )
        for removal in stale:
            self.remove(removal)
        todo = [e for e in self.encodings if e not in record.variants]
        if not todo:
            self.summary.files_unchanged += 1
            self.new[source.root][source.rel] = record
            self.reporter.advance(source.st.st_size)
        else:
            self.dispatch(_Pending(source, record, waiting=set(todo)), data, todo)

    def dispatch(self, pending: _Pending, data: bytes | None, todo: list[str]) -> None:
        """Settle each of ``todo`` from a duplicate's result if there is one, else submit."""
        size = pending.record.size
        if size == 0:
            # An empty file never has a worthwhile variant: settle without compressing.
            for encoding in todo:
                self.finish(pending, encoding, 0, None)
            return
        deduplicated = False
        for encoding in todo:
            key = (pending.record.digest, encoding)
            if key in self.jobs:
                self.jobs[key].targets.append(pending)
                deduplicated = True
            elif key in self.done:
                self.finish(pending, encoding, size, self.done[key])
                deduplicated = True
            elif key in self.plan.known and self.copy_known(pending, encoding, key):
                deduplicated = True
            else:
                self.submit(key, data, pending)
        if deduplicated:
            self.summary.files_deduplicated += 1

    def retime(self, source: Source, encoding: str, vrec: VariantRecord) -> VariantRecord:
        """Content unchanged but mtime moved: give the variant the source's new mtime."""
        mtime = source.st.st_mtime_ns
        if vrec.size is None or vrec.mtime_ns == mtime:
            return vrec
        try:
            os.utime(self.variant_path(source, encoding), ns=(mtime, mtime), follow_symlinks=False)
        except OSError:
            return vrec  # harmless: the record still matches the file as it is
        return VariantRecord(vrec.codec, vrec.size, mtime)

    def copy_known(self, pending: _Pending, encoding: str, key: tuple[str, str]) -> bool:
        """Reuse an up-to-date variant of identical content from an earlier run."""
        known = self.plan.known[key]
        if known is None:
            self.finish(pending, encoding, pending.record.size, None)
            return True
        where, size = known
        try:
            st = os.stat(where, follow_symlinks=False)
        except OSError:
            return False
        if not stat.S_ISREG(st.st_mode) or st.st_size != size:
            return False
        return self.finish(pending, encoding, pending.record.size, _OnDisk(where, size, False))

    def submit(self, key: tuple[str, str], data: bytes | None, pending: _Pending) -> None:
        if self.pool is None:
            self.pool = make_pool(self.executor_kind, self.workers)
        future: Future[bytes] | Future[int]
        if data is None:
            source = pending.source
            temp = temp_path(self.variant_path(source, key[1]), self.pid)
            future = self.pool.submit(codecs.compress_file, key[1], source.path, source.st, temp)
            job = _Job(future, pending.record.size, STREAM_COST, [pending], temp)
        else:
            future = self.pool.submit(codecs.compress, key[1], data)
            job = _Job(future, len(data), len(data), [pending])
        self.jobs[key] = job
        future.add_done_callback(functools.partial(self.job_done, key))
        self.inflight_bytes += job.cost

    def job_done(self, key: tuple[str, str], _future: Future[bytes] | Future[int]) -> None:
        """Done-callback (runs in a pool thread): hand the key to the main loop."""
        self.completed.put(key)

    def collect(self, block: bool) -> None:
        """Apply finished jobs; with ``block``, wait for at least one first.

        Futures report completion through a queue (a done-callback), so each wake-up
        costs O(1) instead of a scan over every job in flight.
        """
        if not self.jobs:
            return
        keys: list[tuple[str, str]] = []
        if block:
            keys.append(self.completed.get())
        while True:
            try:
                keys.append(self.completed.get_nowait())
            except queue.Empty:
                break
        for key in keys:
            self.apply(key, self.jobs.pop(key))

    def apply(self, key: tuple[str, str], job: _Job) -> None:
        """Write the outcome of one finished job to every file that has that content."""
        self.inflight_bytes -= job.cost
        try:
            result = job.future.result()
        except Exception as exc:
            for pending in job.targets:
                self.error(pending.source.path, f"{key[1]}: {_error_text(exc)}")
                self.settle(pending, key[1])
            return
        blob: Blob | None
        if isinstance(result, int):
            assert job.temp is not None
            blob = _OnDisk(job.temp, result, temp=True)
        else:
            blob = result
        if not codecs.is_effective(job.size, _blob_size(blob)):
            if job.temp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(job.temp)
            blob = None
        for index, pending in enumerate(job.targets):
            written = self.finish(pending, key[1], job.size, blob)
            if isinstance(blob, _OnDisk) and blob.temp:
                if not written:  # the one output is gone: the other files fail alike
                    for other in job.targets[index + 1 :]:
                        self.error(other.source.path, f"{key[1]}: variant could not be written")
                        self.settle(other, key[1])
                    return
                # Moved into place for the first file: later ones copy from there.
                blob = _OnDisk(self.variant_path(pending.source, key[1]), blob.size, False)
        if job.size in self.plan.shared_sizes:
            self.done[key] = blob

    def finish(self, pending: _Pending, encoding: str, size: int, blob: Blob | None) -> bool:
        """Write (or, when not worth it, remove) one variant of one source.

        Returns False if the variant could not be written (the error is recorded).
        """
        source = pending.source
        path = self.variant_path(source, encoding)
        stats = self.summary.per_encoding[encoding]
        codec = codecs.CODEC_IDS[encoding]
        written = True
        if blob is not None and codecs.is_effective(size, _blob_size(blob)):
            mtime = source.st.st_mtime_ns
            try:
                if isinstance(blob, bytes):
                    st = write_atomic(path, blob, mtime, self.pid)
                elif blob.temp:
                    st = commit(blob.path, path, mtime)
                else:
                    st = copy_atomic(blob.path, path, mtime, self.pid)
            except OSError as exc:
                self.error(path, exc)
                written = False
            else:
                out = _blob_size(blob)
                pending.record.variants[encoding] = VariantRecord(codec, st.st_size, st.st_mtime_ns)
                pending.wrote = True
                stats.variants += 1
                stats.bytes_in += size
                stats.bytes_out += out
                pending.notes.append(f"{encoding} {out * 100 // max(size, 1)}%")
        else:
            stats.not_effective += 1
            pending.notes.append(f"{encoding} not smaller")
            if encoding in source.siblings:
                self.remove(Remove(path, "no longer saves 5 %"))
            pending.record.variants[encoding] = VariantRecord(codec, None, 0)
        self.settle(pending, encoding)
        return written

    def settle(self, pending: _Pending, encoding: str) -> None:
        pending.waiting.discard(encoding)
        if pending.waiting:
            return
        source = pending.source
        # A record with an encoding missing (it failed) makes the next run retry it.
        self.new[source.root][source.rel] = pending.record
        if pending.wrote:
            self.summary.files_compressed += 1
        verb = "compressed" if pending.wrote else "kept no variant of"
        pending.notes.sort(key=lambda note: codecs.ALL_ENCODINGS.index(note.split()[0]))
        size = _human(pending.record.size)
        self.reporter.file(f"{verb} {source.path} ({size}: {', '.join(pending.notes)})")
        self.reporter.advance(source.st.st_size)


def record(
    roots: list[str], plan: Plan, results: list[dict[str, FileRecord]], owner_pid: int
) -> list[tuple[str, str]]:
    """Write each root's manifest: the plan's reused records and the run's new ones.

    Returns ``(path, message)`` for each manifest that could not be written.
    """
    records: list[dict[str, FileRecord]] = [{} for _ in roots]
    for action in plan.actions:
        if isinstance(action, Reuse):
            records[action.root][action.rel] = action.record
    errors = []
    for index, root in enumerate(roots):
        records[index].update(results[index])
        try:
            manifest.save(root, records[index], owner_pid)
        except OSError as exc:
            errors.append((os.path.join(root, manifest.MANIFEST_NAME), _error_text(exc)))
    return errors


def count_plan(plan: Plan, summary: Summary) -> None:
    """The figures of a dry run, from the plan alone (no file is read)."""
    for action in plan.actions:
        if isinstance(action, Remove):
            if action.temp:
                summary.temps_removed += 1
            else:
                summary.variants_removed += 1
        elif isinstance(action, Skip):
            summary.files_skipped += action.source is not None
        elif isinstance(action, Reuse):
            summary.files_unchanged += action.source is not None
        elif action.source.st.st_size:
            summary.files_compressed += 1
            for encoding in summary.encodings:
                stats = summary.per_encoding[encoding]
                stats.variants += 1
                stats.bytes_in += action.source.st.st_size


def run_plan(
    roots: list[str], options: CompressOptions, reporter: Reporter
) -> tuple[Summary, ScanResult]:
    """Scan, plan, and (unless a dry run) execute the plan and record the results."""
    started = time.perf_counter()
    summary = Summary(roots=roots, encodings=options.encodings, dry_run=options.dry_run)
    summary.per_encoding = {e: EncodingStats() for e in options.encodings}
    found = scan(roots, options.skip_extensions, options.allow_external_symlinks)
    summary.errors.extend(found.errors)
    for path, text in found.errors:
        reporter.file(f"error: {path}: {text}")
    old = [manifest.load(root) for root in roots]
    plan = summary.plan = make_plan(roots, options.encodings, found, old)
    summary.files_scanned = plan.files
    if options.dry_run:
        count_plan(plan, summary)
    else:
        results = _Execution(plan, options, reporter, summary).run()
        for path, text in record(roots, plan, results, os.getpid()):
            summary.errors.append((path, text))
            reporter.file(f"error: {path}: {text}")
    summary.elapsed = time.perf_counter() - started
    return summary, found


def _blob_size(blob: Blob | None) -> int:
    if blob is None:
        return 0
    return len(blob) if isinstance(blob, bytes) else blob.size


def make_pool(kind: ExecutorKind, workers: int) -> Executor:
    """The worker pool for ``kind``.

    Process workers are started with ``spawn`` and die with their parent (Linux
    ``PR_SET_PDEATHSIG``, and a check that the parent is still the one that started
    them), so a SIGKILLed run leaves no worker behind.
    """
    if kind == "process":
        return ProcessPoolExecutor(
            workers,
            mp_context=get_context("spawn"),
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        )
    return ThreadPoolExecutor(workers, thread_name_prefix="pinknoise")


_PR_SET_PDEATHSIG: Final = 1


def _die_with_parent(parent: int) -> None:
    """Worker initializer: get SIGKILL when the parent dies; exit if it already has."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def main_is_guarded() -> bool:
    """Whether ``spawn`` workers can re-import ``__main__`` without re-running this call.

    A spawned worker runs the parent's main module again (as ``__mp_main__``); a script
    that calls the compressor outside ``if __name__ == "__main__":`` would then start
    compressing again in every worker, and the pool breaks. True when there is no main
    file to re-run (``python -c``, a REPL, ``python -m package``, which ``spawn``
    skips), or when the main module's frame on the call stack is inside such a guard.
    """
    main = sys.modules.get("__main__")
    if main is None:
        return True
    spec_name = getattr(getattr(main, "__spec__", None), "name", None)
    if spec_name is not None and (spec_name == "__main__" or spec_name.endswith(".__main__")):
        return True  # ``python -m package``: spawn never re-runs a package's __main__
    path = getattr(main, "__file__", None)
    if path is None:
        return True
    frame: types.FrameType | None = sys._getframe()
    while frame is not None:
        if frame.f_globals is main.__dict__ and frame.f_code.co_name == "<module>":
            break
        frame = frame.f_back
    if frame is None:
        return False  # called once main's top level had finished: cannot tell, so no
    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError, ValueError):
        return False
    line = frame.f_lineno
    return any(
        isinstance(node, ast.If)
        and _is_main_test(node.test)
        and node.lineno <= line <= (node.end_lineno or node.lineno)
        for node in tree.body
    )


def _is_main_test(test: ast.expr) -> bool:
    """``__name__ == "__main__"``, either way round."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    if not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    consts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return len(names) == 1 and len(consts) == 1


def compress_tree(
    roots: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    options: CompressOptions | None = None,
    encodings: Iterable[str] | None = None,
    skip_extensions: Iterable[str] = (),
    use_default_skip: bool = True,
    allow_external_symlinks: bool = False,
    follow_external_symlinks: bool | None = None,
    dry_run: bool = False,
    workers: int | None = None,
    executor: ExecutorKind = "thread",
    reporter: Reporter | None = None,
    dictionaries: int = DEFAULT_KEEP,
) -> Summary:
    """Write ``.br``/``.zst``/``.gz`` siblings for every file under ``roots``.

    The keywords are those of :func:`pinknoise.compress.options.make_compress_options`,
    or pass ready-made ``options`` (the other keywords are then ignored). Per-file
    problems do not raise: they are collected in ``Summary.errors`` and the rest of the
    tree is still processed.

    With ``dictionaries`` > 0 (and zstandard installed), the newest version of each
    versioned asset also gets dcz deltas against that many older versions, for
    Compression Dictionary Transport (:mod:`pinknoise.compress.deltas`), taken from
    the same scan as the files compressed.
    """
    if isinstance(roots, (str, os.PathLike)):
        roots = [roots]
    if options is None:
        options = make_compress_options(
            encodings=encodings,
            skip_extensions=skip_extensions,
            use_default_skip=use_default_skip,
            allow_external_symlinks=allow_external_symlinks,
            follow_external_symlinks=follow_external_symlinks,
            dry_run=dry_run,
            workers=workers,
            executor=executor,
            dictionaries=dictionaries,
        )
    if options.executor == "process" and not main_is_guarded():
        warnings.warn(
            "pinknoise compress: the calling script has no `if __name__ == '__main__':` "
            "guard around this call, which process workers would re-run: using threads",
            RuntimeWarning,
            stacklevel=2,
        )
        options = dataclasses.replace(options, executor="thread")
    summary, found = run_plan(normalize_roots(roots), options, reporter or NullReporter())
    keep = options.dictionaries
    if keep > 0 and not options.dry_run and "zstd" in codecs.available_encodings():
        deltas = write_deltas_for(found, keep=keep)
        summary.deltas_written += len(deltas.written)
        summary.deltas_removed += len(deltas.removed)
        summary.errors.extend(deltas.errors)
    return summary
