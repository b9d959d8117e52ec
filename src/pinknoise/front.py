"""What every front end (WSGI, ASGI, RSGI) is built from: the wrapped app and a server.

Adapters differ only in how they translate a request and send a response; the
arguments they take, how roots are added and what ``has`` answers are the same, here.
"""

from __future__ import annotations

import os
from typing import Any, Generic, TypeVar

from pinknoise.core.options import make_options
from pinknoise.core.server import StaticServer

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
