"""System checks and the runserver_nostatic app."""

from __future__ import annotations

import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.checks import CheckMessage
from django.core.management import call_command, load_command_class
from django.core.management.base import SystemCheckError
from pytest_django.fixtures import Settings as SettingsWrapper

from pinknoise.django.checks import (
    check_apps,
    check_media,
    check_middleware,
    check_settings,
    check_storage,
)

SECURITY = "django.middleware.security.SecurityMiddleware"
OURS = "pinknoise.middleware.PinkNoiseMiddleware"
SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
GZIP = "django.middleware.gzip.GZipMiddleware"


def ids(messages: list[CheckMessage]) -> list[str]:
    return [str(message.id) for message in messages]


def test_good_middleware_order_passes(settings: SettingsWrapper) -> None:
    settings.MIDDLEWARE = [SECURITY, OURS, SESSION]
    assert check_middleware() == []
    settings.MIDDLEWARE = [OURS, SESSION]  # no SecurityMiddleware at all: ours first is fine
    assert check_middleware() == []


def test_missing_middleware(settings: SettingsWrapper) -> None:
    settings.MIDDLEWARE = [SECURITY, SESSION]
    (message,) = check_middleware()
    assert message.id == "pinknoise.W001"
    assert OURS in str(message.hint)
    assert "wrap(" in str(message.hint)


WRAPPED = "tests.django.wrapped_entry.application"


def test_wrap_without_middleware_passes(settings: SettingsWrapper) -> None:
    settings.WSGI_APPLICATION = WRAPPED
    settings.MIDDLEWARE = [SECURITY, SESSION]
    assert check_middleware() == []


def test_wrap_and_middleware_both_warn(settings: SettingsWrapper) -> None:
    settings.WSGI_APPLICATION = WRAPPED
    settings.MIDDLEWARE = [SECURITY, OURS, SESSION]
    (message,) = check_middleware()
    assert message.id == "pinknoise.W010"
    assert WRAPPED in message.msg
    assert "Nothing else changes" in message.msg


def test_unimportable_entry_point_is_not_judged(settings: SettingsWrapper) -> None:
    settings.WSGI_APPLICATION = "no.such.module.application"
    settings.MIDDLEWARE = [SECURITY, SESSION]
    assert ids(check_middleware()) == ["pinknoise.W001"]


def test_middleware_below_others(settings: SettingsWrapper) -> None:
    settings.MIDDLEWARE = [SECURITY, SESSION, OURS]
    (message,) = check_middleware()
    assert message.id == "pinknoise.W002"
    assert SESSION in message.msg


def test_gzip_above_us_is_explained(settings: SettingsWrapper) -> None:
    settings.MIDDLEWARE = [GZIP, SECURITY, OURS]
    (message,) = check_middleware()
    assert message.id == "pinknoise.W002"
    assert "re-compresses" in message.msg


def test_security_below_us(settings: SettingsWrapper) -> None:
    settings.MIDDLEWARE = [OURS, SECURITY]
    assert ids(check_middleware()) == ["pinknoise.W003"]


def test_subclass_counts_as_ours(settings: SettingsWrapper) -> None:
    settings.MIDDLEWARE = [SECURITY, "tests.django.test_django_checks.MyMiddleware"]
    assert check_middleware() == []


def test_whitenoise_alongside(settings: SettingsWrapper) -> None:
    settings.MIDDLEWARE = [SECURITY, OURS, "whitenoise.middleware.WhiteNoiseMiddleware"]
    assert ids(check_middleware()) == ["pinknoise.W004"]


from pinknoise.middleware import PinkNoiseMiddleware  # noqa: E402


class MyMiddleware(PinkNoiseMiddleware):
    pass


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("PINKNOISE_MAXAGE", "PINKNOISE_MAX_AGE"),
        ("PINKNOISE_KEEP_ONLY_HASHED", "PINKNOISE_KEEP_ONLY_HASHED_FILES"),
        ("PINKNOSIE_AUTOREFRESH", "PINKNOISE_AUTOREFRESH"),
        ("PINK_NOISE_INDEX_FILE", "PINKNOISE_INDEX_FILE"),
        ("PINKNOISE_ENCODING", "PINKNOISE_ENCODINGS"),
    ],
)
def test_typo_gets_a_suggestion(settings: SettingsWrapper, name: str, suggestion: str) -> None:
    setattr(settings, name, 1)
    warnings = [m for m in check_settings() if m.id == "pinknoise.W005"]
    assert [m.msg for m in warnings] == [f"{name} is not a pinknoise setting, so it has no effect."]
    assert warnings[0].hint == f"Did you mean {suggestion}?"


