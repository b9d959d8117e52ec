"""The ASGI application ``pinknoise serve`` runs: static files, SPA fallback, plain 404."""

from __future__ import annotations

import json
import os
from typing import Any, Final

from pinknoise.asgi import PinkNoiseASGI, Receive, Scope, Send
from pinknoise.core.media_types import MediaTypes

#: The serve command passes its settings to each server worker through this variable.
CONFIG_ENV: Final = "PINKNOISE_SERVE_CONFIG"

_NOT_FOUND_BODY: Final = b"404 Not Found\n"


def create_app() -> PinkNoiseASGI:
    """Factory the server's workers call: settings come from :data:`CONFIG_ENV`."""
    config: dict[str, Any] = json.loads(os.environ[CONFIG_ENV])
    return build_app(
        config["directory"],
        prefix=config.get("prefix", "/"),
        max_age=config.get("max_age", 60),
        spa=config.get("spa", False),
    )


def build_app(
    directory: str, prefix: str = "/", max_age: int | None = 60, spa: bool = False
) -> PinkNoiseASGI:
    """Serve ``directory`` at ``prefix``; with ``spa``, unknown routes get the index page."""
    static = PinkNoiseASGI(None, directory, prefix=prefix, index_file=True, max_age=max_age)
    static.application = SinglePageFallback(static) if spa else not_found
    return static


async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
    """A plain 404 for HTTP; lifespan is acknowledged; other scopes are refused."""
    if scope["type"] == "lifespan":
        while (event := await receive())["type"] != "lifespan.shutdown":
            if event["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] != "http":
        await send({"type": "websocket.close", "code": 1000})
        return
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(_NOT_FOUND_BODY)).encode()),
        (b"cache-control", b"no-cache"),
    ]
    await send({"type": "http.response.start", "status": 404, "headers": headers})
    body = b"" if scope.get("method") == "HEAD" else _NOT_FOUND_BODY
    await send({"type": "http.response.body", "body": body})


class SinglePageFallback:
    """Answer client-side routes (``/users/42``) with the root ``index.html``.

    Only for GET and HEAD, only under the prefix, and only when:

    - the last segment does not end in the extension of a known media type (pinknoise's
      web table or Python's built-in one): a missing ``/app.3f2a.js`` or ``/logo.png``
      must stay a 404, or a browser would run or decode an HTML page, while
      ``/users/john.doe`` and ``/releases/v1.2`` are routes;
    - the request's ``Accept`` does not exclude HTML (no header, or ``text/html``,
      ``text/*`` or ``*/*`` with a non-zero q): a ``fetch`` asking for
      ``application/json`` gets a 404 it can handle, not a page it cannot parse.
    """

    def __init__(self, static: PinkNoiseASGI) -> None:
        self.static = static
        self.prefix = static.server.prefixes[-1] if static.server.prefixes else "/"
        self.media_types = MediaTypes()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path: str = scope["path"]
            last = path.rsplit("/", 1)[-1]
            if (
                path.startswith(self.prefix)
                and not self.media_types.knows(last)
                and _accepts_html(scope)
            ):
                index_scope = dict(scope, path=self.prefix, root_path="", query_string=b"")
                if self.static.server.has(self.prefix):
                    return await self.static(index_scope, receive, send)
        await not_found(scope, receive, send)


def _accepts_html(scope: Scope) -> bool:
    """Does the request's Accept allow text/html (RFC 9110 section 12.5.1)?"""
    values = [value for name, value in scope.get("headers", ()) if name.lower() == b"accept"]
    if not values:
        return True
    accepted: dict[str, bool] = {}
    for item in b",".join(values).decode("latin-1").split(","):
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
