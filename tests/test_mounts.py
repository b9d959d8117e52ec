"""Under a mount, every Location pinknoise sends leads where the user meant.

gunicorn with ``SCRIPT_NAME``, ``uvicorn --root-path``, ASGI ``root_path`` in both
conventions (``path`` with and without it), Starlette ``Mount`` and Django's
``FORCE_SCRIPT_NAME`` and server-set script names. Redirects are followed for real.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

from pinknoise import PinkNoiseASGI
from tests.support import asgi_client
from tests.support.frontends import APP
from tests.support.servers import BIN, free_port, gunicorn, http_request, run_server
from tests.support.wsgi_client import Result


def make_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "docs").mkdir(parents=True)
    (root / "index.html").write_bytes(b"<title>home</title>")
    (root / "docs" / "index.html").write_bytes(b"<title>docs</title>")
    return root


#: (requested, body of the index the redirect must lead to)
REDIRECTS = [
    ("/mount/static/docs", b"<title>docs</title>"),
    ("/mount/static/docs/index.html", b"<title>docs</title>"),
    ("/mount/static/index.html", b"<title>home</title>"),
    ("/mount/static", b"<title>home</title>"),
]


def follow(fetch: Any, target: str) -> bytes:
    first = fetch(target)
    assert first.status == 302, (target, first.status)
    location = first.header("Location")
    assert location is not None
    final = urljoin(f"http://127.0.0.1{target}", location)
    assert final.startswith("http://127.0.0.1/mount/"), (target, location)
    second = fetch(final.removeprefix("http://127.0.0.1"))
    assert second.status == 200, (target, location, second.status)
    body: bytes = second.body
    return body


@pytest.mark.server
@pytest.mark.parametrize("server", ["gunicorn", "uvicorn"])
def test_redirects_follow_the_mount_over_http(server: str, tmp_path: Path) -> None:
    root = make_root(tmp_path)
    port = free_port()
    config = {"root": str(root), "prefix": "/static/", "options": {"index_file": True}}
    env = {"PINKNOISE_TEST_CONFIG": json.dumps(config)}
    if server == "gunicorn":
        env["SCRIPT_NAME"] = "/mount"
        argv = gunicorn(f"{APP}:wsgi", port)
    else:
        argv = [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", str(port),
                "--root-path", "/mount", f"{APP}:asgi"]  # fmt: skip
    # uvicorn's --root-path is for a proxy that strips the mount: it adds it back.
    strip = "/mount" if server == "uvicorn" else ""
    with run_server(argv, port, tmp_path / "log", env=env) as running:
        for target, body in REDIRECTS:
            fetch = lambda t: http_request(port, "GET", t.removeprefix(strip))  # noqa: E731
            assert follow(fetch, target) == body
        assert "Traceback" not in running.log_text()


@pytest.mark.parametrize("path_has_root", [True, False], ids=["path-with-root", "path-without"])
def test_asgi_root_path_both_conventions(tmp_path: Path, path_has_root: bool) -> None:
    app = PinkNoiseASGI(asgi_client.fallback_app, make_root(tmp_path), "/static/", index_file=True)

    def fetch(target: str) -> Any:
        scope = asgi_client.scope_for("GET", target)
        scope["root_path"] = "/mount"
        if not path_has_root:
            scope["path"] = scope["path"].removeprefix("/mount")
        result, _ = asyncio.run(asgi_client.call_async(app, scope))
        return result

    for target, body in REDIRECTS:
        assert follow(fetch, target) == body


def test_starlette_mount(tmp_path: Path) -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount
    from starlette.testclient import TestClient

    static = PinkNoiseASGI(None, make_root(tmp_path), "/static/", index_file=True)
    app = Starlette(routes=[Mount("/mount", app=static)])
    client = TestClient(app, base_url="http://127.0.0.1")

    def fetch(target: str) -> Result:
        response = client.get(target, follow_redirects=False)
        return Result(response.status_code, list(response.headers.items()), response.content)

    for target, body in REDIRECTS:
        assert follow(fetch, target) == body


@pytest.mark.parametrize("script", ["force", "server"], ids=["FORCE_SCRIPT_NAME", "SCRIPT_NAME"])
def test_django_script_name(tmp_path: Path, script: str) -> None:
    from tests.support.django_setup import ensure_configured

    ensure_configured()
    from django.test import Client, override_settings

    root = make_root(tmp_path)
    settings: dict[str, Any] = {"STATIC_ROOT": str(root), "STATIC_URL": "/mount/static/",
                                "PINKNOISE_INDEX_FILE": True}  # fmt: skip
    if script == "force":
        settings["FORCE_SCRIPT_NAME"] = "/mount"
    with override_settings(**settings):
        client = Client()

        def fetch(target: str) -> Any:
            # What a WSGI server mounted at /mount hands Django: the script name apart.
            path_info = target.removeprefix("/mount")
            return client.generic("GET", path_info, SCRIPT_NAME="/mount")

        for target, body in REDIRECTS[:3]:
            first = fetch(target)
            assert first.status_code == 302, (target, first.status_code)
            final = urljoin(f"http://127.0.0.1{target}", first["Location"])
            second = fetch(final.removeprefix("http://127.0.0.1"))
            assert second.status_code == 200, (target, first["Location"])
            assert b"".join(second) == body


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_django_wrap_under_a_server_set_script_name(tmp_path: Path, kind: str) -> None:
    """gunicorn's ``SCRIPT_NAME=/mount`` (or an ASGI ``root_path``) without
    ``FORCE_SCRIPT_NAME``, and an absolute STATIC_URL that includes the mount, as the
    middleware already handles: the script name is unknown when settings are read, so
    ``wrap()`` must match the full path on a miss too."""
    from tests.support.django_setup import ensure_configured

    ensure_configured()
    from django.core.handlers.asgi import ASGIHandler
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings
    from django.urls import set_script_prefix

    from pinknoise.django import wrap
    from tests.support import wsgi_client

    set_script_prefix("/")  # as in a fresh process: no request has set it yet

    root = make_root(tmp_path)
    (root / "app.css").write_bytes(b"body{}")
    settings = {"STATIC_ROOT": str(root), "STATIC_URL": "/mount/static/",
                "PINKNOISE_INDEX_FILE": True, "MIDDLEWARE": []}  # fmt: skip
    with override_settings(**settings):
        if kind == "wsgi":
            wrapped = wrap(WSGIHandler())

            def fetch(target: str) -> Any:
                environ = wsgi_client.environ_for("GET", target.removeprefix("/mount"))
                environ["SCRIPT_NAME"] = "/mount"
                captured: dict[str, Any] = {}

                def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
                    captured.update(status=int(status.split()[0]), headers=headers)

                body = b"".join(wrapped(environ, start_response))
                return Result(captured["status"], captured["headers"], body)
        else:
            wrapped = wrap(ASGIHandler())

            def fetch(target: str) -> Any:
                scope = asgi_client.scope_for("GET", target)
                scope["root_path"] = "/mount"
                result, _ = asyncio.run(asgi_client.call_async(wrapped, scope))
                return result

        try:
            hit = fetch("/mount/static/app.css")
            assert (hit.status, hit.body) == (200, b"body{}")
            for target, body in REDIRECTS[:3]:
                assert follow(fetch, target) == body
        finally:
            set_script_prefix("/")  # Django's WSGI handler sets it from SCRIPT_NAME
