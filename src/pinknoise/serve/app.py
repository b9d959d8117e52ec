"""The RSGI application ``pinknoise serve`` runs: static files, SPA fallback, plain 404.

RSGI, granian's native interface, because there the server sends bodies itself: bytes
held in memory in one call, files and ranges by path without a byte through Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from pinknoise.core.media_types import MediaTypes
from pinknoise.rsgi import PinkNoiseRSGI, RSGIHTTPProtocol, RSGIScope

_NOT_FOUND_BODY: Final = b"404 Not Found\n"
_NOT_FOUND_HEADERS: Final = (
    ("content-type", "text/plain; charset=utf-8"),
    ("content-length", str(len(_NOT_FOUND_BODY))),
    ("cache-control", "no-cache"),
)


def build_app(
    directory: str,
    prefix: str = "/",
    max_age: int | None = 60,
    spa: bool = False,
    media: Sequence[tuple[str, str]] = (),
) -> PinkNoiseRSGI:
    """Serve ``directory`` at ``prefix``; with ``spa``, unknown routes get the index page.

    ``media`` lists ``(directory, URL prefix)`` of upload directories, looked up per
    request (``add_media``). The serve command hands this function and its arguments
    to each granian worker.
    """
    static = PinkNoiseRSGI(None, directory, prefix=prefix, index_file=True, max_age=max_age)
    for media_directory, media_prefix in media:
        static.add_media(media_directory, media_prefix)
    static.application = SinglePageFallback(static) if spa else not_found
    return static


async def not_found(scope: RSGIScope, protocol: Any) -> None:
    """A plain 404 for HTTP; a websocket is refused."""
    if scope.proto != "http":
        protocol.close(1000)
        return
    if scope.method == "HEAD":
        protocol.response_empty(404, _NOT_FOUND_HEADERS)
    else:
        protocol.response_bytes(404, _NOT_FOUND_HEADERS, _NOT_FOUND_BODY)


class _IndexScope:
    """A request's scope with the path of the root index page and no query."""

    __slots__ = ("_scope", "path")

    query_string = ""

    def __init__(self, scope: RSGIScope, path: str) -> None:
        self._scope = scope
        self.path = path

    def __getattr__(self, name: str) -> Any:
        return getattr(self._scope, name)


class SinglePageFallback:
    """Answer client-side routes (``/users/42``) with the root ``index.html``.

    Only for GET and HEAD, only under the prefix and not under a media prefix (a
    missing upload is a 404), and only when:

    - the last segment does not end in the extension of a known media type (pinknoise's
      web table or Python's built-in one): a missing ``/app.3f2a.js`` or ``/logo.png``
      must stay a 404, or a browser would run or decode an HTML page, while
      ``/users/john.doe`` and ``/releases/v1.2`` are routes;
    - the request's ``Accept`` does not exclude HTML (no header, or ``text/html``,
      ``text/*`` or ``*/*`` with a non-zero q): a ``fetch`` asking for
      ``application/json`` gets a 404 it can handle, not a page it cannot parse.
    """

    def __init__(self, static: PinkNoiseRSGI) -> None:
        self.static = static
        self.prefix = static.server.prefixes[-1] if static.server.prefixes else "/"
        self.media_types = MediaTypes()

    async def __call__(self, scope: RSGIScope, protocol: RSGIHTTPProtocol) -> None:
        if scope.proto == "http" and scope.method in ("GET", "HEAD"):
            path = scope.path
            last = path.rsplit("/", 1)[-1]
            if (
                path.startswith(self.prefix)
                and not path.startswith(tuple(self.static.server.media_prefixes))
                and not self.media_types.knows(last)
                and accepts_html(scope.headers.get_all("accept"))
                and self.static.has(self.prefix)
            ):
                return await self.static(_IndexScope(scope, self.prefix), protocol)
        await not_found(scope, protocol)


def accepts_html(values: list[str]) -> bool:
    """Do a request's Accept values allow text/html (RFC 9110 section 12.5.1)?"""
    if not values:
        return True
    accepted: dict[str, bool] = {}
    for item in ",".join(values).split(","):
        media_range, *parameters = (part.strip() for part in item.split(";"))
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        accepted.setdefault(media_range.lower(), quality > 0)
    # The most specific range that matches decides: text/html;q=0 beats */*.
    for media_range in ("text/html", "text/*", "*/*"):
        if media_range in accepted:
            return accepted[media_range]
    return False
