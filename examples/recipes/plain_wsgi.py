"""A plain WSGI app with pinknoise, no framework.

    pinknoise compress ../site           # optional: .br/.zst/.gz siblings
    gunicorn plain_wsgi:application      # from this directory

STATIC_ROOT (default: ../site) is the directory served at /static/.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from pinknoise import PinkNoise

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

STATIC_ROOT = os.environ.get("STATIC_ROOT", Path(__file__).resolve().parent.parent / "site")


def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    body = f"hello from wsgi at {environ['PATH_INFO']}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


application = PinkNoise(app, root=STATIC_ROOT, prefix="/static/")
