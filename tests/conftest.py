from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pinknoise import PinkNoise
from tests.support import frontends
from tests.support.site import Site, build_site
from tests.support.wsgi_client import fallback_app


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The shared, read-only test site (tests that modify files build their own)."""
    return build_site(tmp_path_factory.mktemp("site"))


@pytest.fixture
def fresh_site(tmp_path: Path) -> Site:
    """A private copy of the test site that a test may modify."""
    return build_site(tmp_path)


@pytest.fixture(scope="session")
def wsgi_app(site: Site) -> PinkNoise:
    return PinkNoise(fallback_app, site.root, prefix="/static/", index_file=True)


@pytest.fixture
def make_app() -> Callable[..., PinkNoise]:
    def make(root: Path, **options: object) -> PinkNoise:
        options.setdefault("prefix", "/static/")
        return PinkNoise(fallback_app, root, **options)  # type: ignore[arg-type]

    return make


@pytest.fixture(params=frontends.params())
def frontend(request: pytest.FixtureRequest) -> frontends.Frontend:
    """Each front end in turn (see tests/support/frontends.py): in process and over HTTP."""
    frontend: frontends.Frontend = request.param
    return frontend
