"""``PinkNoiseMiddleware``: serve ``STATIC_ROOT`` (and more) from inside Django.

One middleware class that Django can run in either mode. Under WSGI it answers with
a response Django hands to the server's ``wsgi.file_wrapper`` (sendfile); under ASGI
it answers without a thread hop when the body is in memory, and otherwise streams the
file with an *async* iterator whose reads run in a worker thread, bounded in size, so
Django never buffers a whole file nor warns about a synchronous iterator.

The decision (status and headers) is the core's, exactly as for the WSGI and ASGI
adapters; this module only translates it into a Django response.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any, BinaryIO, cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase, ResponseHeaders

from pinknoise.aio import CHUNK_SIZE, Stream, answer
from pinknoise.core.options import pure
from pinknoise.core.request import Request
from pinknoise.core.response import REASONS, Response
from pinknoise.core.server import Body, Found, StaticServer
from pinknoise.django.settings import Config, read_config
from pinknoise.sync import BLOCK_SIZE, FileSlice, headers_from_environ, request_from_environ

log = logging.getLogger("pinknoise")

GetResponse = Callable[[HttpRequest], Any]


class PinkNoiseMiddleware:
    """Serve static files before the rest of the middleware stack runs.

    Place it right after ``django.middleware.security.SecurityMiddleware``. Paths that
    are not static files go on to the next middleware untouched.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
        self.config = config = read_config()
        self.server, self.roots = build_server(config)
        if not self.roots:
            why = config.static.reason or "STATIC_ROOT is not set"
            raise MiddlewareNotUsed(
                f"pinknoise: nothing to serve ({why}; no PINKNOISE_ROOT; finders off)"
            )

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        path = request.path_info
        server = self.server
        entry: Found | None = server.find(path)
        if entry is None:
            # A script name set by the server (gunicorn's SCRIPT_NAME) is unknown when the
            # settings are read, so an absolute STATIC_URL that includes it is the full
            # path: that is tried too, on a miss only, then media.
            paths = (path,) if request.path == path else (path, request.path)
            entry, path = server.on_miss(paths, lambda: headers_from_environ(request.META))
            if entry is None:
                return self.get_response(request)
        try:
            response, body = self.server.respond(path, entry, core_request(request))
        except LookupError:
            return self.get_response(request)
        return to_django_response(response, body, asynchronous=isinstance(request, ASGIRequest))

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        def make_request() -> Request:
            return core_request(request)

        def make_headers() -> dict[str, str]:
            return headers_from_environ(request.META)

        answered = await answer(
            self.server, request.path_info, make_request, make_headers=make_headers
        )
        if answered is None and request.path != request.path_info:
            answered = await answer(self.server, request.path, make_request)  # see __call__
        if answered is not None:
            return to_django_response(*answered, asynchronous=True)
        response: HttpResponseBase = await self.get_response(request)
        return response


def core_request(request: HttpRequest) -> Request:
    """The core's view of a Django request: the raw method and header values."""
    return request_from_environ(request.META)


def build_server(config: Config) -> tuple[StaticServer, list[tuple[str, str]]]:
    """A server for ``STATIC_ROOT``, ``PINKNOISE_ROOT``, (in DEBUG) the finders, and
    ``MEDIA_ROOT`` with ``PINKNOISE_SERVE_MEDIA``.

    Returns it with the ``(directory, URL prefix)`` pairs it serves.

    Later roots win a clash, so the order is: ``STATIC_ROOT``, then ``PINKNOISE_ROOT``,
    then the finders' directories in reverse, which makes the first finder's file win,
    as ``findstatic`` would, and makes an app's source file win over a stale collected
    copy during development.
    """
    options = config.options
    if not config.explicit_immutable_test:
        manifest_test = manifest_immutable_test(config.static.prefix)
        if manifest_test is not None:
            options = replace(options, immutable_file_test=manifest_test)
    roots: list[tuple[str, str]] = []  # (directory, URL prefix), oldest first
    prefix = config.static.prefix
    if prefix is None:
        log.info("pinknoise: %s", config.static.reason)
    elif config.static_root:
        roots.append((config.static_root, prefix))
    if config.root:
        roots.append((config.root, "/"))
    if config.use_finders and prefix is not None:
        roots.extend(reversed(finder_roots(prefix)))
    server = StaticServer(options)
    for directory, url_prefix in roots:
        server.add_files(directory, url_prefix)
    media = config.media
    if media is not None:
        if media.root is None or media.prefix is None:
            log.warning("pinknoise: PINKNOISE_SERVE_MEDIA is on, but %s", media.reason)
        else:
            server.add_media(media.root, media.prefix, **media.options)
            roots.append((media.root, media.prefix))
    return server, roots


