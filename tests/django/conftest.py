"""Django settings for tests/django, configured here so the rest of the suite is untouched.

Each test that needs other values overrides them with pytest-django's ``settings``
fixture; Django's own signal handlers then reset the staticfiles storage and finders.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings as SettingsWrapper

from tests.django.static_sources import write_sources
from tests.support.django_setup import ensure_configured
from tests.support.servers import BIN, REPO, Server, free_port, gunicorn, run_server

ensure_configured()

MANIFEST_STORAGE = {
    "staticfiles": {"BACKEND": "pinknoise.storage.CompressedManifestStaticFilesStorage"}
}
PLAIN_STORAGE = {"staticfiles": {"BACKEND": "pinknoise.storage.CompressedStaticFilesStorage"}}


def collect(source: Path, static_root: Path, storages: dict[str, dict[str, str]]) -> None:
    """Run collectstatic from ``source`` into ``static_root`` with ``storages``."""
    from django.test import override_settings

    with override_settings(
        STATICFILES_DIRS=[str(source)], STATIC_ROOT=str(static_root), STORAGES=storages
    ):
        call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(scope="session")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project's static sources: CSS with url()s, JS with a source map, a font, ..."""
    return write_sources(tmp_path_factory.mktemp("sources"))


@pytest.fixture(scope="session")
def collected(sources: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``STATIC_ROOT`` after collectstatic with the compressing manifest storage."""
    root = tmp_path_factory.mktemp("collected") / "static"
    collect(sources, root, MANIFEST_STORAGE)
    return root


@pytest.fixture
def serve_collected(settings: SettingsWrapper, collected: Path) -> Path:
    """Settings that serve ``collected`` through the manifest storage (no finders)."""
    settings.STATIC_ROOT = str(collected)
    settings.STORAGES = MANIFEST_STORAGE
    return collected


# --- the example site under real servers ------------------------------------------------

EXAMPLE = REPO / "examples" / "django_site"


def example_env(static_root: Path, **extra: str) -> dict[str, str]:
    """Environment for the example site: its own settings, temporary STATIC_ROOT and DB."""
    return {
        "DJANGO_SETTINGS_MODULE": "djsite.settings",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DJANGO_DATABASE": str(static_root.parent / "db.sqlite3"),
        **extra,
    }


@pytest.fixture(scope="session")
def site_static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site's STATIC_ROOT after a real ``manage.py collectstatic``."""
    static_root = tmp_path_factory.mktemp("example") / "staticfiles"
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=EXAMPLE,
        env={**os.environ, **example_env(static_root)},
        check=True,
    )
    return static_root


@pytest.fixture(scope="session")
def gunicorn_site(
    site_static_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The example site under gunicorn (WSGI, gthread worker)."""
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn-site") / "server.log"
    argv = gunicorn("djsite.wsgi", port, "--chdir", str(EXAMPLE), "--threads", "4")
    with run_server(argv, port, log, env=example_env(site_static_root)) as server:
        yield server


@pytest.fixture(scope="session")
def uvicorn_site(
    site_static_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The example site under uvicorn (ASGI)."""
    port = free_port()
    log = tmp_path_factory.mktemp("uvicorn-site") / "server.log"
    argv = [
        str(BIN / "uvicorn"), "djsite.asgi:application", "--app-dir", str(EXAMPLE),
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
    ]  # fmt: skip
    with run_server(argv, port, log, env=example_env(site_static_root)) as server:
        yield server


@pytest.fixture(scope="session")
def granian_site(
    site_static_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The example site under granian (ASGI, pathsend), as ``wrap(get_asgi_application())``."""
    port = free_port()
    log = tmp_path_factory.mktemp("granian-site") / "server.log"
    argv = [
        str(BIN / "granian"), "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
        "--workers", "1", "--working-dir", str(EXAMPLE), "djsite.asgi:application",
    ]  # fmt: skip
    with run_server(argv, port, log, env=example_env(site_static_root)) as server:
        yield server
