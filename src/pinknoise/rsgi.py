"""The RSGI adapter: granian's native interface, where the server does the sending.

An RSGI server hands the application a ``protocol`` object and sends in Rust what the
application names: bytes (``response_bytes``), a whole file or a byte range of one by
path (``response_file``, ``response_file_range``). So a body held in memory costs one
call, and a large file goes out without a byte passing through Python. Paths handed over
are ``/proc/self/fd/N`` of a descriptor pinknoise opened and checked, as for ASGI
pathsend, so the server sends the very file the headers were computed from.

The decision is the core's, taken as in every asynchronous front end (``pinknoise.aio``):
from memory on the loop, anything touching the disk in a worker thread.
"""

from __future__ import annotations

from asyncio import AbstractEventLoop
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final, Protocol

from pinknoise.aio import AsyncBody, Stream, answer
from pinknoise.core.media import join_headers
from pinknoise.core.request import FIELDS, Request
from pinknoise.core.response import Response
from pinknoise.core.server import FilePath
from pinknoise.front import StaticFront

RSGIHeaders = Sequence[tuple[str, str]]


class RSGIScope(Protocol):
    """The parts of an RSGI connection scope pinknoise reads."""

    proto: str
    method: str
    path: str
    query_string: str
    headers: Any  # a mapping-like object with ``items()``, names lower-case


class RSGIStreamTransport(Protocol):
    def send_bytes(self, data: bytes) -> Awaitable[None]: ...


class RSGIHTTPProtocol(Protocol):
    """The response side of an RSGI HTTP protocol object (RSGI spec 1.6)."""

    def response_empty(self, status: int, headers: RSGIHeaders) -> None: ...
    def response_bytes(self, status: int, headers: RSGIHeaders, body: bytes) -> None: ...
    def response_file(self, status: int, headers: RSGIHeaders, file: str) -> None: ...
    def response_file_range(
        self, status: int, headers: RSGIHeaders, file: str, start: int, end: int
    ) -> None: ...
    def response_stream(self, status: int, headers: RSGIHeaders) -> RSGIStreamTransport: ...


RSGIApp = Callable[[Any, Any], Awaitable[None]]

#: Request header name (as RSGI gives it, lower-case) -> position in ``FIELDS``.
_FIELDS: Final = {name: index for index, (_, _, name) in enumerate(FIELDS)}
_NOT_FOUND_HEADERS: Final = (("content-type", "text/plain"), ("content-length", "9"))


class PinkNoiseRSGI(StaticFront[Any]):
    """RSGI application serving static files in front of ``application``.

    Takes exactly the arguments of :class:`pinknoise.PinkNoise`. ``application`` is an
    RSGI application (an object with ``__rsgi__``, or an async callable) or None for a
    plain 404; websocket scopes and paths that are not static files go to it untouched,
    and its ``__rsgi_init__``/``__rsgi_del__`` are called with the server's loop.
    """

    @property
    def application(self) -> Any | None:
        return self._application

    @application.setter
    def application(self, application: Any | None) -> None:
        self._application = application
        self._call: RSGIApp | None = (
            None if application is None else getattr(application, "__rsgi__", application)
        )

    def __rsgi_init__(self, loop: AbstractEventLoop) -> None:
        init = getattr(self._application, "__rsgi_init__", None)
        if init is not None:
            init(loop)

    def __rsgi_del__(self, loop: AbstractEventLoop) -> None:
        cleanup = getattr(self._application, "__rsgi_del__", None)
        if cleanup is not None:
            cleanup(loop)

    async def __rsgi__(self, scope: RSGIScope, protocol: RSGIHTTPProtocol) -> None:
        if scope.proto != "http":
            return await self._pass(scope, protocol)
        path = scope.path
        answered = await answer(
            self.server,
            path,
            lambda: _request(scope),
            send_path=True,
            ranges_by_path=True,
            make_headers=lambda: join_headers(scope.headers.items()),
        )
        if answered is None:
            return await self._pass(scope, protocol)
        response, body = answered
        if isinstance(body, Stream):
            return await _stream(protocol, response, body)
        send(protocol, response, body)

    __call__ = __rsgi__

    async def _pass(self, scope: RSGIScope, protocol: RSGIHTTPProtocol) -> None:
        if self._call is not None:
            return await self._call(scope, protocol)
        if scope.proto == "http":
            protocol.response_bytes(404, _NOT_FOUND_HEADERS, b"Not Found")


def send(protocol: RSGIHTTPProtocol, response: Response, body: AsyncBody | None) -> None:
    """Hand a decided response whose body is in memory or on disk to the server."""
    status, headers = response.status, response.headers
    if body is None:
        protocol.response_empty(status, headers)
    elif type(body) is bytes:
        protocol.response_bytes(status, headers, body)
    else:
        assert isinstance(body, FilePath)
        if response.is_whole_file:
            protocol.response_file(status, headers, body.path)
        else:
            start = response.start
            protocol.response_file_range(status, headers, body.path, start, start + response.length)


def _request(scope: RSGIScope) -> Request:
    fields: list[str | None] = [None] * len(FIELDS)
    for name, value in scope.headers.items():
        index = _FIELDS.get(name)
        if index is not None:
            previous = fields[index]
            fields[index] = value if previous is None else f"{previous},{value}"
    return Request(scope.method, scope.query_string, *fields)


async def _stream(protocol: RSGIHTTPProtocol, response: Response, body: Stream) -> None:
    """Send a file's chunks, read off the loop, through the server's stream transport.

    Only for what cannot go by path: past the held-descriptor limit, or on a system
    without ``/proc``. granian's transport queues without waiting for the client, so a
    slow client makes it buffer up to the file's size; a closed connection raises, and
    the transfer stops there with the file closed.
    """
    transport = protocol.response_stream(response.status, response.headers)
    chunks = body.__aiter__()
    try:
        async for chunk in chunks:
            await transport.send_bytes(chunk)
    except RuntimeError:  # granian's RSGIProtocolClosed: the client is gone
        pass
    finally:
        await chunks.aclose()  # type: ignore[attr-defined]
        body.close()