def finder_roots(static_prefix: str) -> list[tuple[str, str]]:
    """``(directory, URL prefix)`` of every local storage the staticfiles finders search.

    In the finders' priority order. A finder that exposes no local directories (a
    custom finder over a remote storage) is skipped with a warning.
    """
    roots: list[tuple[str, str]] = []
    for finder in finders.get_finders():
        storages = getattr(finder, "storages", None)
        if not isinstance(storages, dict):
            log.warning("pinknoise: cannot serve from finder %r: it has no storages", finder)
            continue
        for storage in storages.values():
            location = getattr(storage, "location", None)
            if not location:
                continue
            sub = (getattr(storage, "prefix", None) or "").strip("/")
            roots.append((str(location), f"{static_prefix}{sub}/" if sub else static_prefix))
    return roots


def manifest_immutable_test(static_prefix: str | None) -> Callable[[str, str], bool] | None:
    """An ``immutable_file_test`` that trusts the manifest, not the file name's shape.

    A URL is immutable when its name under the static prefix is a *hashed* name in
    ``staticfiles.json``. None when the storage keeps no manifest.
    """
    if static_prefix is None:
        return None
    try:
        is_manifest = isinstance(staticfiles_storage, ManifestFilesMixin)
    except Exception:  # a storage that cannot even be built: not ours to report here
        log.debug("pinknoise: could not inspect the staticfiles storage", exc_info=True)
        return None
    if not is_manifest:
        return None
    hashed_files: dict[str, str] = getattr(staticfiles_storage, "hashed_files", {}) or {}
    hashed = frozenset(name for original, name in hashed_files.items() if name != original)
    start = len(static_prefix)

    def in_manifest(path: str, url: str) -> bool:
        return url.startswith(static_prefix) and url[start:] in hashed

    return pure(in_manifest)  # entries stay lazily prepared


def to_django_response(
    response: Response, body: Body | Stream | None, *, asynchronous: bool
) -> HttpResponseBase:
    """The Django response for a core decision: same status, reason and header order.

    Headers replace Django's defaults wholesale, so Django adds no Content-Type of its
    own (a 304 has none) and no Content-Disposition. Django's header store keeps one
    value per name: a name repeated by an ``add_headers_function`` is joined with
    ", ", which RFC 9110 (§5.3) makes equivalent for list-valued fields.
    """
    status = response.status
    reason = REASONS.get(status)
    django_response: HttpResponseBase
    if body is None:
        django_response = HttpResponse(status=status, reason=reason)
    elif isinstance(body, bytes):
        django_response = HttpResponse(body, status=status, reason=reason)
    elif isinstance(body, Stream):
        django_response = StreamingHttpResponse(body, status=status, reason=reason)
    else:
        file = cast(BinaryIO, body)  # respond() was not asked for a path to send
        if asynchronous:  # a sync middleware under Django's ASGI handler: in a thread
            first = file.read(min(CHUNK_SIZE, response.length))
            django_response = StreamingHttpResponse(
                Stream(file, first, response.length), status=status, reason=reason
            )
        elif response.is_whole_file:
            django_response = _WholeFileResponse(file, status=status, reason=reason)
        else:
            django_response = StreamingHttpResponse(
                FileSlice(file, response.length), status=status, reason=reason
            )
    django_response.headers = ResponseHeaders(_merge(response.headers))
    return django_response


def _merge(headers: tuple[tuple[str, str], ...]) -> dict[str, str]:
    merged: dict[str, str] = {}
    spelling: dict[str, str] = {}  # lower-case name -> the core's spelling, first seen
    for name, value in headers:
        first = spelling.setdefault(name.lower(), name)
        merged[first] = f"{merged[first]}, {value}" if first in merged else value
    return merged


class _WholeFileResponse(FileResponse):
    """A FileResponse that sets no headers: Django hands it to ``wsgi.file_wrapper``."""

    block_size = BLOCK_SIZE

    def set_headers(self, filelike: Any) -> None:
        """The core's headers are applied afterwards; Django's guesses are not wanted."""


__all__ = ["PinkNoiseMiddleware", "to_django_response"]
