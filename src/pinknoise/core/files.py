"""The catalog's entries: a static file, its representations, and index redirects.

Everything a response needs is computed here once, when a file enters the catalog, so
that serving it is a lookup: header lists are built and shared, and the strings that
repeat across thousands of files (content types, cache policy, Vary) are interned.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Final
from urllib.parse import quote
from wsgiref.headers import Headers as EditableHeaders

from pinknoise.core.codings import SUFFIXES
from pinknoise.core.dictionaries import DELTA_CODING, parse_delta_name, use_as_dictionary
from pinknoise.core.http_dates import format_http_date
from pinknoise.core.media_types import MediaTypes
from pinknoise.core.options import IMMUTABLE_MAX_AGE, Options
from pinknoise.core.response import Headers, Response
from pinknoise.core.walker import FileStat, Policy

IDENTITY: Final = "identity"

#: Header names that describe one representation; the adapter-neutral 304 omits them.
_REPRESENTATION_ONLY: Final = frozenset(
    {"content-type", "content-length", "content-encoding", "accept-ranges"}
)
#: Names pinknoise sets per representation; an ``add_headers_function`` cannot clash.
_PER_REPRESENTATION: Final = frozenset({"content-length", "content-encoding", "etag"})
_INTERN_LIMIT: Final = 4096


class Representation:
    """One stored form of a file (identity, or a precompressed sibling) and its 200."""

    __slots__ = (
        "coding",
        "data",
        "etag",
        "handle",
        "headers",
        "mtime_ns",
        "not_modified",
        "ok",
        "path",
        "policy",
        "size",
        "source",
    )

    def __init__(
        self,
        policy: Policy,
        path: str,
        coding: str,
        size: int,
        mtime_ns: int,
        etag: str,
        headers: Headers,
    ) -> None:
        #: The rules of the root the file was found under (containment is checked on open).
        self.policy = policy
        self.path = path
        self.coding = coding
        self.size = size
        self.mtime_ns = mtime_ns
        self.etag = etag
        self.headers = headers
        self.ok = Response(200, headers, self, 0, size)
        #: The 304, built with the rest: entries are prepared on first request anyway.
        self.not_modified = Response(
            304,
            tuple(pair for pair in headers if pair[0].lower() not in _REPRESENTATION_ONLY),
        )
        #: The file's bytes once read, for small files (the server's memory cache).
        self.data: bytes | None = None
        #: For an encoded sibling, the identity representation it was made from: its
        #: bytes are only sent while that source is unchanged.
        self.source: Representation | None = None
        #: An open descriptor of the file, proved inside the root, kept for servers that
        #: open a path themselves (``/proc/self/fd/N``, see ``StaticServer``); or None.
        self.handle: int | None = None

    @property
    def not_modified_headers(self) -> Headers:
        """Headers of a 304: validators, caching, Vary, CORS and custom headers."""
        return self.not_modified.headers

    def partial_headers(self, start: int, stop: int) -> Headers:
        """Headers of a 206 for bytes ``start`` to ``stop - 1``."""
        content_range = ("Content-Range", f"bytes {start}-{stop - 1}/{self.size}")
        headers: list[tuple[str, str]] = []
        for pair in self.headers:
            if pair[0] == "Content-Length":
                headers.append(("Content-Length", str(stop - start)))
                headers.append(content_range)
            else:
                headers.append(pair)
        return tuple(headers)

    def unsatisfiable_headers(self) -> Headers:
        """Headers of a 416: the current length, validators, caching and CORS."""
        return (
            ("Content-Range", f"bytes */{self.size}"),
            ("Content-Length", "0"),
            *self.not_modified_headers,
        )

    def __repr__(self) -> str:
        return f"<Representation {self.coding} {self.path!r} {self.size}B>"


class StaticFile:
    """A URL's file: the identity representation plus any smaller precompressed ones."""

    __slots__ = (
        "checked_at",
        "codings",
        "deltas",
        "identity",
        "last_modified",
        "last_modified_header",
        "negotiated",
        "variants",
    )

    def __init__(
        self,
        identity: Representation,
        variants: dict[str, Representation],
        codings: tuple[str, ...],
        last_modified: int,
        last_modified_header: str,
        deltas: dict[bytes, Representation],
    ) -> None:
        self.identity = identity
        self.variants = variants
        self.codings = codings  # the keys of ``variants``, in server preference order
        self.last_modified = last_modified
        self.last_modified_header = last_modified_header
        #: dcz deltas keyed by the SHA-256 of the dictionary they need (RFC 9842).
        self.deltas = deltas
        #: The last (Accept-Encoding value, chosen representation): browsers send the
        #: same few values, so most requests skip negotiation. One tuple, swapped
        #: whole, so concurrent threads never see a value paired with another's choice.
        self.negotiated: tuple[str | None, Representation] | None = None
        #: When the file was last found unchanged on disk (time.monotonic()); 0: never.
        self.checked_at = 0.0

    def representations(self) -> list[Representation]:
        return [self.identity, *self.variants.values(), *self.deltas.values()]


