"""System checks (``manage.py check``) for the mistakes that make static files vanish.

Registered by the ``pinknoise.django`` and ``pinknoise.runserver_nostatic`` apps. Each
message has an id (``pinknoise.E001``...), so a deliberate setup can silence it with
``SILENCED_SYSTEM_CHECKS``.
"""

from __future__ import annotations

import difflib
import importlib
import os
from collections.abc import Sequence
from typing import Any, Final

import django
from django.apps import AppConfig
from django.conf import global_settings, settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from pinknoise.core.paths import is_within
from pinknoise.django.settings import (
    KNOWN_SETTINGS,
    PREFIX,
    WHITENOISE_EQUIVALENTS,
    read_config,
)

#: Coding -> (module it needs, pip extra that installs it).
CODING_LIBRARIES: Final = {"br": ("brotli", "brotli"), "zstd": ("zstandard", "zstd")}

MIDDLEWARE: Final = "pinknoise.middleware.PinkNoiseMiddleware"
SECURITY: Final = "django.middleware.security.SecurityMiddleware"
GZIP: Final = "django.middleware.gzip.GZipMiddleware"
WHITENOISE: Final = "whitenoise.middleware.WhiteNoiseMiddleware"
NOSTATIC_APP: Final = "pinknoise.runserver_nostatic"
STATICFILES_APP: Final = "django.contrib.staticfiles"


def register_checks() -> None:
    """Register every check once (Django keeps registered checks in a set)."""
    checks.register(check_middleware, checks.Tags.staticfiles)
    checks.register(check_settings, checks.Tags.staticfiles)
    checks.register(check_storage, checks.Tags.staticfiles)
    checks.register(check_apps, checks.Tags.staticfiles)
    checks.register(check_media, checks.Tags.staticfiles)


