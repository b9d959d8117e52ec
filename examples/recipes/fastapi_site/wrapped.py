"""FastAPI wrapped whole: static files answered before FastAPI sees the request.

    pinknoise compress fastapi_site/static       # optional: .br/.zst/.gz siblings
    uvicorn fastapi_site.wrapped:application     # from examples/recipes/

Templates and static/ are found next to this file, not in the working directory.
"""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from pinknoise.starlette import serve_static

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
app = FastAPI()


@app.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "home.html")


@app.get("/items/{item_id}")
async def item(item_id: int) -> dict[str, int]:
    return {"item_id": item_id}


@app.exception_handler(404)
async def not_found(request: Request, exc: Exception) -> HTMLResponse:
    return templates.TemplateResponse(request, "404.html", status_code=404)


# Serve this object: static paths are answered before FastAPI sees them; app gets a
# route named "static" for url_for, which answers misses with the app's 404 page.
application = serve_static(app, directory=HERE / "static")
