"""User-uploaded media: looked up per request, and served so it cannot act in the origin.

Static roots are scanned once into a catalog; a media root is never scanned or cached,
because its files change while the server runs (an upload, a deletion, a replacement
under the same name). Each request walks the path with the walker's rules
(:func:`pinknoise.core.walker.lookup`), opens the file with
:func:`pinknoise.core.walker.open_contained` and builds the response from that
descriptor's ``fstat``: the headers and the bytes come from the same file, proved
inside the root. The decision itself (conditionals, ranges, HEAD, 405) is the core's
:func:`pinknoise.core.decision.decide`, the one every static file goes through.

Uploads are hostile content served from the site's own origin, so the headers are
chosen for that: ``X-Content-Type-Options: nosniff`` on every response; types a
browser would run as a document in the origin (HTML, XHTML, any XML including SVG,
JavaScript, XSLT, PDF) go out as ``Content-Disposition: attachment`` with
``Content-Security-Policy: sandbox``, unless the site allow-lists the type inline
(then still sandboxed); a ``Cache-Control`` that never says immutable.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from pinknoise.core import decision
from pinknoise.core.files import IDENTITY, Representation, StaticFile, strong_etag
from pinknoise.core.http_dates import format_http_date
from pinknoise.core.media_types import MediaTypes
from pinknoise.core.options import reject_unknown, validate_max_age
from pinknoise.core.paths import normalize_prefix, relative_file_path
from pinknoise.core.response import Headers, Response
from pinknoise.core.walker import Policy, lookup, open_contained

log = logging.getLogger("pinknoise")

#: ``authorize(path, query, headers) -> bool``: may this request read this file?
#: ``path`` is the decoded URL path, ``query`` the raw query string (where signed URLs
#: carry their signature), ``headers`` the request's headers, names in lower case.
Authorize = Callable[[str, str, Mapping[str, str]], bool]

DEFAULT_MEDIA_MAX_AGE: Final = 0
NOSNIFF: Final = ("X-Content-Type-Options", "nosniff")

#: Media types a browser renders as a document that can run script in the page's
#: origin, besides every XML type (``*/xml``, ``*+xml``: SVG, XHTML, RSS, MathML...).
#: PDF is here too: a site opts in to showing PDFs inline with ``inline_types``.
_ACTIVE: Final = frozenset(
    {
        "text/html",
        "text/javascript",
        "application/javascript",
        "application/x-javascript",
        "application/ecmascript",
        "text/ecmascript",
        "text/xsl",
        "application/pdf",
    }
)

#: decide()'s 405, with the header every media response carries.
NOT_ALLOWED: Final = Response(405, (*decision.NOT_ALLOWED.headers, NOSNIFF))

#: The answer when ``authorize`` says no: a 404, the same whether the file exists or
#: not (the hook runs before the disk is touched), and never cached by anyone.
DENIED: Final = Response(
    404,
    (
        ("Content-Length", "0"),
        ("Cache-Control", "no-store"),
        NOSNIFF,
    ),
)


def is_active(media_type: str) -> bool:
    """Whether a browser opening this type would run it as a document (HTML, SVG...)."""
    base = media_type.partition(";")[0].strip().lower()
    return base in _ACTIVE or base.endswith(("/xml", "+xml"))


@dataclass(frozen=True, slots=True)
class MediaOptions:
    """How one media root is served. Build it with :func:`make_media_options`."""

    #: ``Cache-Control: max-age`` in seconds; None sends no Cache-Control. Never
    #: ``immutable``: an upload can be replaced under the same name.
    max_age: int | None = DEFAULT_MEDIA_MAX_AGE
    #: Active media types (lower case, no parameters) served inline anyway.
    inline_types: frozenset[str] = frozenset()
    #: The private-media hook; with it, responses are ``Cache-Control: private``.
    authorize: Authorize | None = None


_MEDIA_FIELDS: Final = frozenset(MediaOptions.__dataclass_fields__)


def make_media_options(**options: Any) -> MediaOptions:
    """Validate ``add_media`` keyword options, with clear errors for bad values."""
    reject_unknown(options, _MEDIA_FIELDS, "media ")
    values: dict[str, Any] = {}
    if "max_age" in options:
        values["max_age"] = validate_max_age(options["max_age"], "media max_age")
    if "inline_types" in options:
        values["inline_types"] = _inline_types(options["inline_types"])
    if "authorize" in options:
        authorize = options["authorize"]
        if authorize is not None and not callable(authorize):
            raise TypeError(f"authorize must be callable or None, got {authorize!r}")
        values["authorize"] = authorize
    return MediaOptions(**values)


def _inline_types(value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError(
            f"inline_types must be a list of media types like ['image/svg+xml'], got {value!r}"
        )
    types = set()
    for item in value:
        if not isinstance(item, str) or "/" not in item:
            raise ValueError(f"inline_types: {item!r} is not a media type like 'application/pdf'")
        types.add(item.partition(";")[0].strip().lower())
    return frozenset(types)


class MediaRoot:
    """One media directory at a URL prefix: its walker policy and its header rules."""

    def __init__(
        self, root: str, prefix: str | None, options: MediaOptions, media_types: MediaTypes
    ) -> None:
        real_root = os.path.realpath(root)
        # A missing directory is not an error: the first upload often creates it.
        if os.path.exists(real_root) and not os.path.isdir(real_root):
            raise ValueError(f"media root is not a directory: {root}")
        self.policy = Policy(real_root)
        self.prefix = normalize_prefix(prefix)
        self.options = options
        self._media_types = media_types
        cache_control = None if options.max_age is None else f"max-age={options.max_age}"
        if cache_control is not None and options.authorize is not None:
            cache_control = f"private, {cache_control}"
        self._cache_control = cache_control

    def find(self, path: str) -> MediaLookup | None:
        """A marker for ``path`` if it is under this root's prefix; no disk touched."""
        relative = relative_file_path(path, self.prefix)
        if not relative or relative.endswith("/"):
            return None  # the prefix itself or a directory: never listed
        return MediaLookup(self, relative)

    def open(self, relative: str, url: str) -> tuple[StaticFile, int] | None:
        """The entry for the file ``relative`` names and its open descriptor, or None.

        One ``lstat`` per segment (the walker's rules: no dotfile, no symlink out, no
        loop), then an open proved on the descriptor; the entry is built from that
        descriptor's ``fstat``, so headers and bytes describe the same file.
        """
        found = lookup(self.policy, relative)
        if found is None or not stat.S_ISREG(found[1].st_mode):
            return None  # missing, a directory, a FIFO, a device...
        opened = open_contained(self.policy, found[0])
        if opened is None:
            return None
        fd, st = opened
        return self._entry(found[0], url, st), fd

    def _entry(self, path: str, url: str, st: os.stat_result) -> StaticFile:
        name = url[url.rfind("/") + 1 :]
        size, mtime_ns = st.st_size, st.st_mtime_ns
        last_modified = mtime_ns // 1_000_000_000
        last_modified_header = format_http_date(last_modified)
        etag = strong_etag(mtime_ns, size)
        headers = self.headers(name, size, last_modified_header, etag)
        identity = Representation(self.policy, path, IDENTITY, size, mtime_ns, etag, headers)
        return StaticFile(identity, {}, (), last_modified, last_modified_header, {})

    def headers(self, name: str, size: int, last_modified: str, etag: str) -> Headers:
        """The 200 headers of the file ``name``: its type, caching, and the safety set."""
        content_type = self._media_types.content_type(name)
        headers = [
            ("Content-Type", content_type),
            ("Content-Length", str(size)),
            ("Last-Modified", last_modified),
        ]
        if self._cache_control is not None:
            headers.append(("Cache-Control", self._cache_control))
        headers.append(("Accept-Ranges", "bytes"))
        headers.append(NOSNIFF)
        if is_active(content_type):
            base = content_type.partition(";")[0].strip().lower()
            if base not in self.options.inline_types:
                headers.append(("Content-Disposition", content_disposition(name)))
            headers.append(("Content-Security-Policy", "sandbox"))
        headers.append(("ETag", etag))
        return tuple(headers)

    def authorized(self, path: str, query: str, headers: Callable[[], Mapping[str, str]]) -> bool:
        """What the site's ``authorize`` hook says; True without one.

        Only ``True`` allows. A hook that raises refuses too (fail closed), with the
        error logged: a bug in it must neither expose a file nor become a 500.
        """
        authorize = self.options.authorize
        if authorize is None:
            return True
        try:
            return authorize(path, query, headers()) is True
        except Exception as error:
            log.error(
                "pinknoise: refusing %s: the media authorize hook raised %s: %s",
                path,
                type(error).__name__,
                error,
            )
            return False


