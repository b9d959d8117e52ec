"""Starlette: the build mounted where StaticFiles was; templates told about it."""

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.templating import Jinja2Templates

from assets_site import HERE, load_assets
from pinknoise.starlette import PinkStatic, use_assets

assets = load_assets(os.environ.get("DEBUG") == "1")
templates = Jinja2Templates(directory=HERE / "templates" / "starlette")
# asset_url / asset_integrity / asset_tag, and url_for('static', path=...) -> hashed.
use_assets(templates, assets)


async def page(request: Request) -> Response:
    return templates.TemplateResponse(request, "page.html", {"framework": "Starlette"})


app = Starlette(
    routes=[
        Route("/", page),
        Mount("/static", app=PinkStatic(directory=assets.root), name="static"),
    ]
)
