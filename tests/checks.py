"""Assertions shared by every replay of the request table."""

from __future__ import annotations

import gzip
from collections.abc import Callable

import brotli
import zstandard

from tests.request_table import Case
from tests.support.site import Site
from tests.support.wsgi_client import Result

Fetch = Callable[[str, str, dict[str, str]], Result]

DECODERS: dict[str, Callable[[bytes], bytes]] = {
    "identity": lambda body: body,
    "gzip": gzip.decompress,
    "br": brotli.decompress,
    "zstd": lambda body: zstandard.ZstdDecompressor().decompress(body),
}


def resolve(case: Case, fetch: Fetch) -> dict[str, str]:
    """Replace ``{etag}``-style placeholders with what the server says for the target."""
    needs = any("{" in value for value in case.headers.values()) or any(
        value and "{" in value for value in case.expect.values()
    )
    if not needs:
        return {}
    negotiation = {k: v for k, v in case.headers.items() if k == "Accept-Encoding"}
    current = fetch("GET", case.target, negotiation)
    identity = fetch("GET", case.target, {})
    return {
        "{etag}": current.header("ETag") or "",
        "{etag-identity}": identity.header("ETag") or "",
        "{last-modified}": current.header("Last-Modified") or "",
    }


def fill(value: str, values: dict[str, str]) -> str:
    for placeholder, replacement in values.items():
        value = value.replace(placeholder, replacement)
    return value


def run_case(case: Case, fetch: Fetch, site: Site) -> Result:
    values = resolve(case, fetch)
    headers = {name: fill(value, values) for name, value in case.headers.items()}
    result = fetch(case.method, case.target, headers)
    check(case, result, site, values)
    return result


def check(case: Case, result: Result, site: Site, values: dict[str, str]) -> None:
    if case.app:
        assert result.header("X-App") == "yes", f"expected fall-through, got {result.status}"
        assert result.status == 404
        return
    assert result.header("X-App") is None, "request leaked to the wrapped app"
    assert result.status == case.status, (result.status, result.headers)
    assert b"SECRET" not in result.body
    for name, expected in case.expect.items():
        actual = result.header(name)
        if expected is None:
            assert actual is None, f"{name} should be absent, got {actual!r}"
        else:
            assert actual == fill(expected, values), f"{name}: {actual!r}"
    length = result.header("Content-Length")
    if case.method != "HEAD" and result.status in (200, 206, 304, 412, 416, 302, 405):
        assert int(length or 0) == len(result.body), "Content-Length disagrees with the body"
    if result.status in (304, 412, 416, 405, 302) or case.method == "HEAD":
        assert result.body == b""
    if case.file is not None:
        original = site.read(case.file)
        assert result.header("Content-Encoding") == (
            None if case.coding == "identity" else case.coding
        )
        if case.method == "GET":
            assert DECODERS[case.coding](result.body) == original
    if case.body is not None:
        assert result.body == case.body
