"""Starlette wrapped whole: static files answered before Starlette sees the request.

    pinknoise compress starlette_site/static     # optional: .br/.zst/.gz siblings
    uvicorn starlette_site.wrapped:application   # from examples/recipes/

Templates and static/ are found next to this file, not in the working directory.
"""

from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from pinknoise.starlette import serve_static

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")


async def home(request: Request) -> Response:
    return templates.TemplateResponse(request, "home.html")


async def not_found(request: Request, exc: Exception) -> Response:
    return templates.TemplateResponse(request, "404.html", status_code=404)


app = Starlette(routes=[Route("/", home, name="home")], exception_handlers={404: not_found})
# Serve this object: static paths are answered before Starlette sees them; app gets a
# route named "static" for url_for, which answers misses with the app's 404 page.
application = serve_static(app, directory=HERE / "static")