def test_unrelated_settings_are_left_alone(settings: SettingsWrapper) -> None:
    settings.MY_APP_TIMEOUT = 3
    settings.STATIC_ROOTS = "x"
    settings.PAGINATE_BY = 10
    assert check_settings() == []


def test_unknown_pinknoise_setting_without_a_close_match(settings: SettingsWrapper) -> None:
    settings.PINKNOISE_FROBNICATE = True
    (message,) = check_settings()
    assert message.id == "pinknoise.W005"
    assert "docs/django.md" in str(message.hint)


def test_whitenoise_settings_left_over(settings: SettingsWrapper) -> None:
    settings.WHITENOISE_MAX_AGE = 600
    (message,) = check_settings()
    assert message.id == "pinknoise.W006"
    assert message.hint == "Rename it to PINKNOISE_MAX_AGE."


def test_whitenoise_setting_without_an_equivalent(settings: SettingsWrapper) -> None:
    settings.WHITENOISE_USE_GZIP = True  # neither WhiteNoise 6 nor pinknoise reads it
    (message,) = check_settings()
    assert message.id == "pinknoise.W006"
    assert "WHITENOISE_USE_GZIP" in message.msg
    assert "no PINKNOISE_ equivalent" in str(message.hint)


def test_whitenoise_settings_are_fine_while_whitenoise_serves(settings: SettingsWrapper) -> None:
    settings.MIDDLEWARE = ["whitenoise.middleware.WhiteNoiseMiddleware"]
    settings.WHITENOISE_MAX_AGE = 600
    settings.WHITENOISE_USE_GZIP = True
    assert check_settings() == []


def test_staticfiles_storage_left_over(settings: SettingsWrapper) -> None:
    settings.STATICFILES_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
    (message,) = check_settings()
    assert message.id == "pinknoise.W008"
    assert "ignored since Django 5.1" in message.msg
    assert 'STORAGES["staticfiles"]' in str(message.hint)
    assert "pinknoise.storage.CompressedManifestStaticFilesStorage" in str(message.hint)


@pytest.mark.parametrize(
    ("coding", "module", "extra"), [("br", "brotli", "brotli"), ("zstd", "zstandard", "zstd")]
)
def test_encoding_without_its_library(
    settings: SettingsWrapper,
    monkeypatch: pytest.MonkeyPatch,
    coding: str,
    module: str,
    extra: str,
) -> None:
    settings.PINKNOISE_ENCODINGS = [coding, "gzip"]
    assert check_settings() == []
    monkeypatch.setitem(sys.modules, module, None)  # what import sees when it is missing
    (message,) = check_settings()
    assert message.id == "pinknoise.W009"
    assert f"'{coding}'" in message.msg
    assert f"'{module}'" in message.msg
    assert f"pip install 'pinknoise[{extra}]'" in str(message.hint)


def test_invalid_value_is_an_error(settings: SettingsWrapper) -> None:
    settings.PINKNOISE_MAX_AGE = "forever"
    (message,) = check_settings()
    assert message.id == "pinknoise.E002"
    assert message.msg.startswith("PINKNOISE_MAX_AGE: ")


def test_static_url_elsewhere_is_a_note(settings: SettingsWrapper) -> None:
    settings.STATIC_URL = "https://cdn.example.com/static/"
    (message,) = check_settings()
    assert message.id == "pinknoise.I001"
    assert "PINKNOISE_STATIC_PREFIX" in message.msg


@pytest.mark.parametrize(
    "backend",
    [
        "pinknoise.storage.CompressedManifestStaticFilesStorage",
        "pinknoise.storage.CompressedStaticFilesStorage",
        "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
    ],
)
def test_storage_needs_static_root(settings: SettingsWrapper, backend: str) -> None:
    settings.STATIC_ROOT = None
    settings.STORAGES = {"staticfiles": {"BACKEND": backend}}
    (message,) = check_storage()
    assert message.id == "pinknoise.E001"
    assert backend in message.msg
    settings.STATIC_ROOT = "/srv/static"
    assert check_storage() == []


