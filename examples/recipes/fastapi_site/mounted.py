"""FastAPI, static files mounted where ``StaticFiles`` would be.

    pinknoise compress fastapi_site/static       # optional: .br/.zst/.gz siblings
    uvicorn fastapi_site.mounted:app              # from examples/recipes/

Templates and static/ are found next to this file, not in the working directory.
"""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from pinknoise.starlette import PinkStatic

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
app = FastAPI()
# name="static" is what url_for('static', path=...) looks up; a miss under the mount
# raises HTTPException(404), so not_found below renders it.
app.mount("/static", PinkStatic(directory=HERE / "static"), name="static")


@app.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "home.html")


@app.get("/items/{item_id}")
async def item(item_id: int) -> dict[str, int]:
    return {"item_id": item_id}


@app.exception_handler(404)
async def not_found(request: Request, exc: Exception) -> HTMLResponse:
    return templates.TemplateResponse(request, "404.html", status_code=404)
