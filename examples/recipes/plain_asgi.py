"""A plain ASGI app with pinknoise, no framework.

    pinknoise compress ../site           # optional: .br/.zst/.gz siblings
    granian --interface asgi plain_asgi:application   # from this directory (or uvicorn)

STATIC_ROOT (default: ../site) is the directory served at /static/.
"""

import os
from pathlib import Path
from typing import Any

from pinknoise import PinkNoiseASGI

STATIC_ROOT = os.environ.get("STATIC_ROOT", Path(__file__).resolve().parent.parent / "site")


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    body = f"hello from asgi at {scope['path']}".encode()
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


application = PinkNoiseASGI(app, root=STATIC_ROOT, prefix="/static/")
