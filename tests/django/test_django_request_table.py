"""The shared request table through PinkNoiseMiddleware, sync and async.

Each case must pass the table's own checks, and answer with exactly the status and the
header list (same order) of the WSGI adapter: Django must add, drop or rewrite nothing
but the headers SecurityMiddleware adds to every response.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import AsyncClient, Client, override_settings

from pinknoise import PinkNoise
from tests.checks import run_case
from tests.django.django_client import async_fetch, core_headers, sync_fetch
from tests.request_table import CASES, Case
from tests.support.site import Site
from tests.support.wsgi_client import Result, call, fallback_app

IDS = [case.name for case in CASES]


@pytest.fixture(scope="module")
def site_settings(site: Site) -> Iterator[None]:
    with override_settings(STATIC_ROOT=str(site.root), PINKNOISE_INDEX_FILE=True):
        yield


@pytest.fixture(scope="module")
def reference(site: Site) -> PinkNoise:
    return PinkNoise(fallback_app, site.root, prefix="/static/", index_file=True)


@pytest.fixture(scope="module")
def sync_client(site_settings: None) -> Client:
    return Client()


@pytest.fixture(scope="module")
def async_client(site_settings: None) -> AsyncClient:
    return AsyncClient()


def _same_as_wsgi(
    case: Case, result: Result, reference: PinkNoise, headers: dict[str, str]
) -> None:
    if case.app:
        return
    expected = call(reference, case.method, case.target, headers)
    assert result.status == expected.status
    assert core_headers(result) == expected.headers


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sync(case: Case, sync_client: Client, site: Site, reference: PinkNoise) -> None:
    sent: dict[str, str] = {}

    def fetch(method: str, target: str, headers: dict[str, str]) -> Result:
        sent.update(headers)
        return sync_fetch(sync_client, method, target, headers)

    result = run_case(case, fetch, site)
    _same_as_wsgi(case, result, reference, sent)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_async(case: Case, async_client: AsyncClient, site: Site, reference: PinkNoise) -> None:
    sent: dict[str, str] = {}

    def fetch(method: str, target: str, headers: dict[str, str]) -> Result:
        sent.update(headers)
        return async_fetch(async_client, method, target, headers)

    result = run_case(case, fetch, site)
    _same_as_wsgi(case, result, reference, sent)


@pytest.fixture(scope="module")
def wrapped_wsgi(site_settings: None) -> object:
    from django.core.handlers.wsgi import WSGIHandler

    from pinknoise.django import wrap

    return wrap(WSGIHandler())


@pytest.fixture(scope="module")
def wrapped_asgi(site_settings: None) -> object:
    from django.core.handlers.asgi import ASGIHandler

    from pinknoise.django import wrap

    return wrap(ASGIHandler())


def _same_as_middleware(
    case: Case, result: Result, client: Client, headers: dict[str, str]
) -> None:
    """``wrap()`` sends what the middleware does, SecurityMiddleware's headers included."""
    if case.app:
        return
    expected = sync_fetch(client, case.method, case.target, headers)
    assert result.status == expected.status

    def lowered(r: Result) -> list[tuple[str, str]]:
        return sorted((name.lower(), value) for name, value in r.headers)

    assert lowered(result) == lowered(expected)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_wrap_wsgi(case: Case, wrapped_wsgi: object, sync_client: Client, site: Site) -> None:
    sent: dict[str, str] = {}

    def fetch(method: str, target: str, headers: dict[str, str]) -> Result:
        sent.update(headers)
        return call(wrapped_wsgi, method, target, headers)  # type: ignore[arg-type]

    result = run_case(case, fetch, site)
    _same_as_middleware(case, result, sync_client, sent)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_wrap_asgi(case: Case, wrapped_asgi: object, sync_client: Client, site: Site) -> None:
    from tests.support import asgi_client

    sent: dict[str, str] = {}

    def fetch(method: str, target: str, headers: dict[str, str]) -> Result:
        sent.update(headers)
        return asgi_client.call(wrapped_asgi, method, target, headers)

    result = run_case(case, fetch, site)
    _same_as_middleware(case, result, sync_client, sent)
