"""Call an ASGI app in-process the way a server would, and collect the response."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tests.support.wsgi_client import Result


def scope_for(
    method: str, target: str, headers: dict[str, str] | None = None, pathsend: bool = False
) -> dict[str, Any]:
    raw_path, _, query = target.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        # What uvicorn does: percent-decode, then UTF-8 with replacement characters.
        "path": unquote(raw_path),
        "raw_path": raw_path.encode("latin-1"),
        "query_string": query.encode("latin-1"),
        "root_path": "",
        "headers": [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in (headers or {}).items()
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "extensions": {"http.response.pathsend": {}} if pathsend else {},
    }


async def call_async(
    app: Any, scope: dict[str, Any], disconnect_after: int | None = None
) -> tuple[Result, list[dict[str, Any]]]:
    """Run one request; ``disconnect_after`` simulates a client gone after N body parts."""
    messages: list[dict[str, Any]] = []
    body_parts = 0
    gone = asyncio.Event()
    request_sent = False

    async def receive() -> dict[str, Any]:
        nonlocal request_sent
        if not request_sent:
            request_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal body_parts
        messages.append(message)
        if message["type"] == "http.response.body" and message.get("body"):
            body_parts += 1
            if disconnect_after is not None and body_parts >= disconnect_after:
                gone.set()
        await asyncio.sleep(0)

    await app(scope, receive, send)
    gone.set()
    start = messages[0]
    assert start["type"] == "http.response.start"
    body = b""
    for message in messages[1:]:
        if message["type"] == "http.response.pathsend":
            body += Path(message["path"]).read_bytes()
        else:
            assert message["type"] == "http.response.body"
            body += message.get("body", b"")
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]]
    return Result(start["status"], headers, body), messages


def call(
    app: Any,
    method: str,
    target: str,
    headers: dict[str, str] | None = None,
    pathsend: bool = False,
) -> Result:
    result, _ = asyncio.run(call_async(app, scope_for(method, target, headers, pathsend)))
    return result


async def fallback_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The wrapped application: answers every path with a recognisable 404."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    body = f"app:{scope['method']}:{scope['path']}".encode()
    await send({
        "type": "http.response.start", "status": 404,
        "headers": [(b"content-type", b"text/plain"), (b"x-app", b"yes"),
                    (b"content-length", str(len(body)).encode())],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": body})
