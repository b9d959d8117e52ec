"""FastAPI wrapped whole: the build is served before FastAPI sees the request."""

import os

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from assets_site import HERE, load_assets
from pinknoise.starlette import serve_static, use_assets

assets = load_assets(os.environ.get("DEBUG") == "1")
templates = Jinja2Templates(directory=HERE / "templates" / "starlette")
# asset_url / asset_integrity / asset_tag, and url_for('static', path=...) -> hashed.
use_assets(templates, assets)
app = FastAPI()


@app.get("/", response_class=HTMLResponse)
async def page(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "page.html", {"framework": "FastAPI"})


# Run this object: static hits never enter FastAPI.
application = serve_static(app, directory=assets.root)
