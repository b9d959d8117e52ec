"""What every asynchronous front end shares: answer a request without blocking the loop.

The core's ``respond(blocking=False)`` answers from memory or raises ``WouldBlock``
when the disk is needed (a stat past ``recheck_interval``, an open, a read); then the
same request is answered in a worker thread. Under autorefresh the lookup itself
touches the disk, so it runs in a thread too.

A body streamed from a file is opened and its first chunk read before the answer is
returned: a response starts only once its first bytes are in hand, so a file that
shrank since it was decided is decided again instead of starting a response that
cannot be finished (granian answers such a response with a 500).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from typing import BinaryIO, Final

from pinknoise.core.request import Request
from pinknoise.core.response import Response
from pinknoise.core.server import Body, FilePath, StaticServer, WouldBlock

#: Bytes read per worker-thread hop. Each read costs a hop, so larger than a WSGI block.
CHUNK_SIZE: Final = 256 * 1024


class Stream:
    """``length`` bytes of an open file, the first chunk already read; reads off the loop.

    Iterate it with ``async for``; the file is closed when iteration ends, early or not,
    and by :meth:`close` (which Django calls when a response is done).
    """

    def __init__(self, file: BinaryIO, first: bytes, length: int) -> None:
        self.file = file
        self.first = first
        self.length = length
        #: False once the file turned out shorter than promised.
        self.complete = True

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        file = self.file
        try:
            yield self.first
            remaining = self.length - len(self.first)
            while remaining > 0:
                chunk = await asyncio.to_thread(file.read, min(CHUNK_SIZE, remaining))
                if not chunk:
                    # The file shrank under us: the promised length cannot be met. Stop,
                    # so the server closes the connection (never padding, never a hang).
                    self.complete = False
                    return
                remaining -= len(chunk)
                yield chunk
        finally:
            file.close()

    def close(self) -> None:
        self.file.close()


AsyncBody = bytes | FilePath | Stream


async def answer(
    server: StaticServer,
    path: str,
    make_request: Callable[[], Request],
    send_path: bool = False,
    ranges_by_path: bool = False,
    make_headers: Callable[[], Mapping[str, str]] | None = None,
) -> tuple[Response, AsyncBody | None] | None:
    """The response and body for ``path``, or None when it is not a static file.

    ``make_request`` builds the core request; it is only called for static paths, so a
    request for the application costs one dict lookup here. ``send_path`` and
    ``ranges_by_path`` say what the server can send by path (see ``StaticServer.respond``).
    ``make_headers`` gives a media root's ``authorize`` hook the request's headers.
    """
    if server.find_blocks:
        entry = await asyncio.to_thread(server.find, path)
    else:
        entry = server.find(path)
    if entry is None:
        media = server.find_media(path) if server.serves_media else None
        if media is None:
            return None
        if make_headers is not None:
            media.headers = make_headers
        # Media is always disk work: straight to the worker thread.
        return await off_loop(server, path, media, make_request(), send_path, ranges_by_path)
    request = make_request()
    try:
        # Not blocking: bytes, a path or nothing; a file would have raised WouldBlock.
        return server.respond(  # type: ignore[return-value]
            path, entry, request, send_path=send_path, ranges_by_path=ranges_by_path, blocking=False
        )
    except WouldBlock as blocked:
        return await off_loop(server, path, blocked.entry, request, send_path, ranges_by_path)
    except LookupError:
        return None


async def off_loop(
    server: StaticServer,
    path: str,
    entry: object,
    request: Request,
    send_path: bool,
    ranges_by_path: bool = False,
) -> tuple[Response, AsyncBody | None] | None:
    """The blocking pass in a worker thread: what ``respond(blocking=False)`` could not do.

    None when the path is not static after all (the file is gone, or changed twice
    while being answered: the application then says 404).
    """
    for _ in range(2):
        answered = await asyncio.to_thread(
            _respond, server, path, entry, request, send_path, ranges_by_path
        )
        if answered is not _CHANGED:
            return answered  # type: ignore[return-value]
    return None


#: ``_respond``'s answer when a file shrank between the decision and its first read.
_CHANGED: Final = object()


def _respond(
    server: StaticServer,
    path: str,
    entry: object,
    request: Request,
    send_path: bool,
    ranges_by_path: bool,
) -> tuple[Response, AsyncBody | None] | object | None:
    """The blocking pass and, for a file, its first chunk, in one worker-thread hop."""
    try:
        response, body = server.respond(
            path,
            entry,  # type: ignore[arg-type]
            request,
            send_path=send_path,
            ranges_by_path=ranges_by_path,
        )
    except LookupError:
        return None
    if body is None or isinstance(body, bytes | FilePath):
        return response, body
    return _first_chunk(response, body) or _CHANGED


def _first_chunk(response: Response, file: Body) -> tuple[Response, Stream] | None:
    assert not isinstance(file, bytes | FilePath)
    wanted = min(CHUNK_SIZE, response.length)
    first = file.read(wanted)
    if len(first) < wanted:
        file.close()
        return None  # shrank since it was decided
    return response, Stream(file, first, response.length)
