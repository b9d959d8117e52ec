"""``wrap(application)``: pinknoise in front of Django, before its request machinery.

Through :class:`~pinknoise.django.middleware.PinkNoiseMiddleware` a static hit still
pays for Django's handler: request object, middleware chain and, under ASGI, thread
hops (about 130 us per hit under WSGI and 2,200 us under ASGI, against 3-8 us and
27 us answered in front of Django). ``wrap`` answers static paths first, with exactly
the middleware's configuration, and hands everything else to Django untouched::

    application = wrap(get_wsgi_application())   # wsgi.py
    application = wrap(get_asgi_application())   # asgi.py

It returns the matching kind. The headers Django's SecurityMiddleware would add to a
static response are added, computed from settings once (HSTS per request, for secure
requests only), so a file gets the same headers through ``wrap()`` and the middleware.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

from asgiref.sync import iscoroutinefunction

from pinknoise.asgi import PinkNoiseASGI, Receive, Scope, Send
from pinknoise.wsgi import PinkNoise

log = logging.getLogger("pinknoise")

SECURITY_MIDDLEWARE: Final = "django.middleware.security.SecurityMiddleware"

#: Set while a system check imports a project's entry point only to see whether it
#: uses ``wrap()``: the wrapper is then built on its first request instead of at import.
_INSPECTING: Final = contextvars.ContextVar("pinknoise_inspecting", default=False)


@contextlib.contextmanager
def inspecting() -> Iterator[None]:
    """Import entry points without building their servers (see ``checks.py``).

    Every ``manage.py`` command runs the checks, ``collectstatic`` included: scanning
    STATIC_ROOT there is wasted work, and on a first deploy, when STATIC_ROOT does not
    exist yet, it warned that the root is missing. A module imported here stays in
    ``sys.modules``, so a server later started in the same process (``runserver``)
    builds on its first request, with the settings as they are then.
    """
    token = _INSPECTING.set(True)
    try:
        yield
    finally:
        _INSPECTING.reset(token)


def wrap(application: Any) -> Any:
    """Serve static files in front of a Django WSGI or ASGI ``application``.

    May be called at import time, before or after ``django.setup()``: the settings
    are read at once if Django is ready, else on the first request.
    """
    if iscoroutinefunction(application) or iscoroutinefunction(type(application).__call__):
        return WrappedASGI(application)
    return WrappedWSGI(application)


class SecurityHeaders:
    """What SecurityMiddleware adds to every response, read from settings once."""

    def __init__(self) -> None:
        from django.conf import settings

        self.enabled = SECURITY_MIDDLEWARE in getattr(settings, "MIDDLEWARE", ())
        always: list[tuple[str, str]] = []
        if self.enabled:
            if settings.SECURE_CONTENT_TYPE_NOSNIFF:
                always.append(("X-Content-Type-Options", "nosniff"))
            policy = settings.SECURE_REFERRER_POLICY
            if policy:
                values = policy.split(",") if isinstance(policy, str) else policy
                always.append(("Referrer-Policy", ",".join(v.strip() for v in values)))
            if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
                coop = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
                always.append(("Cross-Origin-Opener-Policy", coop))
        self.always = always
        hsts = ""
        if self.enabled and settings.SECURE_HSTS_SECONDS:
            hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
            if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
                hsts += "; includeSubDomains"
            if settings.SECURE_HSTS_PRELOAD:
                hsts += "; preload"
        self.secure = [*always, ("Strict-Transport-Security", hsts)] if hsts else always
        #: SECURE_PROXY_SSL_HEADER as (WSGI environ key, expected value), or None.
        proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        self.proxy: tuple[str, str] | None = (proxy[0], proxy[1]) if proxy else None

    def for_environ(self, environ: Mapping[str, Any]) -> list[tuple[str, str]]:
        if self.secure is self.always:
            return self.always
        secure = environ.get("wsgi.url_scheme") == "https" or (
            self.proxy is not None and environ.get(self.proxy[0]) == self.proxy[1]
        )
        return self.secure if secure else self.always


class _Deferred:
    """Builds the static adapter from Django's settings once Django is ready."""

    _adapter: Any = None

    def __init__(self, application: Any) -> None:
        self.application = application
        self._lock = threading.Lock()
        from django.apps import apps

        if apps.ready and not _INSPECTING.get():
            self._build()

    def _build(self) -> Any:
        with self._lock:
            if self._adapter is None:
                self._adapter = self._make()
        return self._adapter

    def _make(self) -> Any:
        raise NotImplementedError

    def _server(self) -> Any:
        from pinknoise.django.middleware import build_server
        from pinknoise.django.settings import read_config

        config = read_config()
        server, roots = build_server(config)
        if not roots:
            why = config.static.reason or "STATIC_ROOT is not set"
            log.info("pinknoise: wrap() has nothing to serve (%s); Django answers all", why)
            return None
        return server


class WrappedWSGI(_Deferred):
    """A WSGI callable: static files first, then the Django application."""

    def _make(self) -> Callable[..., Any]:
        server = self._server()
        if server is None:
            return self.application  # type: ignore[no-any-return]
        adapter = PinkNoise(self.application)
        adapter.server = server
        security = SecurityHeaders()
        if security.enabled:
            adapter.added_headers = security.for_environ
        return adapter

    def __call__(self, environ: Any, start_response: Any) -> Any:
        adapter = self._adapter or self._build()
        return adapter(environ, start_response)


class WrappedASGI(_Deferred):
    """An ASGI application: static files first, then Django (lifespan, websockets...)."""

    def _make(self) -> Any:
        server = self._server()
        if server is None:
            return self.application
        adapter = PinkNoiseASGI(self.application)
        adapter.server = server
        security = SecurityHeaders()
        if security.enabled:
            always = _encode(security.always)
            secure = always if security.secure is security.always else _encode(security.secure)
            proxy = security.proxy
            proxy_name = (
                proxy[0].removeprefix("HTTP_").lower().replace("_", "-").encode("latin-1")
                if proxy
                else b""
            )
            proxy_value = proxy[1].encode("latin-1") if proxy else b""

            adapter.added_raw = always  # constant: encoded once, cached per response
            if secure is not always:
                hsts = secure[len(always) :]

                def added(scope: Scope) -> list[tuple[bytes, bytes]]:
                    if scope.get("scheme") in ("https", "wss") or (
                        proxy_name
                        and any(n == proxy_name and v == proxy_value for n, v in scope["headers"])
                    ):
                        return hsts
                    return []

                adapter.added_headers = added
        return adapter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        adapter = self._adapter or self._build()
        await adapter(scope, receive, send)


def _encode(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
