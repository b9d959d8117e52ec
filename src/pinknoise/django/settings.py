"""``PINKNOISE_*`` Django settings, read and validated in one place.

The middleware, the storage backends and the system checks all read settings through
:func:`read_config`, so a value is interpreted the same way everywhere and a bad one is
reported with the name of the setting that holds it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import urlsplit

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from pinknoise.compress.deltas import DEFAULT_KEEP_OLD_VERSIONS
from pinknoise.core.codings import validate_codings
from pinknoise.core.options import Options, make_options

PREFIX: Final = "PINKNOISE_"

#: Settings passed straight to the core as options: setting suffix -> option name.
#: Every core option has one (``max_age`` -> ``PINKNOISE_MAX_AGE``), new ones included.
OPTION_SETTINGS: Final[Mapping[str, str]] = {
    name.upper(): name for name in Options.__dataclass_fields__
}

#: Settings pinknoise reads itself (where to serve from, collectstatic behaviour).
OTHER_SETTINGS: Final = (
    "ROOT",
    "STATIC_PREFIX",
    "USE_FINDERS",
    "KEEP_ONLY_HASHED_FILES",
    "MANIFEST_STRICT",
    "MISSING_REFERENCES",
    "SKIP_COMPRESS_EXTENSIONS",
    "KEEP_OLD_VERSIONS",
    "SERVE_MEDIA",
    "MEDIA_OPTIONS",
)

#: Every setting name pinknoise understands (the typo check compares against these).
KNOWN_SETTINGS: Final = frozenset(PREFIX + name for name in (*OPTION_SETTINGS, *OTHER_SETTINGS))

#: WhiteNoise's setting names that have a ``PINKNOISE_`` equivalent of the same suffix.
WHITENOISE_EQUIVALENTS: Final = frozenset(
    {
        "ROOT",
        "STATIC_PREFIX",
        "MAX_AGE",
        "IMMUTABLE_FILE_TEST",
        "AUTOREFRESH",
        "USE_FINDERS",
        "INDEX_FILE",
        "MIMETYPES",
        "CHARSET",
        "ALLOW_ALL_ORIGINS",
        "ADD_HEADERS_FUNCTION",
        "KEEP_ONLY_HASHED_FILES",
        "MANIFEST_STRICT",
        "SKIP_COMPRESS_EXTENSIONS",
    }
)

MissingReferences = Literal["error", "warn"]


@dataclass(frozen=True, slots=True)
class StaticLocation:
    """Where ``STATIC_ROOT`` is served, or why it is not."""

    #: URL path prefix (``/static/``) relative to the script name, or None: not ours.
    prefix: str | None
    #: Why ``prefix`` is None, for logs and system checks.
    reason: str = ""


@dataclass(frozen=True, slots=True)
class MediaLocation:
    """Where ``MEDIA_ROOT`` is served with ``PINKNOISE_SERVE_MEDIA``, or why it is not."""

    #: The directory, or None when media is not served (``reason`` says why).
    root: str | None
    #: URL path prefix (``/media/``) relative to the script name.
    prefix: str | None
    #: ``add_media`` options from ``PINKNOISE_MEDIA_OPTIONS``, validated.
    options: Mapping[str, Any]
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Config:
    """Everything the Django integration needs, validated."""

    options: Options
    #: True when ``PINKNOISE_IMMUTABLE_FILE_TEST`` was set (else the manifest decides).
    explicit_immutable_test: bool
    static: StaticLocation
    static_root: str | None
    root: str | None
    use_finders: bool
    keep_only_hashed_files: bool
    manifest_strict: bool | None
    missing_references: MissingReferences
    #: Replaces the compressor's default skip list when not None (as in WhiteNoise).
    skip_compress_extensions: tuple[str, ...] | None
    #: Codings collectstatic writes; None means every one whose library is installed.
    compress_encodings: tuple[str, ...] | None
    #: Previous hashed versions collectstatic keeps per file; None keeps them all.
    keep_old_versions: int | None
    #: ``PINKNOISE_SERVE_MEDIA``: where uploads are served; None when it is off.
    media: MediaLocation | None = None


def read_config(settings: Any = None) -> Config:
    """Read every ``PINKNOISE_*`` setting; raise ImproperlyConfigured naming a bad one.

    In DEBUG, ``AUTOREFRESH`` and ``USE_FINDERS`` default to True and ``MAX_AGE`` to 0,
    so ``runserver`` shows edited files at once, without ``collectstatic``.
    """
    settings = django_settings if settings is None else settings
    debug = bool(getattr(settings, "DEBUG", False))
    given: dict[str, Any] = {}
    for suffix, option in OPTION_SETTINGS.items():
        name = PREFIX + suffix
        if hasattr(settings, name):
            value = getattr(settings, name)
            if option == "immutable_file_test" and value is None:
                continue  # WhiteNoise's "no custom test": pinknoise's default applies
            try:
                make_options(**{option: value})
            except (TypeError, ValueError) as error:
                raise ImproperlyConfigured(f"{name}: {error}") from None
            given[option] = value
    explicit_test = "immutable_file_test" in given
    given.setdefault("autorefresh", debug)
    given.setdefault("max_age", 0 if debug else 60)
    options = make_options(**given)

    encodings = None
    if hasattr(settings, PREFIX + "ENCODINGS"):
        encodings = validate_codings(getattr(settings, PREFIX + "ENCODINGS"))

    return Config(
        options=options,
        explicit_immutable_test=explicit_test,
        static=static_location(settings),
        static_root=_optional_path(settings, "STATIC_ROOT", getattr(settings, "STATIC_ROOT", None)),
        root=_optional_path(settings, PREFIX + "ROOT", getattr(settings, PREFIX + "ROOT", None)),
        use_finders=_flag(settings, "USE_FINDERS", debug),
        keep_only_hashed_files=_flag(settings, "KEEP_ONLY_HASHED_FILES", False),
        manifest_strict=_manifest_strict(settings),
        missing_references=_missing_references(settings),
        skip_compress_extensions=_skip_extensions(settings),
        compress_encodings=encodings,
        keep_old_versions=_keep_old_versions(settings),
        media=media_location(settings) if _flag(settings, "SERVE_MEDIA", False) else None,
    )


def media_location(settings: Any = None) -> MediaLocation:
    """Where ``PINKNOISE_SERVE_MEDIA`` serves ``MEDIA_ROOT``: at ``MEDIA_URL``'s path.

    A missing or unusable ``MEDIA_ROOT``/``MEDIA_URL`` is not an exception here: media
    is then not served, and the system check (``pinknoise.E003``) says why.
    """
    settings = django_settings if settings is None else settings
    options = _media_options(settings)
    root = _optional_path(settings, "MEDIA_ROOT", getattr(settings, "MEDIA_ROOT", None))
    location = url_location(settings, "MEDIA_URL")
    if root is None:
        return MediaLocation(None, None, options, "MEDIA_ROOT is not set")
    if location.prefix is None:
        return MediaLocation(None, None, options, location.reason)
    if location.prefix == "/":
        reason = "MEDIA_URL is '/': every URL of the site would be looked up in MEDIA_ROOT"
        return MediaLocation(None, None, options, reason)
    return MediaLocation(root, location.prefix, options)


def _media_options(settings: Any) -> Mapping[str, Any]:
    """``PINKNOISE_MEDIA_OPTIONS``: ``add_media`` options; ``authorize`` may be a dotted path."""
    from django.utils.module_loading import import_string

    from pinknoise.core.media import make_media_options

    name = PREFIX + "MEDIA_OPTIONS"
    value = getattr(settings, name, None) or {}
    if not isinstance(value, Mapping):
        raise ImproperlyConfigured(f"{name} must be a dict of media options, got {value!r}")
    options = dict(value)
    authorize = options.get("authorize")
    if isinstance(authorize, str):
        try:
            options["authorize"] = import_string(authorize)
        except ImportError as error:
            raise ImproperlyConfigured(f"{name}['authorize']: {error}") from None
    try:
        make_media_options(**options)
    except (TypeError, ValueError) as error:
        raise ImproperlyConfigured(f"{name}: {error}") from None
    return options


def _keep_old_versions(settings: Any) -> int | None:
    name = PREFIX + "KEEP_OLD_VERSIONS"
    value = getattr(settings, name, DEFAULT_KEEP_OLD_VERSIONS)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ImproperlyConfigured(f"{name}: must be a number >= 0 or None, got {value!r}")
    return value


def static_location(settings: Any = None) -> StaticLocation:
    """The URL path prefix for ``STATIC_ROOT``, from ``STATIC_URL`` unless overridden.

    ``FORCE_SCRIPT_NAME`` (or the script prefix Django put in front of a relative
    ``STATIC_URL``) is removed, because the middleware matches ``request.path_info``.
    An absolute ``STATIC_URL`` with a host (``https://cdn.example.com/static/``) names
    another server: nothing is served for it, unless ``PINKNOISE_STATIC_PREFIX`` says
    where this app should answer (a CDN pulling from the app).
    """
    settings = django_settings if settings is None else settings
    explicit = getattr(settings, PREFIX + "STATIC_PREFIX", None)
    if explicit is not None:
        if not isinstance(explicit, str):
            raise ImproperlyConfigured(
                f"{PREFIX}STATIC_PREFIX must be a URL path like '/static/', got {explicit!r}"
            )
        return StaticLocation(_normalize(urlsplit(explicit).path))
    return url_location(settings, "STATIC_URL")


def url_location(settings: Any, setting: Literal["STATIC_URL", "MEDIA_URL"]) -> StaticLocation:
    """The URL path prefix ``STATIC_URL`` or ``MEDIA_URL`` names on this app, or why none.

    An absolute URL with a host names another server (a CDN, object storage): nothing
    is served for it here.
    """
    root = setting.replace("_URL", "_ROOT")
    url = getattr(settings, setting, None)
    if not url:
        return StaticLocation(None, f"{setting} is not set, so {root} has no URL")
    url = str(url)
    parts = urlsplit(url)
    if parts.netloc:
        reason = f"{setting} {url!r} names another host, so pinknoise does not serve {root}"
        if setting == "STATIC_URL":
            reason += (
                f"; if that host is a CDN that fetches from this app, set "
                f"{PREFIX}STATIC_PREFIX = {parts.path or '/'!r}"
            )
        return StaticLocation(None, reason)
    path = parts.path
    for script in (getattr(settings, "FORCE_SCRIPT_NAME", None), _script_prefix()):
        script = (script or "").rstrip("/")
        if script and path.startswith(script + "/"):
            path = path[len(script) :]
            break
    return StaticLocation(_normalize(path))


def _script_prefix() -> str:
    from django.urls import get_script_prefix

    return get_script_prefix()


def _normalize(path: str) -> str:
    stripped = path.strip("/")
    return f"/{stripped}/" if stripped else "/"


def _flag(settings: Any, suffix: str, default: bool) -> bool:
    value = getattr(settings, PREFIX + suffix, default)
    if not isinstance(value, bool):
        raise ImproperlyConfigured(f"{PREFIX}{suffix} must be True or False, got {value!r}")
    return value


def _optional_path(settings: Any, name: str, value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, (str, os.PathLike)):
        raise ImproperlyConfigured(f"{name} must be a directory path, got {value!r}")
    return os.fspath(value)


def _manifest_strict(settings: Any) -> bool | None:
    value = getattr(settings, PREFIX + "MANIFEST_STRICT", None)
    if value is not None and not isinstance(value, bool):
        raise ImproperlyConfigured(f"{PREFIX}MANIFEST_STRICT must be True or False, got {value!r}")
    return value


def _missing_references(settings: Any) -> MissingReferences:
    value = getattr(settings, PREFIX + "MISSING_REFERENCES", "error")
    if value == "error":
        return "error"
    if value == "warn":
        return "warn"
    raise ImproperlyConfigured(
        f"{PREFIX}MISSING_REFERENCES must be 'error' or 'warn', got {value!r}"
    )


def _skip_extensions(settings: Any) -> tuple[str, ...] | None:
    value = getattr(settings, PREFIX + "SKIP_COMPRESS_EXTENSIONS", None)
    if value is None:
        return None
    if not isinstance(value, (list, tuple, set, frozenset)) or not all(
        isinstance(item, str) for item in value
    ):
        raise ImproperlyConfigured(
            f"{PREFIX}SKIP_COMPRESS_EXTENSIONS must be a list of extensions like "
            f"['jpg', 'png'], got {value!r}"
        )
    return tuple(value)
