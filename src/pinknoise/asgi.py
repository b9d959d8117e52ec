"""The ASGI adapter: the same core decision as WSGI, sent without blocking the loop.

Bodies go out in the cheapest way the situation allows: small files from memory in one
message; whole large files by ``http.response.pathsend`` when the server offers it (the
server then uses sendfile); anything else streamed from a thread in bounded chunks, with
the transfer stopped and the file closed as soon as the client disconnects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

from pinknoise.aio import AsyncBody, Stream, answer, off_loop
from pinknoise.core.media import MediaLookup, join_headers
from pinknoise.core.request import FIELDS, Request
from pinknoise.core.response import Headers, Response
from pinknoise.core.server import FilePath, Found, WouldBlock
from pinknoise.front import StaticFront

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_RAW_HEADERS_LIMIT: Final = 8192
#: Request header name (bytes, as ASGI gives it) -> position in ``FIELDS``.
_FIELDS: Final = {name.encode("latin-1"): index for index, (_, _, name) in enumerate(FIELDS)}
_NOT_FOUND: Final = (
    {
        "type": "http.response.start",
        "status": 404,
        "headers": [(b"content-type", b"text/plain"), (b"content-length", b"9")],
    },
    {"type": "http.response.body", "body": b"Not Found"},
)


class PinkNoiseASGI(StaticFront["ASGIApp"]):
    """ASGI middleware serving static files in front of ``application``.

    Takes exactly the arguments of :class:`pinknoise.PinkNoise`. ``lifespan`` and
    ``websocket`` scopes and HTTP paths that are not static files go to
    ``application`` untouched.
    """

    #: For integrations that stand in for middleware (``pinknoise.django.wrap``):
    #: encoded headers appended to every static response (cached with the rest), and
    #: ``added_headers(scope)`` for those that depend on the request (HSTS).
    added_raw: list[tuple[bytes, bytes]] = []  # noqa: RUF012 (never mutated)
    added_headers: Callable[[Scope], list[tuple[bytes, bytes]]] | None = None

    def __init__(self, application: ASGIApp | None, *args: Any, **options: Any) -> None:
        # Encoded header lists of the catalog's long-lived responses (200s and 304s),
        # keyed by the identity of the core's header tuple.
        self._raw_headers: dict[int, tuple[Headers, list[tuple[bytes, bytes]]]] = {}
        super().__init__(application, *args, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self._pass(scope, receive, send)
        path: str = scope["path"]
        root_path: str = scope.get("root_path", "")
        if root_path and path.startswith(root_path):
            # Mounted (Starlette Mount, --root-path): the prefix is relative to the mount.
            path = path[len(root_path) :] or "/"
        send_path = "http.response.pathsend" in (scope.get("extensions") or ())
        server = self.server
        body: AsyncBody | None
        # Whether the response's header list lives on in the catalog, so its encoding is
        # worth keeping: not for entries built per request (autorefresh, media).
        lasting = not server.find_blocks
        if not lasting:  # autorefresh: even the lookup is disk work
            for candidate in _paths(path, root_path):
                answered = await answer(
                    server,
                    candidate,
                    lambda: _request(scope),
                    send_path,
                    False,
                    lambda: headers(scope),
                )
                if answered is not None:
                    break
        else:
            # The hot path, inline: one dict lookup, then an answer from memory.
            entry: Found | None = server.find(path)
            if entry is None:
                if not (root_path or server.serves_media):
                    return await self._pass(scope, receive, send)  # the application's
                entry, path = server.on_miss(_paths(path, root_path), lambda: headers(scope))
                if entry is None:
                    return await self._pass(scope, receive, send)
                # An upload is answered in a worker thread (respond() raises WouldBlock).
                lasting = type(entry) is not MediaLookup
            request = _request(scope)
            try:
                # Not blocking: bytes, a path or nothing (a file raises WouldBlock).
                answered = server.respond(path, entry, request, send_path=send_path, blocking=False)  # type: ignore[assignment]
            except WouldBlock as blocked:
                answered = await off_loop(server, path, blocked.entry, request, send_path)
            except LookupError:
                answered = None
        if answered is None:
            return await self._pass(scope, receive, send)
        response, body = answered
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                "headers": self._encode(response, lasting)
                if self.added_headers is None
                else self._encode(response, lasting) + self.added_headers(scope),  # per request
            }
        )
        if body is None:
            await send({"type": "http.response.body", "body": b""})
        elif type(body) is bytes:
            await send({"type": "http.response.body", "body": body})
        elif isinstance(body, FilePath):
            await send({"type": "http.response.pathsend", "path": body.path})
        else:
            assert isinstance(body, Stream)
            await _stream(body, receive, send)

    def _encode(self, response: Response, lasting: bool = True) -> list[tuple[bytes, bytes]]:
        headers = response.headers
        cached = self._raw_headers.get(id(headers))
        if cached is not None and cached[0] is headers:
            return cached[1]
        raw = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
        added = self.added_raw
        if added:  # SecurityMiddleware's headers, set only where a response has none
            present = {name for name, _ in raw}
            raw += [pair for pair in added if pair[0] not in present]
        if lasting and response.status in (200, 304):
            if len(self._raw_headers) >= _RAW_HEADERS_LIMIT:
                self._raw_headers.clear()
            self._raw_headers[id(headers)] = (headers, raw)
        return raw

    async def _pass(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.application is not None:
            return await self.application(scope, receive, send)
        if scope["type"] == "http":
            for message in _NOT_FOUND:
                await send(dict(message))
        elif scope["type"] == "lifespan":
            while (event := await receive())["type"] != "lifespan.shutdown":
                if event["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})


def _paths(path: str, root_path: str) -> tuple[str, ...]:
    """The path within the mount, then (when mounted) the full path."""
    return (path, root_path.rstrip("/") + path) if root_path else (path,)


def _request(scope: Scope) -> Request:
    fields: list[str | None] = [None] * len(FIELDS)
    for name, value in scope["headers"]:
        index = _FIELDS.get(name)
        if index is not None:
            text = value.decode("latin-1")
            previous = fields[index]
            fields[index] = text if previous is None else f"{previous},{text}"
    return Request(scope["method"], scope["query_string"].decode("latin-1"), *fields)


def headers(scope: Scope) -> dict[str, str]:
    """Every request header of an ASGI scope, names in lower case (for ``authorize``)."""
    return join_headers(
        (name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]
    )


async def _stream(body: Stream, receive: Receive, send: Send) -> None:
    """Send a file's chunks, read off the event loop, until done or the client is gone.

    A watcher task waits for ``http.disconnect``: some servers silently drop messages
    sent after a disconnect, so the transfer must stop by itself, and the file is
    closed whatever happens.
    """
    disconnected = asyncio.ensure_future(_wait_for_disconnect(receive))
    chunks = body.__aiter__()
    try:
        async for chunk in chunks:
            if disconnected.done():
                return
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        else:
            # Iteration stops early when the file shrank: then the response is left
            # incomplete, so the server closes the connection and the client sees a
            # short body.
            if body.complete and not disconnected.done():
                await send({"type": "http.response.body", "body": b""})
    finally:
        disconnected.cancel()
        await chunks.aclose()  # type: ignore[attr-defined]
        body.close()


async def _wait_for_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
