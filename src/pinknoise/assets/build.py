"""``pinknoise build``: content-hashed copies of a static tree, a manifest, precompression.

:func:`build` copies every file of ``src`` that the server would serve (the walker's
rules: :func:`pinknoise.core.walker.walk_full`) to ``out`` as ``NAME.<digest>.EXT``,
rewrites the references between them (:mod:`pinknoise.assets.references`), writes the
manifest (:mod:`pinknoise.core.asset_manifest`), keeps a few previous versions of each
file and compresses the result with the ordinary compressor
(:func:`pinknoise.compress.compress_tree`: variants and dcz deltas, atomic and
incremental).

Names. The digest is 12 characters: a letter ``a``-``f`` then 11 hex digits, so the
server's immutable rule (:func:`pinknoise.core.options.hash_span`, which refuses an
all-digit run as a date or version) recognises every one. A file's digest covers its
own bytes and the names of the files it references, so a changed image renames the CSS
that uses it and nothing else; the bytes written are a function of exactly that, so a
name always means one content. Files that reference each other (ES modules importing
each other, a script and its source map) are hashed as one group: each member's name
covers every member's bytes. A name the immutable rule could not recognise (no
extension: ``LICENSE``) is copied under its own name and listed as ``unhashed``.

Incremental. ``out/.pinknoise-build.json`` records each source's size, mtime, digest and
references, and each output's size, mtime and integrity: a source whose stat did not
change is not read again, an output whose stat did not change is not written again,
and the compressor's own record skips unchanged variants. A rerun with nothing changed
reads no file and writes none.

Versions. Files pinknoise wrote earlier (named by the previous manifest) that the new
build does not produce are kept as ``previous`` versions, the ``keep_old_versions``
most recent per file (pages and CDNs still reference them; they are the dictionaries of
dcz deltas); older ones are deleted with their variants and deltas. A file deleted from
``src`` keeps its versions for ``keep_old_versions`` more builds. Nothing pinknoise did
not write is ever deleted.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import os
import posixpath
import stat
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from pinknoise.assets.references import (
    TEXT_EXTENSIONS,
    Reference,
    find_references,
    leaves_root,
    local_path,
    renamed_url,
    resolve,
)
from pinknoise.compress import MissingEncodingError, Summary, compress_tree, make_compress_options
from pinknoise.compress.atomic import CREATE_FLAGS, commit, temp_path, write_atomic
from pinknoise.compress.deltas import DEFAULT_KEEP, DEFAULT_KEEP_OLD_VERSIONS
from pinknoise.compress.reading import iter_fd
from pinknoise.core.asset_manifest import (
    MANIFEST_NAME,
    Asset,
    AssetManifest,
    ManifestError,
    integrity_of,
    read_manifest,
)
from pinknoise.core.codings import SUFFIXES
from pinknoise.core.dictionaries import parse_delta_name
from pinknoise.core.options import hash_span
from pinknoise.core.paths import is_within, normalize_prefix
from pinknoise.core.walker import (
    Policy,
    WalkReport,
    open_contained,
    read_regular,
    role,
    walk_full,
)

BUILD_RECORD: Final = ".pinknoise-build.json"
_RECORD_FORMAT: Final = "pinknoise-build/1"
_DIGEST_LETTERS: Final = "abcdef"
MissingReferences = Literal["error", "warn"]


class BuildError(Exception):
    """The build cannot be done or finished: the message says what and where."""


class BuildUsageError(BuildError):
    """Bad arguments (a missing source, nested directories): the command exits 2."""


@dataclass(slots=True)
class BuildResult:
    """What :func:`build` did."""

    manifest: AssetManifest
    #: Root-relative paths written under ``out`` this run (hashed files and copies).
    written: list[str] = field(default_factory=list)
    #: Outputs that were already there, as they should be.
    unchanged: int = 0
    #: Root-relative paths of older versions (and copies no longer wanted) deleted.
    removed: list[str] = field(default_factory=list)
    #: Missing or escaping references left as written (``missing_references="warn"``).
    warnings: list[str] = field(default_factory=list)
    #: Groups of files that reference each other, each as one cycle ``a -> b -> a``.
    cycles: list[tuple[str, ...]] = field(default_factory=list)
    #: (path, reason) of what the walker left out of ``src`` (dotfiles, FIFOs, ...).
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: Logical names copied without a hash: the immutable rule could not read one.
    not_hashed: list[str] = field(default_factory=list)
    compress: Summary | None = None
    elapsed: float = 0.0


def digest_text(digest: bytes) -> str:
    """The 12 characters put in a name: a letter ``a``-``f``, then 11 hex digits.

    The leading letter keeps the run from being all digits, which the immutable rule
    reads as a date or a version and refuses; it costs 1.4 of the 48 bits.
    """
    return _DIGEST_LETTERS[digest[0] % len(_DIGEST_LETTERS)] + digest[1:7].hex()[:11]


def hashed_name(name: str, digest: bytes) -> str:
    """``app.css`` -> ``app.<digest_text>.css``, or ``name`` itself where the server's
    immutable rule would not recognise the result (a name with no extension)."""
    stem, extension = posixpath.splitext(name)
    candidate = f"{stem}.{digest_text(digest)}{extension}"
    return candidate if hash_span(candidate) is not None else name


@dataclass(slots=True)
class _Source:
    """One file of ``src``: where it is, its digest and references, and its bytes once read."""

    path: str
    st: os.stat_result
    digest: bytes = b""
    references: list[Reference] = field(default_factory=list)
    data: bytes | None = None
    #: (reference, target logical name) for each reference to rewrite.
    links: list[tuple[Reference, str]] = field(default_factory=list)


def build(
    src: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    prefix: str = "/static/",
    keep_unhashed: Iterable[str] = (),
    keep_old_versions: int = DEFAULT_KEEP_OLD_VERSIONS,
    missing_references: MissingReferences = "error",
    compress: bool = True,
    encodings: Iterable[str] | None = None,
    skip_extensions: Iterable[str] = (),
    dictionaries: int = DEFAULT_KEEP,
    workers: int | None = None,
    allow_external_symlinks: bool = False,
) -> BuildResult:
    """Build ``src`` into ``out`` (created if needed) and return what was done.

    ``keep_unhashed``: patterns (``robots.txt``, ``img/*.ico``; one without ``/``
    matches the base name anywhere) of files also written under their own name.
    ``missing_references="warn"`` leaves a reference to a missing file (or one
    leaving ``src``) as written and reports it in ``warnings`` instead of failing.
    Raises :class:`BuildError` (:class:`BuildUsageError` for bad arguments) with a
    message naming the file, line and reference at fault.
    """
    started = time.perf_counter()
    if missing_references not in ("error", "warn"):
        raise BuildUsageError(
            f"missing_references must be 'error' or 'warn', not {missing_references!r}"
        )
    if isinstance(keep_old_versions, bool) or not isinstance(keep_old_versions, int):
        raise BuildUsageError(f"keep_old_versions must be a number, got {keep_old_versions!r}")
    if keep_old_versions < 0:
        raise BuildUsageError(f"keep_old_versions must be >= 0, got {keep_old_versions}")
    patterns = [keep_unhashed] if isinstance(keep_unhashed, str) else list(keep_unhashed)
    try:
        prefix = normalize_prefix(prefix)
        compress_options = (
            make_compress_options(
                encodings=encodings,
                skip_extensions=skip_extensions,
                dictionaries=dictionaries,
                workers=workers,
                allow_external_symlinks=False,
            )
            if compress
            else None
        )
    except (MissingEncodingError, TypeError, ValueError) as error:
        raise BuildUsageError(str(error)) from None
    real_src, real_out = _directories(src, out)
    builder = _Builder(real_src, real_out, prefix, allow_external_symlinks)
    result = builder.run(patterns, keep_old_versions, missing_references)
    if compress_options is not None:
        summary = compress_tree(real_out, options=compress_options)
        result.compress = summary
        if summary.errors:
            lines = "\n".join(f"  {path}: {message}" for path, message in summary.errors)
            raise BuildError(f"could not compress {len(summary.errors)} file(s):\n{lines}")
    result.elapsed = time.perf_counter() - started
    return result


def _directories(src: str | os.PathLike[str], out: str | os.PathLike[str]) -> tuple[str, str]:
    """The real paths of ``src`` and ``out`` (created), refusing a nested pair."""
    src, out = os.fspath(src), os.fspath(out)
    try:
        if not stat.S_ISDIR(os.stat(src).st_mode):
            raise BuildUsageError(f"{src}: not a directory")
    except OSError as error:
        raise BuildUsageError(f"{src}: {error.strerror}") from None
    real_src = os.path.realpath(src)
    real_out = os.path.realpath(out)
    if is_within(real_out, real_src):
        raise BuildUsageError(
            f"{out} is inside {src}: the build would copy its own output; choose an "
            f"output directory outside the source"
        )
    if is_within(real_src, real_out):
        raise BuildUsageError(f"{src} is inside {out}: choose an output directory outside it")
    try:
        os.makedirs(real_out, exist_ok=True)
    except OSError as error:
        raise BuildError(f"cannot create {out}: {error.strerror}") from None
    if not os.access(real_out, os.W_OK | os.X_OK):
        raise BuildError(f"{out}: not writable")
    return real_src, real_out


@dataclass(slots=True)
class _Record:
    """``out/.pinknoise-build.json``: what the previous build read and wrote."""

    #: logical -> (size, mtime_ns, sha384 hex, references)
    sources: dict[str, tuple[int, int, str, list[Reference]]] = field(default_factory=dict)
    #: output path -> (size, mtime_ns, integrity)
    outputs: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    #: logical names gone from ``src`` -> builds since, for keeping their versions
    gone: dict[str, int] = field(default_factory=dict)

    @classmethod
    def read(cls, real_out: str, real_src: str, prefix: str) -> _Record:
        raw = read_regular(Policy(real_out), os.path.join(real_out, BUILD_RECORD))
        if raw is None:
            return cls()
        try:
            data = json.loads(raw)
            if data.get("format") != _RECORD_FORMAT:
                return cls()
            record = cls(
                outputs={
                    str(path): (int(size), int(mtime), str(integrity))
                    for path, (size, mtime, integrity) in data["outputs"].items()
                },
                gone={str(name): int(count) for name, count in data["gone"].items()},
            )
            if data.get("src") == real_src and data.get("prefix") == prefix:
                for name, (size, mtime, digest, refs) in data["sources"].items():
                    references = [Reference(s, e, str(u), k, ln, c) for s, e, u, k, ln, c in refs]
                    record.sources[str(name)] = (int(size), int(mtime), str(digest), references)
            return record
        except (ValueError, TypeError, KeyError, AttributeError):
            return cls()  # unreadable: everything is read and checked again

    def to_json(self, real_src: str, prefix: str) -> bytes:
        data: dict[str, Any] = {
            "format": _RECORD_FORMAT,
            "src": real_src,
            "prefix": prefix,
            "sources": {
                name: [
                    size,
                    mtime,
                    digest,
                    [[r.start, r.end, r.url, r.kind, r.line, r.column] for r in refs],
                ]
                for name, (size, mtime, digest, refs) in sorted(self.sources.items())
            },
            "outputs": {path: list(entry) for path, entry in sorted(self.outputs.items())},
            "gone": dict(sorted(self.gone.items())),
        }
        return json.dumps(data, separators=(",", ":")).encode("utf-8")


class _Builder:
    """One build: read, resolve, name, write, keep or prune versions, record."""

    def __init__(self, real_src: str, real_out: str, prefix: str, allow_external: bool):
        self.real_src = real_src
        self.real_out = real_out
        self.prefix = prefix
        self.policy = Policy(real_src, allow_external)
        self.pid = os.getpid()
        self.sources: dict[str, _Source] = {}
        self.names: dict[str, str] = {}
        self.old = _Record.read(real_out, real_src, prefix)
        self.new = _Record()

    def run(self, patterns: list[str], keep: int, missing: MissingReferences) -> BuildResult:
        try:
            old_manifest = read_manifest(self.real_out)
        except ManifestError as error:
            raise BuildError(
                f"{error}; it names the files an earlier build wrote: fix it or delete it "
                f"(older versions are then left alone, never deleted)"
            ) from None
        result = BuildResult(AssetManifest(self.prefix))
        self.walk(result)
        self.read_sources()
        self.resolve_links(missing, result)
        groups = _strongly_connected(self.sources, lambda name: self.sources[name].links)
        self.names = names = self.name_files(groups)
        result.cycles = self.cycles()
        assets: dict[str, Asset] = {}
        unhashed: set[str] = set()
        for logical in self.sources:
            output = names[logical]
            integrity, size = self.output(logical, output, None, result)
            assets[logical] = Asset(output, size, integrity)
            if output == logical:
                unhashed.add(logical)
                result.not_hashed.append(logical)
            elif _matches(logical, patterns):
                self.output(logical, logical, integrity, result)
                unhashed.add(logical)
        previous, doomed = self.versions(old_manifest, assets, unhashed, keep)
        manifest = AssetManifest(self.prefix, assets, previous, frozenset(unhashed))
        result.manifest = manifest
        self.write_if_changed(MANIFEST_NAME, manifest.to_json())
        for path in sorted(doomed):
            if self.remove(path):
                result.removed.append(path)
        self.write_if_changed(BUILD_RECORD, self.new.to_json(self.real_src, self.prefix))
        return result

    # -- reading ------------------------------------------------------------------

    def walk(self, result: BuildResult) -> None:
        """Every file the server would serve from ``src``, by the walker's rules."""
        report = WalkReport()
        for directory, relative_dir, files in walk_full(self.policy, report):
            names = {name for name, _ in files}
            for name, st in files:
                kind = role(name, names)
                if kind != "file":
                    report.skipped.append((os.path.join(directory, name), f"a {kind}, made again"))
                    continue
                self.sources[relative_dir + name] = _Source(os.path.join(directory, name), st)
        if report.errors:
            lines = "\n".join(f"  {path}: {message}" for path, message in report.errors)
            raise BuildError(f"cannot read {len(report.errors)} entries of the source:\n{lines}")
        result.skipped = report.skipped

    def read_sources(self) -> None:
        """Digest and references of each source; from the record where its stat is unchanged."""
        for logical, source in self.sources.items():
            known = self.old.sources.get(logical)
            st = source.st
            if known is not None and known[:2] == (st.st_size, st.st_mtime_ns):
                source.digest = bytes.fromhex(known[2])
                source.references = known[3]
            else:
                text = posixpath.splitext(logical)[1].lower() in TEXT_EXTENSIONS
                source.digest, data = self.read(source, keep=text)
                if data is not None:
                    source.data = data
                    source.references = find_references(logical, _decode(data))
            self.new.sources[logical] = (
                st.st_size,
                st.st_mtime_ns,
                source.digest.hex(),
                source.references,
            )

    def read(self, source: _Source, keep: bool) -> tuple[bytes, bytes | None]:
        """SHA-384 of a source and (with ``keep``) its bytes, through the checked open."""
        opened = open_contained(self.policy, source.path)
        if opened is None:
            raise BuildError(f"{source.path}: changed or replaced while building; run again")
        fd, st = opened
        hasher = hashlib.sha384()
        parts: list[bytes] = []
        try:
            for chunk in iter_fd(fd, st.st_size):
                hasher.update(chunk)
                if keep:
                    parts.append(chunk)
        except OSError as error:
            raise BuildError(f"{source.path}: {error.strerror}") from None
        finally:
            os.close(fd)
        source.st = st
        return hasher.digest(), b"".join(parts) if keep else None

    def resolve_links(self, missing: MissingReferences, result: BuildResult) -> None:
        """Which file each local reference names; a missing or escaping one is reported."""
        problems: list[str] = []
        for logical, source in self.sources.items():
            for reference in source.references:
                local = local_path(reference.url, self.prefix, module=reference.kind == "module")
                if local is None:
                    continue
                target = resolve(logical, local[0], self.prefix)
                where = f"{logical}:{reference.line}:{reference.column}"
                if leaves_root(target):
                    problems.append(
                        f"{where}: {reference.url!r} resolves to {target!r}, outside the "
                        f"source directory: never followed"
                    )
                elif target in self.sources:
                    source.links.append((reference, target))
                elif reference.kind != "file":  # a map's "file" is a label, often not shipped
                    problems.append(
                        f"{where}: {reference.url!r} names {target!r}, which is not in the "
                        f"source directory{self.hint(reference, target)}"
                    )
        if problems and missing == "error":
            listed = "\n".join(f"  {line}" for line in problems)
            raise BuildError(
                f"{len(problems)} reference(s) to files not in the build:\n{listed}\n"
                f"Fix them, or add the files; --missing-references warn leaves them as written."
            )
        result.warnings = problems

    def hint(self, reference: Reference, target: str) -> str:
        """What to do about a missing source map, or an import only a bundler resolves."""
        if reference.kind == "sourcemap":
            return (
                " (a source map not shipped: add it, or remove the sourceMappingURL "
                "comment, which minifiers add)"
            )
        if reference.kind != "module":
            return ""
        for candidate in (f"{target}.js", f"{target}.mjs", f"{target}/index.js"):
            if candidate in self.sources:
                return (
                    f" (did you mean {candidate!r}? browsers load module specifiers as "
                    f"written; only bundlers add extensions)"
                )
        return ""

    # -- naming -------------------------------------------------------------------

    def name_files(self, groups: list[list[str]]) -> dict[str, str]:
        """Each logical name's output path; dependencies are named before their users."""
        names: dict[str, str] = {}
        for group in groups:
            members = set(group)
            if len(group) == 1 and all(t != group[0] for _, t in self.sources[group[0]].links):
                digests = {group[0]: self.content_digest(group, members, names)}
            else:  # a cycle: one digest over every member, then one name each
                shared = self.content_digest(sorted(group), members, names)
                digests = {m: hashlib.sha384(shared + m.encode()).digest() for m in group}
            for logical, digest in digests.items():
                directory, base = posixpath.split(logical)
                names[logical] = posixpath.join(directory, hashed_name(base, digest))
        return names

    def content_digest(self, group: list[str], members: set[str], names: dict[str, str]) -> bytes:
        """What the bytes written for ``group`` depend on: contents, and outside names."""
        hasher = hashlib.sha384(_RECORD_FORMAT.encode())
        for logical in group:
            source = self.sources[logical]
            hasher.update(b"\0" + logical.encode() + b"\0" + source.digest)
            for reference, target in source.links:
                named = target if target in members else names[target]
                hasher.update(f"\0{reference.start}\0{named}".encode())
        return hasher.digest()

    def cycles(self) -> list[tuple[str, ...]]:
        """One cycle per group of files that reference each other, for the report.

        A script and its source map always reference each other (``sourceMappingURL``
        and the map's ``file``): that pair is expected and not reported.
        """

        def fetched(name: str) -> list[tuple[Reference, str]]:
            return [link for link in self.sources[name].links if link[0].kind != "file"]

        found = []
        for group in _strongly_connected(self.sources, fetched):
            members = set(group)
            start = min(group)
            if len(group) > 1 or any(t == start for _, t in fetched(start)):
                found.append(_one_cycle(start, members, fetched))
        return sorted(found)

    # -- writing ------------------------------------------------------------------

    def output(
        self, logical: str, output: str, integrity: str | None, result: BuildResult
    ) -> tuple[str, int]:
        """Make sure ``out/output`` holds ``logical``'s built bytes; its integrity and size.

        Under a hashed name the name alone fixes the content, so an output whose stat is
        the recorded one is current. Under an unhashed name (a copy, whose ``integrity``
        is given, or a name that could not carry a hash) the content may change with the
        name unchanged, so the recorded integrity must match too.
        """
        path = os.path.join(self.real_out, output)
        source = self.sources[logical]
        if integrity is None and output == logical:  # not hashed: the name fixes nothing
            integrity = "" if source.links else integrity_of(source.digest)
        known = self.old.outputs.get(output)
        if known is not None and (integrity is None or known[2] == integrity):
            try:
                st = os.lstat(path)
            except OSError:
                st = None
            if (
                st is not None
                and stat.S_ISREG(st.st_mode)
                and (st.st_size, st.st_mtime_ns) == known[:2]
            ):
                self.new.outputs[output] = known
                result.unchanged += 1
                return known[2], known[0]
        self.make_directory(posixpath.dirname(output))
        if not source.links:
            written = self.copy(source, path)
        else:
            data = self.rewritten(logical, source)
            written = self.write(path, data)
        self.new.outputs[output] = written
        if written[1] == -1:  # already there with these bytes
            st = os.lstat(path)
            self.new.outputs[output] = (st.st_size, st.st_mtime_ns, written[2])
            result.unchanged += 1
        else:
            result.written.append(output)
        return written[2], written[0]

    def rewritten(self, logical: str, source: _Source) -> bytes:
        """The source's bytes with each linked reference renamed to its target's output."""
        if source.data is None:
            digest, source.data = self.read(source, keep=True)
            if digest != source.digest:
                raise BuildError(f"{source.path}: changed while building; run again")
        text = _decode(source.data or b"")
        pieces: list[str] = []
        position = 0
        names = self.names
        for reference, target in sorted(source.links, key=lambda link: link[0].start):
            pieces.append(text[position : reference.start])
            pieces.append(renamed_url(reference.url, posixpath.basename(names[target])))
            position = reference.end
        pieces.append(text[position:])
        return "".join(pieces).encode("utf-8", "surrogateescape")

    def write(self, path: str, data: bytes) -> tuple[int, int, str]:
        """Write ``data`` atomically unless the file already holds exactly it."""
        digest = hashlib.sha384(data).digest()
        integrity = integrity_of(digest)
        if _holds(path, data):
            return len(data), -1, integrity
        try:
            st = write_atomic(path, data, None, self.pid)
        except OSError as error:
            raise BuildError(f"cannot write {path}: {error.strerror}") from None
        return st.st_size, st.st_mtime_ns, integrity

    def copy(self, source: _Source, path: str) -> tuple[int, int, str]:
        """Copy a file that needs no rewriting, checking it is still the file hashed."""
        if source.data is not None:
            written = self.write(path, source.data)
        else:
            written = self.stream(source, path)
        if written[2] != integrity_of(source.digest):
            raise BuildError(f"{source.path}: changed while building; run again")
        return written

    def stream(self, source: _Source, path: str) -> tuple[int, int, str]:
        """Copy a large file piece by piece into a temporary file, then rename it."""
        try:
            if os.lstat(path).st_size == source.st.st_size:
                digest, _ = self.read_output(path)
                if digest == source.digest:
                    return source.st.st_size, -1, integrity_of(digest)
        except OSError:
            pass
        opened = open_contained(self.policy, source.path)
        if opened is None:
            raise BuildError(f"{source.path}: changed or replaced while building; run again")
        fd, st = opened
        tmp = temp_path(path, self.pid)
        hasher = hashlib.sha384()
        try:
            out = os.open(tmp, CREATE_FLAGS, 0o666)
            try:
                for chunk in iter_fd(fd, st.st_size):
                    hasher.update(chunk)
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(out, view) :]
            finally:
                os.close(out)
            written = commit(tmp, path, None)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise BuildError(f"cannot write {path}: {error.strerror}") from None
        finally:
            os.close(fd)
        return written.st_size, written.st_mtime_ns, integrity_of(hasher.digest())

    def read_output(self, path: str) -> tuple[bytes, int]:
        opened = open_contained(Policy(self.real_out), path)
        if opened is None:
            raise OSError(path)
        fd, st = opened
        hasher = hashlib.sha384()
        try:
            for chunk in iter_fd(fd, st.st_size):
                hasher.update(chunk)
        finally:
            os.close(fd)
        return hasher.digest(), st.st_size

    def make_directory(self, relative: str) -> None:
        """Create ``out/relative``; refuse one that is (or passes through) a symlink out."""
        directory = os.path.join(self.real_out, relative)
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as error:
            raise BuildError(f"cannot create {directory}: {error.strerror}") from None
        if not is_within(os.path.realpath(directory), self.real_out):
            raise BuildError(f"{directory} leads outside {self.real_out}: nothing is written there")

    def write_if_changed(self, name: str, data: bytes) -> None:
        path = os.path.join(self.real_out, name)
        if not _holds(path, data):
            try:
                write_atomic(path, data, None, self.pid)
            except OSError as error:
                raise BuildError(f"cannot write {path}: {error.strerror}") from None

    # -- versions -----------------------------------------------------------------

    def versions(
        self, old: AssetManifest | None, assets: Mapping[str, Asset], unhashed: set[str], keep: int
    ) -> tuple[dict[str, tuple[str, ...]], set[str]]:
        """The previous versions to keep per logical name, and the outputs to delete.

        Only paths the previous manifest names are considered: what pinknoise wrote.
        """
        if old is None:
            return {}, set()
        current = {asset.path for asset in assets.values()} | unhashed
        wrote_before = set(old.unhashed)
        previous: dict[str, tuple[str, ...]] = {}
        for logical in sorted({*old.assets, *old.previous}):
            chain = [old.assets[logical].path] if logical in old.assets else []
            chain.extend(old.previous.get(logical, ()))
            wrote_before.update(chain)
            if logical not in assets:
                absent = self.old.gone.get(logical, 0) + 1
                if absent > keep:
                    continue
                self.new.gone[logical] = absent
            kept: list[str] = []
            for path in chain:
                if path in current or path in kept or path in old.unhashed:
                    continue
                if len(kept) < keep and os.path.isfile(os.path.join(self.real_out, path)):
                    kept.append(path)
            if kept:
                previous[logical] = tuple(kept)
        for paths in previous.values():
            current.update(paths)
        self.touch_current(assets, previous)
        return previous, wrote_before - current

    def touch_current(
        self, assets: Mapping[str, Asset], previous: Mapping[str, tuple[str, ...]]
    ) -> None:
        """Make each current version newer than its kept ones (after a rollback).

        The delta writer takes the most recently modified version as the newest.
        """
        for logical, older in previous.items():
            asset = assets.get(logical)
            if asset is None or asset.path == logical:
                continue
            path = os.path.join(self.real_out, asset.path)
            try:
                mtime = os.stat(path).st_mtime_ns
                newest_older = max(
                    os.stat(os.path.join(self.real_out, p)).st_mtime_ns for p in older
                )
                if newest_older >= mtime:
                    os.utime(path)
                    st = os.stat(path)
                    self.new.outputs[asset.path] = (st.st_size, st.st_mtime_ns, asset.integrity)
            except OSError:
                continue

    def remove(self, relative: str) -> bool:
        """Delete an output pinknoise wrote earlier, with its variants and deltas."""
        path = os.path.join(self.real_out, relative)
        directory, name = os.path.split(path)
        if not is_within(os.path.realpath(directory), self.real_out):
            return False
        removed = False
        for suffix in ("", *SUFFIXES.values()):
            with contextlib.suppress(OSError):
                os.unlink(path + suffix)
                removed = removed or not suffix
        with contextlib.suppress(OSError):
            for entry in os.listdir(directory):
                delta = parse_delta_name(entry)
                if entry.endswith(".dcz") and delta is not None and delta[0] == name:
                    os.unlink(os.path.join(directory, entry))
        return removed


def _matches(logical: str, patterns: list[str]) -> bool:
    base = posixpath.basename(logical)
    return any(fnmatch.fnmatchcase(logical if "/" in p else base, p) for p in patterns)


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _holds(path: str, data: bytes) -> bool:
    """Whether the regular file at ``path`` holds exactly ``data``."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return False
        with open(path, "rb") as file:
            return file.read() == data
    except OSError:
        return False


def _strongly_connected(nodes: Iterable[str], edges: Any) -> list[list[str]]:
    """Tarjan's strongly connected components, dependencies first (iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(nodes):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = []
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work.append((root, iter(sorted({t for _, t in edges(root)}))))
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted({t for _, t in edges(child)}))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append(sorted(group))
    return groups


def _one_cycle(start: str, members: set[str], edges: Any) -> tuple[str, ...]:
    """A shortest path ``start -> ... -> start`` inside one strongly connected group."""
    paths: dict[str, tuple[str, ...]] = {start: (start,)}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for _, target in sorted(edges(node), key=lambda link: link[1]):
            if target == start:
                return (*paths[node], start)
            if target in members and target not in paths:
                paths[target] = (*paths[node], target)
                queue.append(target)
    return (start,)


__all__ = [
    "BUILD_RECORD",
    "BuildError",
    "BuildResult",
    "BuildUsageError",
    "build",
    "digest_text",
    "hashed_name",
]
