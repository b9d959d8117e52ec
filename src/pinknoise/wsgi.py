"""The WSGI adapter: translate environ into a core Request and a core Response back."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from pinknoise.core.media import MediaLookup
from pinknoise.core.response import REASONS
from pinknoise.core.server import FilePath, Found
from pinknoise.front import StaticFront
from pinknoise.sync import BLOCK_SIZE, FileSlice, headers_from_environ, request_from_environ

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_STATUS_LINES: Final = {code: f"{code} {reason}" for code, reason in REASONS.items()}


class PinkNoise(StaticFront["WSGIApplication"]):
    """WSGI middleware serving static files in front of ``application``.

    ``PinkNoise(app, root="static", prefix="/static/", max_age=60, ...)`` takes the same
    arguments as WhiteNoise; see :func:`pinknoise.core.options.make_options` for all.
    Paths that are not static files are passed to ``application`` untouched.
    """

    application: WSGIApplication | None
    #: ``added_headers(environ)``: headers appended to every static response, for
    #: integrations that stand in for middleware (``pinknoise.django.wrap``).
    added_headers: Callable[[Mapping[str, Any]], list[tuple[str, str]]] | None = None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if not path.isascii():
            # PEP 3333 hands over the raw bytes as latin-1; file names are UTF-8.
            try:
                path = path.encode("latin-1").decode("utf-8")
            except UnicodeError:
                return self._pass(environ, start_response)
        server = self.server
        entry: Found | None = server.find(path)
        if entry is None:
            script = environ.get("SCRIPT_NAME")
            if script or server.serves_media:
                paths = (path, _mounted(script, path)) if script else (path,)
                entry, path = server.on_miss(paths, lambda: headers_from_environ(environ))
            if entry is None:
                application = self.application
                if application is not None:
                    return application(environ, start_response)
                return self._pass(environ, start_response)
        try:
            response, body = server.respond(path, entry, request_from_environ(environ))
        except LookupError:
            return self._pass(environ, start_response)
        headers = list(response.headers)
        if self.added_headers is not None:
            added = self.added_headers(environ)
            if type(entry) is MediaLookup:  # it sends nosniff itself; add only what is not set
                present = {name.lower() for name, _ in headers}
                added = [pair for pair in added if pair[0].lower() not in present]
            headers += added
        start_response(_STATUS_LINES[response.status], headers)
        if body is None:
            return ()
        if type(body) is bytes:
            return (body,)
        assert not isinstance(body, bytes | FilePath)
        if response.is_whole_file:
            file_wrapper = environ.get("wsgi.file_wrapper")
            if file_wrapper is not None:
                wrapped: Iterable[bytes] = file_wrapper(body, BLOCK_SIZE)
                return wrapped
        return FileSlice(body, response.length)

    def _pass(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self.application is None:
            start_response(
                "404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")]
            )
            return (b"Not Found",)
        return self.application(environ, start_response)


def _mounted(script_name: str, path: str) -> str:
    """The full path under a mount (``SCRIPT_NAME`` + ``PATH_INFO``), decoded as UTF-8."""
    if not script_name.isascii():
        try:
            script_name = script_name.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return path
    return script_name.rstrip("/") + path
