"""Starlette with pinknoise mounted under a path, like ``StaticFiles`` would be.

    pinknoise compress ../site           # optional: .br/.zst/.gz siblings
    uvicorn starlette_mount:app          # from this directory

STATIC_ROOT (default: ../site) is the directory served at /static/. The same
``Mount`` works in FastAPI: ``app.mount("/static", PinkNoiseASGI(None, root=...))``.
"""

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from pinknoise import PinkNoiseASGI

STATIC_ROOT = os.environ.get("STATIC_ROOT", Path(__file__).resolve().parent.parent / "site")


async def home(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hello from starlette")


app = Starlette(
    routes=[
        Route("/", home),
        # No wrapped app (None): a path under /static/ that is not a file answers 404.
        Mount("/static", app=PinkNoiseASGI(None, root=STATIC_ROOT)),
    ]
)