class Redirect:
    """An index URL spelled another way (``/dir`` or ``/dir/index.html``) -> ``/dir/``.

    The Location is relative (``dir/`` or ``./``, as WhiteNoise answers), so it is right
    under any mount: WSGI ``SCRIPT_NAME``, ASGI ``root_path``, Starlette ``Mount``,
    Django ``FORCE_SCRIPT_NAME``, a proxy's path prefix; none of which the core sees.
    """

    __slots__ = ("location",)

    def __init__(self, location: str) -> None:
        self.location = location

    @classmethod
    def add_slash(cls, url: str) -> Redirect:
        """``/static/docs`` -> ``docs/``: the same segment, as a directory."""
        name = quote(url[url.rfind("/") + 1 :], safe="!$&'()*+,;=@~")
        # A first segment with a colon would read as a scheme: "./a:b/" cannot.
        return cls(f"./{name}/" if ":" in name else f"{name}/")

    @classmethod
    def to_directory(cls) -> Redirect:
        """``/static/docs/index.html`` -> ``./``: the directory the index file is in."""
        return cls("./")


Entry = StaticFile | Redirect

_EMPTY: Final[dict[str, Representation]] = {}
_NO_DELTAS: Final[dict[bytes, Representation]] = {}


class FileFactory:
    """Builds :class:`StaticFile` entries, sharing every repeated string among them."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.media_types = MediaTypes(options.mimetypes, options.charset)
        self._interned: dict[tuple[str, str], tuple[str, str]] = {}

    def build(
        self,
        policy: Policy,
        path: str,
        url: str,
        st: FileStat,
        siblings: Iterable[tuple[str, FileStat]],
        checked_at: float = 0.0,
    ) -> StaticFile:
        """Create the entry for ``path`` (found under ``policy``'s root) served at ``url``.

        ``siblings`` lists the precompressed regular files next to it, as (path, stat):
        ``NAME.br``-style variants and ``NAME.<hash>.dcz`` deltas, already judged worth
        serving by :meth:`pinknoise.core.walker.Policy.worth_serving` (smaller than the
        source and made from it as it is now). Those of a coding the options do not
        serve are left out.
        """
        order = {coding: index for index, coding in enumerate(self.options.encodings)}
        found: list[tuple[int, str, FileStat, str]] = []
        deltas: dict[bytes, tuple[FileStat, str]] = {}
        for sibling, variant_stat in siblings:
            delta = parse_delta_name(os.path.basename(sibling))
            coding = DELTA_CODING if delta else _coding_of(sibling)
            if coding not in order and not delta:
                continue
            if delta:
                deltas[delta[1]] = (variant_stat, sibling)
            else:
                found.append((order[coding], coding, variant_stat, sibling))
        found.sort()

        last_modified = st.mtime_ns // 1_000_000_000
        last_modified_header = format_http_date(last_modified)
        shared = self._file_headers(path, url, last_modified_header, bool(found), bool(deltas))
        identity = self._representation(policy, path, IDENTITY, st, shared)
        variants = (
            {
                coding: self._representation(policy, p, coding, vs, shared)
                for _, coding, vs, p in found
            }
            if found
            else _EMPTY
        )
        delta_representations = (
            {
                digest: self._representation(policy, p, DELTA_CODING, vs, shared, digest)
                for digest, (vs, p) in deltas.items()
            }
            if deltas
            else _NO_DELTAS
        )
        for representation in [*variants.values(), *delta_representations.values()]:
            representation.source = identity
        entry = StaticFile(
            identity,
            variants,
            tuple(variants),
            last_modified,
            last_modified_header,
            delta_representations,
        )
        entry.checked_at = checked_at
        return entry

    def _representation(
        self,
        policy: Policy,
        path: str,
        coding: str,
        st: FileStat,
        shared: list[tuple[str, str]],
        dictionary: bytes = b"",
    ) -> Representation:
        size, mtime_ns = st
        # A strong validator per representation: the br body and the identity body are
        # different bytes, so they must never share an ETag (nor two deltas of one file
        # against different dictionaries).
        suffix = "" if coding == IDENTITY else f"-{coding}"
        if dictionary:
            suffix += f"-{dictionary[:6].hex()}"
        etag = strong_etag(mtime_ns, size, suffix)
        headers = [shared[0], ("Content-Length", str(size))]
        if coding != IDENTITY:
            headers.append(self._intern("Content-Encoding", coding))
        headers.extend(shared[1:])
        headers.append(("ETag", etag))
        return Representation(policy, path, coding, size, mtime_ns, etag, tuple(headers))

    def _file_headers(
        self, path: str, url: str, last_modified: str, has_variants: bool, has_deltas: bool
    ) -> list[tuple[str, str]]:
        """Headers common to all representations of one file, Content-Type first."""
        options = self.options
        name = url[url.rfind("/") + 1 :]
        headers = [
            ("Content-Type", self.media_types.content_type(name)),
            ("Last-Modified", last_modified),
        ]
        # max_age=None drops Cache-Control from the files it applies to (WhiteNoise's
        # meaning): a hashed file is immutable whatever it says.
        if options.immutable_file_test(path, url):
            headers.append(("Cache-Control", f"max-age={IMMUTABLE_MAX_AGE}, public, immutable"))
        elif options.max_age is not None:
            headers.append(("Cache-Control", f"max-age={options.max_age}, public"))
        if has_deltas:
            headers.append(("Vary", "Accept-Encoding, Available-Dictionary"))
        elif has_variants:
            headers.append(("Vary", "Accept-Encoding"))
        headers.append(("Accept-Ranges", "bytes"))
        if options.allow_all_origins:
            headers.append(("Access-Control-Allow-Origin", "*"))
        if options.use_as_dictionary:
            dictionary_match = use_as_dictionary(url)
            if dictionary_match is not None:
                headers.append(("Use-As-Dictionary", dictionary_match))
        if options.add_headers_function is not None:
            editable = EditableHeaders(headers)
            options.add_headers_function(editable, path, url)
            headers = [
                _checked_header(str(k), str(v), path)
                for k, v in editable.items()
                if k.lower() not in _PER_REPRESENTATION
            ]
            content_type = [pair for pair in headers if pair[0].lower() == "content-type"]
            headers = content_type[:1] + [p for p in headers if p[0].lower() != "content-type"]
            if not content_type:
                headers.insert(0, ("Content-Type", self.media_types.content_type(name)))
        return [pair if pair[0] == "Last-Modified" else self._intern(*pair) for pair in headers]

    def _intern(self, name: str, value: str) -> tuple[str, str]:
        pair = (name, value)
        existing = self._interned.get(pair)
        if existing is not None:
            return existing
        if len(self._interned) < _INTERN_LIMIT:
            self._interned[pair] = pair
        return pair


def strong_etag(mtime_ns: int, size: int, suffix: str = "") -> str:
    """The ETag of a file's bytes as of ``mtime_ns`` and ``size`` (static and media alike)."""
    return f'"{mtime_ns:x}-{size:x}{suffix}"'


class InvalidHeader(ValueError):
    """An ``add_headers_function`` set a header no HTTP server can send."""


#: RFC 9110 §5.1 field names are tokens; values are visible latin-1 plus space and tab.
_TOKEN: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_FIELD_VALUE: Final = re.compile(r"[\t\x20-\x7e\x80-\xff]*")


def _checked_header(name: str, value: str, path: str) -> tuple[str, str]:
    """Refuse, naming the file and header, what would break a response on some server.

    A CR or LF would split the header (response splitting); a character outside latin-1
    cannot be encoded by ASGI servers at all. Caught when the entry is built, which for
    ``add_headers_function`` is start-up.
    """
    if not _TOKEN.fullmatch(name):
        raise InvalidHeader(f"add_headers_function set an invalid header name {name!r} for {path}")
    if not _FIELD_VALUE.fullmatch(value):
        raise InvalidHeader(
            f"add_headers_function set header {name!r} of {path} to {value!r}: a value must "
            "be latin-1 text without control characters (CR, LF, NUL)"
        )
    return name, value.strip(" \t")


def _coding_of(sibling: str) -> str:
    for coding, suffix in SUFFIXES.items():
        if sibling.endswith(suffix):
            return coding
    return ""