class MediaLookup:
    """A request path under a media prefix, not yet looked up on disk.

    What ``StaticServer.find_media`` returns: cheap to make, so an event loop can hand
    it to a worker thread, where ``StaticServer.respond`` walks and opens the file.
    ``headers`` is how the adapter gives the request's headers to ``authorize`` (only
    called when the root has that hook).
    """

    __slots__ = ("headers", "relative", "root")

    def __init__(self, root: MediaRoot, relative: str) -> None:
        self.root = root
        self.relative = relative
        self.headers: Callable[[], Mapping[str, str]] = _no_headers

    def __repr__(self) -> str:
        return f"<MediaLookup {self.root.prefix}{self.relative}>"


def _no_headers() -> Mapping[str, str]:
    return {}


def join_headers(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Header pairs as ``authorize`` gets them: lower-case names, one value per name.

    A repeated field is joined with ", " (RFC 9110 section 5.3), cookies with "; " (the
    separator of a Cookie header split across HTTP/2 frames, RFC 9113 section 8.2.3).
    """
    joined: dict[str, str] = {}
    for name, value in pairs:
        name = name.lower()
        previous = joined.get(name)
        if previous is None:
            joined[name] = value
        else:
            joined[name] = f"{previous}{'; ' if name == 'cookie' else ', '}{value}"
    return joined


#: Kept out of the ASCII fallback name: the quoted-string's own specials, "%" (some
#: browsers percent-decode ``filename``), and separators naive parsers split on.
_NOT_IN_FALLBACK: Final = frozenset('"\\%;,')


def content_disposition(name: str) -> str:
    """``attachment`` with the file's name, readable by every browser (RFC 6266).

    ``filename`` is an ASCII fallback (non-ASCII, and characters some parsers misread
    even quoted, replaced) and
    ``filename*`` the exact UTF-8 name, percent-encoded (RFC 8187); the header value
    stays ASCII, which every server can send.
    """
    fallback = "".join(c if " " <= c < "\x7f" and c not in _NOT_IN_FALLBACK else "_" for c in name)
    value = f'attachment; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value
