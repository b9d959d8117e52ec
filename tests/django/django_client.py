"""Requests through Django's test clients, returned as the suite's ``Result``."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import quote, unquote_to_bytes

from django.http.response import HttpResponseBase
from django.test import AsyncClient, Client

from tests.support.wsgi_client import Result

#: Headers Django's SecurityMiddleware adds to every response, ours included.
SECURITY_HEADERS = frozenset(
    {"x-content-type-options", "referrer-policy", "cross-origin-opener-policy"}
)


def _result(response: HttpResponseBase, body: bytes) -> Result:
    return Result(response.status_code, list(response.items()), body)


def sync_fetch(client: Client, method: str, target: str, headers: dict[str, str]) -> Result:
    response = client.generic(method, target, headers=headers)
    try:
        body = (
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
            if response.streaming
            else response.content
        )
    finally:
        response.close()
    return _result(response, body)


def asgi_target(target: str) -> str:
    """``target`` re-encoded so Django's AsyncClient puts the right ASGI ``path`` in scope.

    The AsyncClient decodes the percent-decoded path as latin-1 (WSGI's convention),
    where an ASGI server decodes it as UTF-8. Re-encoding a valid UTF-8 path as latin-1
    percent escapes makes the scope what a real server would send; paths that are not
    valid UTF-8 (or not latin-1 representable) are left as they are.
    """
    path, mark, query = target.partition("?")
    with contextlib.suppress(UnicodeError):
        path = quote(unquote_to_bytes(path).decode("utf-8").encode("latin-1"), safe="/")
    return path + mark + query


def async_fetch(client: AsyncClient, method: str, target: str, headers: dict[str, str]) -> Result:
    async def fetch() -> Result:
        response = await client.generic(method, asgi_target(target), headers=headers)
        if response.streaming:
            assert response.is_async, "an ASGI response must stream asynchronously"
            body = b"".join([chunk async for chunk in response.streaming_content])
        else:
            body = response.content
        response.close()
        return _result(response, body)

    return asyncio.run(fetch())


def core_headers(result: Result) -> list[tuple[str, str]]:
    """The response's headers without those SecurityMiddleware adds."""
    return [(k, v) for k, v in result.headers if k.lower() not in SECURITY_HEADERS]
