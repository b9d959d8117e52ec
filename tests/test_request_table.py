"""The request table against the WSGI adapter: in-process, and under gunicorn over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pinknoise import PinkNoise
from tests.checks import run_case
from tests.request_table import CASES, Case
from tests.support.servers import Server, free_port, gunicorn, run_server
from tests.support.site import Site
from tests.support.wsgi_client import call, fallback_app

IDS = [case.name for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_wsgi_in_process(case: Case, wsgi_app: PinkNoise, site: Site) -> None:
    run_case(case, lambda m, t, h: call(wsgi_app, m, t, h), site)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_wsgi_without_file_wrapper(case: Case, wsgi_app: PinkNoise, site: Site) -> None:
    run_case(case, lambda m, t, h: call(wsgi_app, m, t, h, file_wrapper=False), site)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_wsgi_from_disk(case: Case, site: Site) -> None:
    """With the memory cache off every body is read from disk (files and ranges)."""
    app = PinkNoise(
        fallback_app, site.root, prefix="/static/", index_file=True, memory_cache_budget=0
    )
    run_case(case, lambda m, t, h: call(app, m, t, h), site)
    run_case(case, lambda m, t, h: call(app, m, t, h, file_wrapper=False), site)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_wsgi_autorefresh(case: Case, site: Site) -> None:
    """Development mode looks files up on disk per request, with the scanner's rules."""
    app = PinkNoise(fallback_app, site.root, prefix="/static/", index_file=True, autorefresh=True)
    run_case(case, lambda m, t, h: call(app, m, t, h), site)


@pytest.fixture(scope="module")
def gunicorn_server(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "server.log"
    argv = gunicorn("tests.apps.wsgi_site:application", port, "--threads", "4")
    with run_server(argv, port, log, env={"PINKNOISE_TEST_ROOT": str(site.root)}) as server:
        yield server


@pytest.mark.server
@pytest.mark.parametrize(
    "case", [c for c in CASES if c.wire], ids=[c.name for c in CASES if c.wire]
)
def test_gunicorn(case: Case, gunicorn_server: Server, site: Site) -> None:
    run_case(case, gunicorn_server.request, site)


def test_every_case_has_a_distinct_name() -> None:
    assert len(set(IDS)) == len(IDS)


def test_table_covers_every_status() -> None:
    statuses = {case.status for case in CASES if not case.app}
    assert statuses >= {200, 206, 302, 304, 405, 412, 416}
    assert any(case.app for case in CASES)


def test_site_fixture_is_real(site: Site) -> None:
    assert (site.root / "css" / "app.css.br").stat().st_size < 20_000
    assert Path(site.root / "link-out.txt").resolve().is_relative_to(site.outside)