def check_middleware(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """PinkNoiseMiddleware present, once, right after SecurityMiddleware."""
    middleware = [str(path) for path in getattr(settings, "MIDDLEWARE", None) or []]
    ours = [index for index, path in enumerate(middleware) if _is_ours(path)]
    wrapped = _wrapped_entry_point()
    if not ours:
        if wrapped:
            return []  # wrap() serves the static files, before the middleware stack
        return [
            checks.Warning(
                "Neither wrap() nor PinkNoiseMiddleware is used, so pinknoise serves no "
                "static files.",
                hint="In wsgi.py/asgi.py: application = wrap(get_wsgi_application()) (from "
                f"pinknoise.django import wrap), or add {MIDDLEWARE!r} to MIDDLEWARE right "
                f"after {SECURITY!r}.",
                id="pinknoise.W001",
            )
        ]
    if wrapped:
        return [
            checks.Warning(
                f"{wrapped} is wrapped with pinknoise.django.wrap() and PinkNoiseMiddleware "
                "is in MIDDLEWARE too: wrap() answers every static request first, so the "
                "middleware only costs a lookup per request. Nothing else changes.",
                hint=f"Remove {MIDDLEWARE!r} from MIDDLEWARE, or stop wrapping (keep the "
                "middleware when other middleware must see static requests).",
                id="pinknoise.W010",
            )
        ]
    index = ours[0]
    messages: list[checks.CheckMessage] = []
    before = [path for path in middleware[:index] if path != SECURITY]
    if before:
        why = "they run on every static request, and can alter or re-encode its responses"
        if GZIP in before:
            why = (
                "GZipMiddleware there re-compresses static responses that pinknoise "
                "already serves precompressed, and weakens their ETags"
            )
        messages.append(
            checks.Warning(
                f"PinkNoiseMiddleware comes after {', '.join(before)}: {why}.",
                hint=f"Move {MIDDLEWARE!r} right after {SECURITY!r}, above everything else.",
                id="pinknoise.W002",
            )
        )
    if SECURITY in middleware[index + 1 :]:
        messages.append(
            checks.Warning(
                "SecurityMiddleware comes after PinkNoiseMiddleware, so static responses "
                "miss its headers (Strict-Transport-Security, X-Content-Type-Options).",
                hint=f"Put {SECURITY!r} first and {MIDDLEWARE!r} right after it.",
                id="pinknoise.W003",
            )
        )
    if WHITENOISE in middleware:
        messages.append(
            checks.Warning(
                "Both WhiteNoiseMiddleware and PinkNoiseMiddleware are in MIDDLEWARE.",
                hint=f"Remove {WHITENOISE!r}: pinknoise replaces it.",
                id="pinknoise.W004",
            )
        )
    return messages


def check_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Bad values, and names that look like a misspelt (or WhiteNoise) setting."""
    messages: list[checks.CheckMessage] = []
    try:
        config = read_config()
    except ImproperlyConfigured as error:
        messages.append(checks.Error(str(error), id="pinknoise.E002"))
    else:
        if config.static.prefix is None and _middleware_installed():
            messages.append(checks.Info(f"pinknoise: {config.static.reason}.", id="pinknoise.I001"))
        messages.extend(_missing_libraries(config.compress_encodings or ()))
    if hasattr(settings, "STATICFILES_STORAGE") and django.VERSION >= (5, 1):
        backend = str(settings.STATICFILES_STORAGE)
        if backend.startswith("whitenoise.storage."):
            backend = "pinknoise.storage." + backend.removeprefix("whitenoise.storage.")
        messages.append(
            checks.Warning(
                "STATICFILES_STORAGE is ignored since Django 5.1: collectstatic and "
                "{% static %} use STORAGES['staticfiles'] only.",
                hint=f'Set STORAGES["staticfiles"] = {{"BACKEND": "{backend}"}} '
                "and remove STATICFILES_STORAGE.",
                id="pinknoise.W008",
            )
        )
    defaults = {name for name in dir(global_settings) if name.isupper()}
    whitenoise_in_use = WHITENOISE in (getattr(settings, "MIDDLEWARE", None) or [])
    for name in sorted(dir(settings)):
        if (
            not name.isupper()
            or name in KNOWN_SETTINGS
            or name in defaults
            or name == "STATICFILES_STORAGE"
        ):
            continue
        if name.startswith("WHITENOISE_"):
            suffix = name.removeprefix("WHITENOISE_")
            if not whitenoise_in_use:
                hint = (
                    f"Rename it to {PREFIX}{suffix}."
                    if suffix in WHITENOISE_EQUIVALENTS
                    else "WhiteNoise has no such setting and there is no PINKNOISE_ "
                    "equivalent: remove it (docs/django.md lists the settings)."
                )
                messages.append(
                    checks.Warning(
                        f"{name} has no effect: pinknoise reads PINKNOISE_* settings.",
                        hint=hint,
                        id="pinknoise.W006",
                    )
                )
            continue
        prefixed = name.startswith(PREFIX)
        if prefixed:  # compare what follows the prefix, or every name would look close
            suffixes = sorted(known.removeprefix(PREFIX) for known in KNOWN_SETTINGS)
            suffix = name.removeprefix(PREFIX)
            close = [PREFIX + m for m in difflib.get_close_matches(suffix, suffixes, 1, 0.6)]
        else:  # another setting, unless it is very close to one of ours (PINKNOSIE_...)
            close = difflib.get_close_matches(name, sorted(KNOWN_SETTINGS), 1, 0.85)
        if prefixed or close:
            hint = f"Did you mean {close[0]}?" if close else "See docs/django.md for the settings."
            messages.append(
                checks.Warning(
                    f"{name} is not a pinknoise setting, so it has no effect.",
                    hint=hint,
                    id="pinknoise.W005",
                )
            )
    return messages


def _missing_libraries(codings: Sequence[str]) -> list[checks.CheckMessage]:
    """PINKNOISE_ENCODINGS naming a coding whose library does not import."""
    messages: list[checks.CheckMessage] = []
    for coding in codings:
        if coding not in CODING_LIBRARIES:
            continue
        module, extra = CODING_LIBRARIES[coding]
        try:
            importlib.import_module(module)
        except ImportError:
            messages.append(
                checks.Warning(
                    f"PINKNOISE_ENCODINGS names {coding!r}, but the {module!r} package does "
                    "not import, so collectstatic will fail.",
                    hint=f"pip install 'pinknoise[{extra}]', or remove {coding!r} from "
                    "PINKNOISE_ENCODINGS.",
                    id="pinknoise.W009",
                )
            )
    return messages


def check_storage(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """A pinknoise (or manifest) storage with no STATIC_ROOT to write to and read from."""
    if getattr(settings, "STATIC_ROOT", None):
        return []
    backend = (getattr(settings, "STORAGES", None) or {}).get("staticfiles", {}).get("BACKEND")
    if not backend:
        return []
    try:
        storage_class = import_string(backend)
    except ImportError:
        return []  # Django reports an unimportable backend itself
    from django.contrib.staticfiles.storage import ManifestFilesMixin

    from pinknoise.django.storage import _CollectMixin

    if not issubclass(storage_class, (_CollectMixin, ManifestFilesMixin)):
        return []
    location = (settings.STORAGES.get("staticfiles", {}).get("OPTIONS") or {}).get("location")
    if location:
        return []
    why = (
        "collectstatic writes, compresses and records the files there"
        if issubclass(storage_class, _CollectMixin)
        else "collectstatic writes the files there"
    )
    if issubclass(storage_class, ManifestFilesMixin):
        why += ", and every {% static %} reads the manifest from there"
    return [
        checks.Error(
            f"STATIC_ROOT is not set, but the staticfiles storage {backend} needs it: {why}.",
            hint="Set STATIC_ROOT to the directory collectstatic should fill, "
            "e.g. BASE_DIR / 'staticfiles'.",
            id="pinknoise.E001",
        )
    ]


def check_apps(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """``pinknoise.runserver_nostatic`` only works above ``django.contrib.staticfiles``."""
    installed = [str(app) for app in getattr(settings, "INSTALLED_APPS", [])]
    names = [app.split(".apps.")[0] for app in installed]  # "x.apps.XConfig" -> "x"
    if (
        NOSTATIC_APP in names
        and STATICFILES_APP in names
        and names.index(STATICFILES_APP) < names.index(NOSTATIC_APP)
    ):
        return [
            checks.Warning(
                f"{NOSTATIC_APP} comes after {STATICFILES_APP} in INSTALLED_APPS, so "
                f"runserver still serves static files itself.",
                hint=f"List {NOSTATIC_APP!r} before {STATICFILES_APP!r}.",
                id="pinknoise.W007",
            )
        ]
    return []


def check_media(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Uploads that would not be served, or would be served as static files.

    With ``PINKNOISE_SERVE_MEDIA``: ``MEDIA_ROOT`` and a ``MEDIA_URL`` path on this
    site must be set. Whether or not it is on: ``MEDIA_ROOT`` must not be, or lie
    inside, ``STATIC_ROOT`` (nor the other way round), or uploads are served from the
    static catalog, without the media headers (nosniff, sandboxed downloads).
    """
    messages: list[checks.CheckMessage] = []
    try:
        config = read_config()
    except ImproperlyConfigured:
        return []  # check_settings reports it (pinknoise.E002)
    media = config.media
    if media is not None and media.root is None:
        messages.append(
            checks.Error(
                f"PINKNOISE_SERVE_MEDIA is on, but {media.reason}, so uploads are not served.",
                hint="Set MEDIA_ROOT to the upload directory and MEDIA_URL to a path on this "
                "site, such as '/media/'; or, for uploads on object storage or another host, "
                "remove PINKNOISE_SERVE_MEDIA.",
                id="pinknoise.E003",
            )
        )
    media_root = getattr(settings, "MEDIA_ROOT", None)
    static_root = config.static_root
    if media_root and static_root:
        media_real = os.path.realpath(os.fspath(media_root))
        static_real = os.path.realpath(static_root)
        if is_within(media_real, static_real) or is_within(static_real, media_real):
            where = "is" if media_real == static_real else "overlaps"
            messages.append(
                checks.Error(
                    f"MEDIA_ROOT {where} STATIC_ROOT ({media_root} and {static_root}): "
                    "uploads would be served as static files (cached, without the media "
                    "headers that stop an uploaded page or SVG from running script), and "
                    "collectstatic writes where users upload.",
                    hint="Give uploads a directory of their own, outside STATIC_ROOT, "
                    "e.g. MEDIA_ROOT = BASE_DIR / 'media'.",
                    id="pinknoise.E004",
                )
            )
    return messages


def _wrapped_entry_point() -> str | None:
    """The dotted path of an entry point wrapped with ``wrap()``, or None.

    ``WSGI_APPLICATION`` names the WSGI one; the ASGI one is looked for next to it
    (``project.asgi.application``), as ``startproject`` lays them out. An entry point
    that cannot be imported here is not ours to judge.
    """
    from pinknoise.django.wrapper import WrappedASGI, WrappedWSGI, inspecting

    wsgi = getattr(settings, "WSGI_APPLICATION", None)
    candidates = [wsgi, getattr(settings, "ASGI_APPLICATION", None)]
    if isinstance(wsgi, str) and ".wsgi." in wsgi:
        candidates.append(wsgi.replace(".wsgi.", ".asgi."))
    for path in candidates:
        if not isinstance(path, str):
            continue
        try:
            with inspecting():
                application = import_string(path)
        except Exception:  # any error importing a user's module: not for a check to raise
            continue
        if isinstance(application, WrappedWSGI | WrappedASGI):
            return path
    return None


def _is_ours(path: str) -> bool:
    if path in (MIDDLEWARE, "pinknoise.django.middleware.PinkNoiseMiddleware"):
        return True
    from pinknoise.django.middleware import PinkNoiseMiddleware

    try:
        imported = import_string(path)
    except ImportError:
        return False
    return isinstance(imported, type) and issubclass(imported, PinkNoiseMiddleware)


def _middleware_installed() -> bool:
    return any(_is_ours(str(path)) for path in getattr(settings, "MIDDLEWARE", None) or [])
