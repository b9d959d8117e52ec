"""Call a WSGI app in-process the way a server would, and collect the response."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes


@dataclass
class Result:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    closed: bool = field(default=False)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


class FileWrapper:
    """Like a server's ``wsgi.file_wrapper``: records that it was used."""

    used = 0

    def __init__(self, file: Any, block_size: int = 8192) -> None:
        FileWrapper.used += 1
        self.file, self.block_size = file, block_size

    def __iter__(self) -> Any:
        return iter(lambda: self.file.read(self.block_size), b"")

    def close(self) -> None:
        self.file.close()


def environ_for(
    method: str, target: str, headers: dict[str, str] | None = None, file_wrapper: bool = True
) -> dict[str, Any]:
    path, _, query = target.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
    }
    if file_wrapper:
        environ["wsgi.file_wrapper"] = FileWrapper
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def call(
    app: Callable[..., Iterable[bytes]],
    method: str,
    target: str,
    headers: dict[str, str] | None = None,
    file_wrapper: bool = True,
) -> Result:
    captured: dict[str, Any] = {}

    def start_response(
        status: str, response_headers: list[tuple[str, str]], exc_info: Any = None
    ) -> None:
        captured["status"] = int(status.split()[0])
        captured["headers"] = response_headers

    iterable = app(environ_for(method, target, headers, file_wrapper), start_response)
    try:
        body = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    return Result(captured["status"], captured["headers"], body, closed=close is not None)


def fallback_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """The wrapped application: answers every path it is given with a recognisable 404."""
    body = f"app:{environ['REQUEST_METHOD']}:{environ['PATH_INFO']}".encode(
        "utf-8", "surrogateescape"
    )
    start_response(
        "404 Not Found",
        [("Content-Type", "text/plain"), ("X-App", "yes"), ("Content-Length", str(len(body)))],
    )
    return [body]
