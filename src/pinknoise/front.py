"""What every front end (WSGI, ASGI, RSGI) is built from: the wrapped app and a server.

Adapters differ only in how they translate a request and send a response; the
arguments they take, how roots are added and what ``has`` answers are the same, here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from pinknoise.core.options import make_options
from pinknoise.core.server import Found, StaticServer

App = TypeVar("App")


class StaticFront(Generic[App]):
    """Static files under roots, in front of ``application`` (None: misses get a 404).

    ``StaticFront(app, root="static", prefix="/static/", max_age=60, ...)`` takes the
    same arguments as WhiteNoise; see :func:`pinknoise.core.options.make_options`.
    """

    application: App | None

    def __init__(
        self,
        application: App | None,
        root: str | os.PathLike[str] | None = None,
        prefix: str | None = None,
        **options: Any,
    ) -> None:
        self.application = application
        self.server = StaticServer(make_options(**options))
        if root is not None:
            self.add_files(root, prefix)

    def add_files(self, root: str | os.PathLike[str], prefix: str | None = None) -> None:
        """Serve the files under ``root`` at ``prefix`` (``static``, ``/static/`` alike)."""
        self.server.add_files(root, prefix)

    def add_media(
        self, root: str | os.PathLike[str], prefix: str | None = "/media/", **media_options: Any
    ) -> None:
        """Serve user uploads under ``root`` at ``prefix``, looked up on every request.

        Options: ``max_age`` (0), ``inline_types`` (active types shown inline, still
        sandboxed), ``authorize(path, query, headers) -> bool``; see docs/media.md.
        """
        self.server.add_media(root, prefix, **media_options)

    def has(self, path: str) -> bool:
        """Whether ``path`` is a static file or index redirect here (may touch the disk)."""
        return self.server.has(path)

    def on_miss(
        self, paths: tuple[str, ...], request_headers: Callable[[], Mapping[str, str]]
    ) -> tuple[Found | None, str]:
        """What a catalog miss of ``paths[0]`` may still be, and the path it was found as.

        ``paths`` is the path within the mount, then (when mounted) the full path: a
        prefix that includes the mount, like Django's absolute STATIC_URL under a
        server-set ``SCRIPT_NAME`` or ``root_path`` (unknown when the settings were
        read), names full paths. Then an upload under a media prefix, by either path;
        ``request_headers`` is what its ``authorize`` hook will be shown.
        """
        server = self.server
        for candidate in paths[1:]:
            entry = server.find(candidate)
            if entry is not None:
                return entry, candidate
        if server.serves_media:
            for candidate in paths:
                media = server.find_media(candidate)
                if media is not None:
                    media.headers = request_headers
                    return media, candidate
        return None, paths[0]
