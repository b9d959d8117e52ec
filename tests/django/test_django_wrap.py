"""``pinknoise.django.wrap``: the matching kind, lazy settings, SecurityMiddleware's headers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings

from pinknoise.django import wrap
from pinknoise.django.wrapper import WrappedASGI, WrappedWSGI
from tests.django.conftest import EXAMPLE, example_env
from tests.support import asgi_client, wsgi_client
from tests.support.servers import REPO


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "app.css").write_bytes(b"body { color: pink }" * 50)
    return tmp_path


def test_returns_the_matching_kind(root: Path) -> None:
    with override_settings(STATIC_ROOT=str(root)):
        assert isinstance(wrap(WSGIHandler()), WrappedWSGI)
        assert isinstance(wrap(ASGIHandler()), WrappedASGI)


HSTS = {"SECURE_HSTS_SECONDS": 3600, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}  # fmt: skip


def test_hsts_only_on_secure_requests_wsgi(root: Path) -> None:
    with override_settings(STATIC_ROOT=str(root), **HSTS):
        app = wrap(WSGIHandler())
        plain = wsgi_client.call(app, "GET", "/static/app.css")
        assert plain.status == 200
        assert plain.header("X-Content-Type-Options") == "nosniff"
        assert plain.header("Strict-Transport-Security") is None
        proxied = wsgi_client.call(app, "GET", "/static/app.css", {"X-Forwarded-Proto": "https"})
        assert proxied.header("Strict-Transport-Security") == "max-age=3600; includeSubDomains"
        environ = wsgi_client.environ_for("GET", "/static/app.css")
        environ["wsgi.url_scheme"] = "https"
        captured: list[list[tuple[str, str]]] = []
        b"".join(app(environ, lambda status, headers, exc=None: captured.append(headers)))
        assert ("Strict-Transport-Security", "max-age=3600; includeSubDomains") in captured[0]


def test_hsts_only_on_secure_requests_asgi(root: Path) -> None:
    import asyncio

    with override_settings(STATIC_ROOT=str(root), **HSTS):
        app = wrap(ASGIHandler())
        plain = asgi_client.call(app, "GET", "/static/app.css")
        assert plain.header("x-content-type-options") == "nosniff"
        assert plain.header("strict-transport-security") is None
        proxied = asgi_client.call(app, "GET", "/static/app.css", {"X-Forwarded-Proto": "https"})
        assert proxied.header("strict-transport-security") == "max-age=3600; includeSubDomains"
        scope = asgi_client.scope_for("GET", "/static/app.css")
        scope["scheme"] = "https"
        secure, _ = asyncio.run(asgi_client.call_async(app, scope))
        assert secure.header("strict-transport-security") == "max-age=3600; includeSubDomains"


def test_no_security_headers_without_security_middleware(root: Path) -> None:
    with override_settings(STATIC_ROOT=str(root), MIDDLEWARE=[]):
        result = wsgi_client.call(wrap(WSGIHandler()), "GET", "/static/app.css")
        assert result.status == 200
        assert result.header("X-Content-Type-Options") is None


def test_wrap_before_django_setup(tmp_path: Path, site_static_root: Path) -> None:
    """Called at import time, before ``django.setup()``: settings are read when ready."""
    script = (
        "import os, django\n"
        "from django.core.handlers.wsgi import WSGIHandler\n"
        "from pinknoise.django import wrap\n"
        "from tests.support import wsgi_client\n"
        "app = wrap(WSGIHandler.__new__(WSGIHandler))\n"  # not set up yet: no middleware
        "django.setup()\n"
        "app.application.__init__()\n"
        "r = wsgi_client.call(app, 'GET', '/static/pages/site.css')\n"
        "print(r.status, r.header('Cache-Control'))\n"
    )
    env = {**example_env(site_static_root), "PYTHONPATH": f"{REPO}:{EXAMPLE}"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "200"


def test_first_collectstatic_is_quiet_and_the_site_then_serves(tmp_path: Path) -> None:
    """A project whose wsgi.py uses wrap(), collected for the first time (a fresh deploy,
    a Docker build): the system checks import wsgi.py to find wrap(), and that import
    must not scan STATIC_ROOT (which does not exist yet) nor warn that it is missing."""
    static_root = tmp_path / "staticfiles"
    env = {**os.environ, **example_env(static_root)}
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=EXAMPLE,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "does not exist" not in collected.stderr, collected.stderr
    assert (static_root / "staticfiles.json").is_file()
    script = (
        "from djsite.wsgi import application\n"
        "from tests.support import wsgi_client\n"
        "from django.contrib.staticfiles.storage import staticfiles_storage as s\n"
        "result = wsgi_client.call(application, 'GET', s.url('admin/css/base.css'), {})\n"
        "print(result.status, result.header('Cache-Control'))\n"
    )
    served = subprocess.run(
        [sys.executable, "-c", script],
        cwd=EXAMPLE,
        env={**env, "PYTHONPATH": f"{REPO}:{EXAMPLE}"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert served.stdout.split()[0] == "200", served.stdout + served.stderr
    assert "immutable" in served.stdout
