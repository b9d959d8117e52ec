"""Call an RSGI app in-process the way granian does, and collect the response.

The fake scope and protocol follow the RSGI 1.6 spec and granian's implementation:
the path is percent-decoded (invalid UTF-8 replaced), header names are lower-case, a
response method may be called once, and a file named by path is opened only after the
application returned (granian opens it in a task of its own), so a descriptor closed
too early would show here as a failed open.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from tests.support.wsgi_client import Result


class Headers:
    """granian's ``RSGIHeaders``: a read-only multi-mapping with lower-case names."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = [(name.lower(), value) for name, value in pairs]

    def items(self) -> list[tuple[str, str]]:
        return list(self._pairs)

    def keys(self) -> list[str]:
        return [name for name, _ in self._pairs]

    def get(self, name: str, default: Any = None) -> Any:
        for key, value in self._pairs:
            if key == name:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        return [value for key, value in self._pairs if key == name]

    def __contains__(self, name: object) -> bool:
        return any(key == name for key, _ in self._pairs)


@dataclass
class Scope:
    method: str
    path: str
    query_string: str
    headers: Headers
    proto: str = "http"
    rsgi_version: str = "1.6"
    http_version: str = "1.1"
    server: str = "127.0.0.1:8000"
    client: str = "127.0.0.1:50000"
    scheme: str = "http"
    authority: str | None = None


class ProtocolClosed(RuntimeError):
    """What granian raises when the client went away (``RSGIProtocolClosed``)."""


@dataclass
class Transport:
    protocol: Protocol

    async def send_bytes(self, data: bytes) -> None:
        protocol = self.protocol
        if protocol.disconnect_after is not None and protocol.chunks >= protocol.disconnect_after:
            raise ProtocolClosed("RSGI transport is closed")
        protocol.chunks += 1
        protocol.body += bytes(data)
        await asyncio.sleep(0)

    async def send_str(self, data: str) -> None:
        await self.send_bytes(data.encode())


@dataclass
class Protocol:
    """An HTTP protocol object; ``calls`` records which response method was used."""

    disconnect_after: int | None = None
    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    calls: list[str] = field(default_factory=list)
    file: tuple[str, int, int | None] | None = None
    chunks: int = 0

    def _start(self, kind: str, status: int, headers: Any) -> None:
        assert not self.calls, f"second response: {kind} after {self.calls}"
        assert isinstance(status, int)
        pairs = list(headers)
        assert all(isinstance(n, str) and isinstance(v, str) for n, v in pairs), pairs
        self.calls.append(kind)
        self.status, self.headers = status, pairs

    async def __call__(self) -> bytes:
        return b""

    async def client_disconnect(self) -> None:
        await asyncio.Event().wait()

    def response_empty(self, status: int, headers: Any) -> None:
        self._start("empty", status, headers)

    def response_str(self, status: int, headers: Any, body: str) -> None:
        self._start("str", status, headers)
        self.body = body.encode()

    def response_bytes(self, status: int, headers: Any, body: bytes) -> None:
        self._start("bytes", status, headers)
        self.body = bytes(body)

    def response_file(self, status: int, headers: Any, file: str) -> None:
        self._start("file", status, headers)
        self.file = (file, 0, None)

    def response_file_range(
        self, status: int, headers: Any, file: str, start: int, end: int
    ) -> None:
        if start >= end:
            raise ValueError("Invalid range")
        self._start("file_range", status, headers)
        self.file = (file, start, end)

    def response_stream(self, status: int, headers: Any) -> Transport:
        self._start("stream", status, headers)
        return Transport(self)

    def read_file(self) -> None:
        """What granian does once the app returned: open the path, send its bytes."""
        if self.file is None:
            return
        path, start, end = self.file
        with open(path, "rb") as file:  # a FileNotFoundError here is granian's 404
            file.seek(start)
            self.body = file.read() if end is None else file.read(end - start)


def scope_for(method: str, target: str, headers: dict[str, str] | None = None) -> Scope:
    raw_path, _, query = target.partition("?")
    return Scope(method, unquote(raw_path), query, Headers(list((headers or {}).items())))


async def call_async(app: Any, scope: Scope, disconnect_after: int | None = None) -> Protocol:
    protocol = Protocol(disconnect_after=disconnect_after)
    handler = getattr(app, "__rsgi__", app)
    await handler(scope, protocol)
    assert protocol.calls, "the application returned without a response"
    protocol.read_file()
    return protocol


def call(app: Any, method: str, target: str, headers: dict[str, str] | None = None) -> Result:
    protocol = asyncio.run(call_async(app, scope_for(method, target, headers)))
    assert protocol.status is not None
    return Result(protocol.status, protocol.headers, protocol.body)


async def fallback_app(scope: Any, protocol: Any) -> None:
    """The wrapped application: answers every path with a recognisable 404."""
    body = f"app:{scope.method}:{scope.path}".encode()
    protocol.response_bytes(
        404,
        [("content-type", "text/plain"), ("x-app", "yes"), ("content-length", str(len(body)))],
        body,
    )
