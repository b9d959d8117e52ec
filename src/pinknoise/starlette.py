"""Starlette and FastAPI: static files by pinknoise, the app's ``url_for`` and 404 pages kept.

Templates build static URLs with ``url_for('static', path=...)``, which needs a route
named ``static``, and an app's 404 page comes from its exception handlers, which only a
raised ``HTTPException`` reaches. Both forms below keep the two; the hit path is
:class:`~pinknoise.PinkNoiseASGI`'s either way.

Mounted, where ``StaticFiles`` was::

    app.mount("/static", PinkStatic(directory="static"), name="static")

Wrapped, so static hits never enter Starlette's middleware and routing (run
``application``)::

    application = serve_static(app, directory="static")

With a build (``pinknoise build static build``), serve the build's folder in either
form and give the templates the manifest: ``url_for('static', path=...)`` then builds
the hashed URL::

    assets = Assets(HERE / "build")
    use_assets(templates, assets)           # templates = Jinja2Templates(...)
    app.mount("/static", PinkStatic(directory=assets.root), name="static")
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Mount

from pinknoise.asgi import PinkNoiseASGI, Receive, Scope, Send
from pinknoise.assets.helpers import Assets, install

if TYPE_CHECKING:
    from starlette.templating import Jinja2Templates

__all__ = ["PinkStatic", "serve_static", "use_assets"]

#: Set in the scope by Starlette's ExceptionMiddleware, the one that turns a raised
#: HTTPException into the app's own response (exception handlers, 404 pages).
_HANDLERS_KEY: Final = "starlette.exception_handlers"
_NOT_FOUND: Final = (
    {
        "type": "http.response.start",
        "status": 404,
        "headers": [(b"content-type", b"text/plain"), (b"content-length", b"9")],
    },
    {"type": "http.response.body", "body": b"Not Found"},
)


class PinkStatic(PinkNoiseASGI):
    """A mountable static app, like Starlette's ``StaticFiles``, served by pinknoise.

    ``Mount("/static", app=PinkStatic(directory="static"), name="static")``. A path that
    is not a static file (missing, or refused: dotfiles, symlinks leading out of the
    directory) raises ``HTTPException(404)`` inside a Starlette or FastAPI app, so the
    app's exception handlers answer it; anywhere else it answers a plain 404.
    ``options`` are pinknoise's (``max_age=...``, ``index_file=True``, ...). The mount
    point comes from the ASGI ``root_path``, so there is no ``prefix``.
    """

    def __init__(self, *, directory: str | os.PathLike[str], **options: Any) -> None:
        super().__init__(None, root=directory, **options)

    async def _pass(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            await not_found(scope, receive, send)
        else:
            await super()._pass(scope, receive, send)


async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI app a static miss reaches: the app's own 404 inside Starlette.

    Raises ``HTTPException(404)`` when Starlette's exception middleware is there to
    handle it (as ``StaticFiles`` does); otherwise answers a plain-text 404 itself, and
    closes a websocket, rather than raise where nothing would catch it.
    """
    if scope["type"] == "http":
        if _HANDLERS_KEY in scope:
            raise HTTPException(status_code=404)
        for message in _NOT_FOUND:
            await send(dict(message))
    elif scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1000, "reason": ""})


def serve_static(
    app: Starlette,
    *,
    directory: str | os.PathLike[str],
    path: str = "/static",
    name: str = "static",
    **options: Any,
) -> PinkNoiseASGI:
    """Wrap ``app`` in pinknoise serving ``directory`` at ``path``; run what it returns.

    Also gives ``app`` a route named ``name`` at ``path``, first in its routes (where
    ``app.mount("/static", StaticFiles(...), name="static")`` usually is), so that
    ``url_for(name, path=...)`` builds static URLs. That route never serves a file: it
    only sees what pinknoise passed on (missing or refused) and raises
    ``HTTPException(404)``, so the app's 404 handlers answer. ``options`` are
    pinknoise's. Works for FastAPI apps too (a FastAPI is a Starlette).
    """
    mount_path = path.rstrip("/")
    if not mount_path.startswith("/"):
        raise ValueError(f"path must be a URL path below '/', like '/static'; got {path!r}")
    routes: list[BaseRoute] = app.router.routes
    for route in routes:
        if getattr(route, "name", None) == name:
            raise ValueError(
                f"the app already has a route named {name!r} (a StaticFiles mount?): remove "
                "it, pinknoise serves those files now and must be the only one that does"
            )
    routes.insert(0, Mount(mount_path, app=not_found, name=name))
    return PinkNoiseASGI(app, root=directory, prefix=mount_path + "/", **options)


def use_assets(templates: Jinja2Templates, assets: Assets, *, name: str = "static") -> None:
    """The templates of ``templates`` (Starlette's or FastAPI's) link to the build's files.

    Adds ``asset_url``, ``asset_integrity`` and ``asset_tag``, and replaces the
    ``url_for`` global with one that, for the route ``name`` (the static mount), maps
    ``path`` to its hashed name first: ``url_for('static', path='/css/app.css')`` gives
    ``.../static/css/app.3f2a9c1b7d4e.css``. Other routes are built as before, by
    ``request.url_for``, which is all Starlette's own global does. A path the build
    does not have raises :class:`~pinknoise.assets.AssetNotFoundError`.
    """
    from jinja2 import pass_context

    @pass_context
    def url_for(context: Mapping[str, Any], route: str, /, **path_params: Any) -> Any:
        if route == name and isinstance(path_params.get("path"), str):
            path_params["path"] = assets.path(path_params["path"].lstrip("/"))
        return context["request"].url_for(route, **path_params)

    environment = templates.env
    install(environment, assets)
    environment.globals["url_for"] = url_for
