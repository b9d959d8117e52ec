"""RSGI entry point for the HTTP benchmark: ``granian --interface rsgi rsgi_app:application``.

``PINKNOISE_BENCH_TARGET`` picks ``pinknoise`` (``PinkNoiseRSGI`` over
``PINKNOISE_BENCH_ROOT``) or ``floor``: what granian can do with no work at all. The
floor answers from a table made at start-up (the headers pinknoise sends for a plain GET,
small bodies in memory, large files by their path), one dict lookup per request.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import targets

targets.ensure_src_on_path()

from pinknoise import PinkNoiseRSGI  # noqa: E402
from pinknoise.core.request import Request  # noqa: E402

#: The Accept-Encoding the benchmark's client sends (``bench_http --accept-encoding``).
ACCEPT_ENCODING = os.environ.get("PINKNOISE_BENCH_ACCEPT_ENCODING") or None


async def _not_found(scope: Any, protocol: Any) -> None:
    body = targets.INNER_BODY
    headers = [("content-type", "text/plain"), ("content-length", str(len(body)))]
    protocol.response_bytes(404, headers, body)


def floor(root: str) -> Any:
    """An RSGI app answering every file of ``root`` from a table built up front."""
    server = PinkNoiseRSGI(None, root, prefix=targets.PREFIX).server
    table: dict[str, tuple[tuple[tuple[str, str], ...], bytes | str]] = {}
    for path in list(server.catalog):
        entry = server.find(path)
        if entry is None:
            continue
        response, body = server.respond(path, entry, Request("GET", "", ACCEPT_ENCODING))
        if response.status != 200 or response.body is None:
            continue
        if isinstance(body, bytes):
            table[path] = (response.headers, body)
        else:
            table[path] = (response.headers, response.body.path)
            if hasattr(body, "close"):
                body.close()

    async def application(scope: Any, protocol: Any) -> None:
        found = table.get(scope.path)
        if found is None:
            return await _not_found(scope, protocol)
        headers, body = found
        if type(body) is bytes:
            protocol.response_bytes(200, headers, body)
        else:
            protocol.response_file(200, headers, body)

    return application


_TARGET = os.environ["PINKNOISE_BENCH_TARGET"]
_ROOT = str(Path(os.environ["PINKNOISE_BENCH_ROOT"]))
application = (
    floor(_ROOT) if _TARGET == "floor" else PinkNoiseRSGI(_not_found, _ROOT, targets.PREFIX)
)
