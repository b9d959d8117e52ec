"""Every front end pinknoise has, started the same way, for behaviour tests.

A behaviour (freshness, containment, ranges, redirects, headers) must hold on every
front end with default options, so tests take the ``frontend`` fixture and call
``frontend.start(root, **options)``: a context manager giving ``fetch(method, target,
headers) -> Result``. In-process front ends call the adapter directly; HTTP ones start
a real server on 127.0.0.1 over the same root. The root is served at ``/static/``.

``options`` are core options (``PinkNoise(..., **options)``); a front end that cannot
take one (``pinknoise serve`` has a fixed set) skips the test, saying so.

``media=DIR`` also serves user uploads in DIR at ``/media/`` (``add_media``; Django:
``PINKNOISE_SERVE_MEDIA`` with ``MEDIA_ROOT``; ``pinknoise serve --media``), with
``media_options`` for ``add_media``. An ``authorize`` hook is given as a dotted path
(``"tests.apps.frontend_site:allow_signed"``), so it reaches servers in other processes.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support import asgi_client, rsgi_client, wsgi_client
from tests.support.servers import BIN, free_port, gunicorn, http_request, run_server
from tests.support.wsgi_client import Result

Fetch = Callable[[str, str, dict[str, str]], Result]
PREFIX = "/static/"
MEDIA_PREFIX = "/media/"
APP = "tests.apps.frontend_site"


@dataclass(frozen=True)
class Media:
    """An upload directory to serve at ``/media/``, and its ``add_media`` options."""

    root: Path
    options: dict[str, Any]

    def resolved_options(self) -> dict[str, Any]:
        """The options with a dotted-path ``authorize`` imported."""
        return resolve_media_options(self.options)


def resolve_media_options(options: dict[str, Any]) -> dict[str, Any]:
    resolved = dict(options)
    authorize = resolved.get("authorize")
    if isinstance(authorize, str):
        module, _, name = authorize.partition(":")
        resolved["authorize"] = getattr(importlib.import_module(module), name)
    return resolved


Starter = Callable[[Path, dict[str, Any], Path, Media | None], AbstractContextManager[Fetch]]


@dataclass(frozen=True)
class Frontend:
    name: str
    starter: Starter
    over_http: bool = False

    def start(
        self,
        root: Path,
        *,
        log_dir: Path | None = None,
        media: Path | None = None,
        media_options: dict[str, Any] | None = None,
        **options: Any,
    ) -> AbstractContextManager[Fetch]:
        served = Media(media, media_options or {}) if media is not None else None
        return self.starter(root, options, log_dir or root.parent, served)

    def __str__(self) -> str:
        return self.name


def _fetch_headers(headers: dict[str, str] | None) -> dict[str, str]:
    return dict(headers or {})


@contextmanager
def _wsgi(
    root: Path, options: dict[str, Any], log_dir: Path, media: Media | None
) -> Iterator[Fetch]:
    from pinknoise import PinkNoise

    app = PinkNoise(wsgi_client.fallback_app, root, PREFIX, **options)
    if media is not None:
        app.add_media(media.root, MEDIA_PREFIX, **media.resolved_options())
    yield lambda method, target, headers=None: wsgi_client.call(
        app, method, target, _fetch_headers(headers)
    )


def _asgi_starter(pathsend: bool) -> Callable[..., AbstractContextManager[Fetch]]:
    @contextmanager
    def start(
        root: Path, options: dict[str, Any], log_dir: Path, media: Media | None
    ) -> Iterator[Fetch]:
        from pinknoise import PinkNoiseASGI

        app = PinkNoiseASGI(asgi_client.fallback_app, root, PREFIX, **options)
        if media is not None:
            app.add_media(media.root, MEDIA_PREFIX, **media.resolved_options())
        yield lambda method, target, headers=None: asgi_client.call(
            app, method, target, _fetch_headers(headers), pathsend=pathsend
        )

    return start


@contextmanager
def _rsgi(
    root: Path, options: dict[str, Any], log_dir: Path, media: Media | None
) -> Iterator[Fetch]:
    from pinknoise import PinkNoiseRSGI

    app = PinkNoiseRSGI(rsgi_client.fallback_app, root, PREFIX, **options)
    if media is not None:
        app.add_media(media.root, MEDIA_PREFIX, **media.resolved_options())
    yield lambda method, target, headers=None: rsgi_client.call(
        app, method, target, _fetch_headers(headers)
    )


@contextmanager
def _django_settings(root: Path, options: dict[str, Any], media: Media | None) -> Iterator[None]:
    """Django configured to serve ``root`` at ``/static/``, options as PINKNOISE_*, and
    ``media`` as MEDIA_ROOT at ``/media/`` with PINKNOISE_SERVE_MEDIA."""
    from tests.support.django_setup import ensure_configured

    ensure_configured()
    from django.test import override_settings

    values: dict[str, Any] = {"STATIC_ROOT": str(root), "STATIC_URL": PREFIX}
    for name, value in options.items():
        values[f"PINKNOISE_{name.upper()}"] = value
    if media is not None:
        values["MEDIA_ROOT"] = str(media.root)
        values["MEDIA_URL"] = MEDIA_PREFIX
        values["PINKNOISE_SERVE_MEDIA"] = True
        authorize = media.options.get("authorize")
        values["PINKNOISE_MEDIA_OPTIONS"] = {
            **media.options,
            **({"authorize": authorize.replace(":", ".")} if isinstance(authorize, str) else {}),
        }
    with override_settings(**values):
        yield


def _django_fetch(asynchronous: bool, wrapped: bool) -> Fetch:
    """A fetch through Django: its test clients (middleware) or ``wrap()``ed handlers."""
    if wrapped:
        from django.core.handlers.asgi import ASGIHandler
        from django.core.handlers.wsgi import WSGIHandler

        from pinknoise.django import wrap

        if asynchronous:
            asgi = wrap(ASGIHandler())
            return lambda method, target, headers=None: asgi_client.call(
                asgi, method, target, _fetch_headers(headers), pathsend=True
            )
        wsgi = wrap(WSGIHandler())
        return lambda method, target, headers=None: wsgi_client.call(
            wsgi, method, target, _fetch_headers(headers)
        )
    from django.test import AsyncClient, Client

    from tests.django.django_client import async_fetch, sync_fetch

    if asynchronous:
        async_client = AsyncClient()
        return lambda method, target, headers=None: async_fetch(
            async_client, method, target, _fetch_headers(headers)
        )
    client = Client()
    return lambda method, target, headers=None: sync_fetch(
        client, method, target, _fetch_headers(headers)
    )


def _django_starter(
    asynchronous: bool, wrapped: bool = False
) -> Callable[..., AbstractContextManager[Fetch]]:
    @contextmanager
    def start(
        root: Path, options: dict[str, Any], log_dir: Path, media: Media | None
    ) -> Iterator[Fetch]:
        with _django_settings(root, options, media):
            yield _django_fetch(asynchronous, wrapped)

    return start


def _server_argv(server: str, port: int, root: Path, media: Media | None) -> list[str]:
    host = ["--host", "127.0.0.1", "--port", str(port)]
    if server == "gunicorn":
        return gunicorn(f"{APP}:wsgi", port, "--worker-class", "gthread", "--threads", "4")
    if server == "uvicorn":
        return [str(BIN / "uvicorn"), *host, "--no-access-log", f"{APP}:asgi"]
    if server == "hypercorn":
        return [str(BIN / "hypercorn"), "--bind", f"127.0.0.1:{port}", f"{APP}:asgi"]
    if server == "granian":
        return [str(BIN / "granian"), "--interface", "asgi", *host, "--workers", "1",
                f"{APP}:asgi"]  # fmt: skip
    if server == "granian-rsgi":
        return [str(BIN / "granian"), "--interface", "rsgi", *host, "--workers", "1",
                f"{APP}:rsgi"]  # fmt: skip
    assert server == "serve"
    uploads = ["--media", f"{media.root}:{MEDIA_PREFIX}"] if media is not None else []
    return [str(BIN / "pinknoise"), "serve", str(root), "--prefix", PREFIX, "--port", str(port),
            "--quiet", *uploads]  # fmt: skip


#: Options ``pinknoise serve`` sets itself; any other option skips the test there.
_SERVE_OPTIONS = {"index_file": True}


def _http_starter(server: str) -> Callable[..., AbstractContextManager[Fetch]]:
    @contextmanager
    def start(
        root: Path, options: dict[str, Any], log_dir: Path, media: Media | None
    ) -> Iterator[Fetch]:
        if server == "serve" and any(
            _SERVE_OPTIONS.get(k, object()) != v for k, v in options.items()
        ):
            pytest.skip(f"pinknoise serve takes no option {sorted(options)}")
        if server == "serve" and media is not None and media.options:
            pytest.skip(f"pinknoise serve --media takes no option {sorted(media.options)}")
        port = free_port()
        config: dict[str, Any] = {"root": str(root), "prefix": PREFIX, "options": options}
        if media is not None:
            config["media"] = {"root": str(media.root), "options": media.options}
        env = {"PINKNOISE_TEST_CONFIG": json.dumps(config)}
        log = log_dir / f"{server}-{port}.log"
        argv = _server_argv(server, port, root, media)
        with run_server(argv, port, log, env=env) as running:
            yield lambda method, target, headers=None: http_request(
                port, method, target, _fetch_headers(headers)
            )
            text = running.log_text()
        assert "Traceback" not in text, text[-3000:]

    return start


IN_PROCESS = [
    Frontend("wsgi", _wsgi),
    Frontend("asgi", _asgi_starter(pathsend=False)),
    Frontend("asgi-pathsend", _asgi_starter(pathsend=True)),
    Frontend("rsgi", _rsgi),
    Frontend("django-sync", _django_starter(asynchronous=False)),
    Frontend("django-async", _django_starter(asynchronous=True)),
    Frontend("django-wrap-wsgi", _django_starter(asynchronous=False, wrapped=True)),
    Frontend("django-wrap-asgi", _django_starter(asynchronous=True, wrapped=True)),
]
OVER_HTTP = [
    Frontend(name, _http_starter(name), over_http=True)
    for name in ("gunicorn", "uvicorn", "hypercorn", "granian", "granian-rsgi", "serve")
]
ALL = IN_PROCESS + OVER_HTTP


def params(frontends: list[Frontend] = ALL) -> list[Any]:
    """``pytest.param`` for each front end; HTTP ones carry the ``server`` mark."""
    return [
        pytest.param(f, id=f.name, marks=[pytest.mark.server] if f.over_http else [])
        for f in frontends
    ]
