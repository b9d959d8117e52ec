"""Starlette, static files mounted where ``StaticFiles`` would be.

    pinknoise compress starlette_site/static     # optional: .br/.zst/.gz siblings
    uvicorn starlette_site.mounted:app           # from examples/recipes/

Templates and static/ are found next to this file, not in the working directory.
"""

from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.templating import Jinja2Templates

from pinknoise.starlette import PinkStatic

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")


async def home(request: Request) -> Response:
    return templates.TemplateResponse(request, "home.html")


async def not_found(request: Request, exc: Exception) -> Response:
    return templates.TemplateResponse(request, "404.html", status_code=404)


app = Starlette(
    routes=[
        Route("/", home, name="home"),
        # name="static" is what url_for('static', path=...) looks up; a miss under the
        # mount raises HTTPException(404), so not_found below renders it.
        Mount("/static", app=PinkStatic(directory=HERE / "static"), name="static"),
    ],
    exception_handlers={404: not_found},
)
