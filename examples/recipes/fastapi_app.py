"""FastAPI with pinknoise: wrap the whole app with ``PinkNoiseASGI``.

    pinknoise compress ../site           # optional: .br/.zst/.gz siblings
    uvicorn fastapi_app:application      # from this directory

STATIC_ROOT (default: ../site) is the directory served at /static/.
"""

import os
from pathlib import Path

from fastapi import FastAPI

from pinknoise import PinkNoiseASGI

STATIC_ROOT = os.environ.get("STATIC_ROOT", Path(__file__).resolve().parent.parent / "site")

app = FastAPI()


@app.get("/")
async def home() -> dict[str, str]:
    return {"hello": "fastapi"}


@app.get("/items/{item_id}")
async def item(item_id: int) -> dict[str, int]:
    return {"item_id": item_id}


# Serve this object: static paths are answered here, everything else reaches FastAPI.
application = PinkNoiseASGI(app, root=STATIC_ROOT, prefix="/static/")
