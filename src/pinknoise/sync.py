"""What the synchronous front ends (WSGI, Django's middleware) share.

A core request built from a WSGI environ (or Django's ``request.META``, the same keys),
and a file body iterated in bounded blocks; the asynchronous counterparts are in
:mod:`pinknoise.aio`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO, Final

from pinknoise.core.request import FIELDS, Request

#: Bytes per read of a file body on a worker thread (``wsgi.file_wrapper``'s block too).
BLOCK_SIZE: Final = 64 * 1024


def request_from_environ(environ: Mapping[str, Any]) -> Request:
    """The core's view of a WSGI environ (or Django's ``request.META``)."""
    get = environ.get
    return Request(get("REQUEST_METHOD", "GET"), get("QUERY_STRING", ""), *map(get, _WSGI_KEYS))


_WSGI_KEYS: Final = tuple(key for _, key, _ in FIELDS)


def headers_from_environ(environ: Mapping[str, Any]) -> dict[str, str]:
    """Every request header of a WSGI environ, names in lower case (for ``authorize``)."""
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_") and isinstance(value, str)
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = environ[key]
    return headers


class FileSlice:
    """Iterates ``length`` bytes of an open file in blocks; closing it closes the file.

    Used for byte ranges and for servers without ``wsgi.file_wrapper``. Stops early
    rather than send bytes past ``length`` if the file grew, and the server notices a
    short body if it shrank (the connection is closed instead of a wrong body).
    """

    def __init__(self, file: BinaryIO, length: int) -> None:
        self.file = file
        self.remaining = length

    def __iter__(self) -> Iterator[bytes]:
        read = self.file.read
        while self.remaining > 0:
            chunk = read(min(BLOCK_SIZE, self.remaining))
            if not chunk:
                break
            self.remaining -= len(chunk)
            yield chunk

    def close(self) -> None:
        self.file.close()