def test_plain_django_storage_without_static_root_is_fine(settings: SettingsWrapper) -> None:
    settings.STATIC_ROOT = None
    settings.STORAGES = {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }
    assert check_storage() == []


def test_runserver_nostatic_order(settings: SettingsWrapper) -> None:
    settings.INSTALLED_APPS = ["django.contrib.staticfiles", "pinknoise.runserver_nostatic"]
    assert ids(check_apps()) == ["pinknoise.W007"]
    settings.INSTALLED_APPS = ["pinknoise.runserver_nostatic", "django.contrib.staticfiles"]
    assert check_apps() == []


def test_checks_run_through_manage_py_check(settings: SettingsWrapper) -> None:
    """The app registered them: Django's own check command reports ours."""
    settings.STATIC_ROOT = None
    settings.STORAGES = {
        "staticfiles": {"BACKEND": "pinknoise.storage.CompressedManifestStaticFilesStorage"}
    }
    with pytest.raises(SystemCheckError, match=r"pinknoise\.E001"):
        call_command("check", stdout=StringIO(), stderr=StringIO())


def test_runserver_nostatic_turns_the_static_handler_off(settings: SettingsWrapper) -> None:
    settings.INSTALLED_APPS = [
        "pinknoise.runserver_nostatic",
        "django.contrib.staticfiles",
        "pinknoise.django",
    ]
    command = load_command_class("pinknoise.runserver_nostatic", "runserver")
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.contrib.staticfiles.management.commands.runserver import (
        Command as StaticfilesRunserver,
    )

    assert isinstance(command, StaticfilesRunserver)
    parser = command.create_parser("manage.py", "runserver")
    options = vars(parser.parse_args([]))
    assert options["use_static_handler"] is False
    assert not isinstance(command.get_handler(**options), StaticFilesHandler)
    assert "pinknoise" in (parser.description or "")
    # --nostatic is still accepted (scripts that pass it keep working).
    assert vars(parser.parse_args(["--nostatic"]))["use_static_handler"] is False


@pytest.mark.parametrize(
    ("media_root", "media_url", "reason"),
    [
        (None, "/media/", "MEDIA_ROOT is not set"),
        ("/srv/uploads", "", "MEDIA_URL is '/'"),  # Django reads "" as the script prefix
        ("/srv/uploads", "https://files.example.com/media/", "names another host"),
        ("/srv/uploads", "/", "MEDIA_URL is '/'"),
    ],
)
def test_serve_media_needs_a_root_and_a_path(
    settings: SettingsWrapper, media_root: str | None, media_url: str, reason: str
) -> None:
    settings.PINKNOISE_SERVE_MEDIA = True
    settings.MEDIA_ROOT = media_root
    settings.MEDIA_URL = media_url
    (message,) = check_media()
    assert message.id == "pinknoise.E003"
    assert reason in message.msg
    settings.PINKNOISE_SERVE_MEDIA = False
    assert check_media() == []


def test_serve_media_with_a_root_and_a_path_passes(
    settings: SettingsWrapper, tmp_path: Path
) -> None:
    settings.PINKNOISE_SERVE_MEDIA = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_URL = "/uploads/"
    settings.STATIC_ROOT = tmp_path / "static"
    assert check_media() == []


@pytest.mark.parametrize("media", ["static", "static/uploads"])
def test_media_root_inside_static_root(
    settings: SettingsWrapper, tmp_path: Path, media: str
) -> None:
    settings.STATIC_ROOT = str(tmp_path / "static")
    settings.MEDIA_ROOT = str(tmp_path / media)
    (message,) = check_media()  # whether pinknoise serves the uploads or not
    assert message.id == "pinknoise.E004"
    assert ("MEDIA_ROOT is STATIC_ROOT" in message.msg) == (media == "static")


def test_static_root_inside_media_root(settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STATIC_ROOT = str(tmp_path / "static")
    assert ids(check_media()) == ["pinknoise.E004"]


def test_bad_media_options_are_an_error(settings: SettingsWrapper) -> None:
    settings.PINKNOISE_SERVE_MEDIA = True
    settings.MEDIA_ROOT = "/srv/uploads"
    settings.PINKNOISE_MEDIA_OPTIONS = {"inline_type": ["image/svg+xml"]}
    (message,) = check_settings()
    assert message.id == "pinknoise.E002"
    assert "inline_types" in message.msg
