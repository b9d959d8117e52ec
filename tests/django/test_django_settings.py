"""PINKNOISE_* settings: defaults, DEBUG defaults, validation, STATIC_URL handling."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import set_script_prefix
from pytest_django.fixtures import Settings as SettingsWrapper

from pinknoise.core.options import is_hashed_name
from pinknoise.django.settings import KNOWN_SETTINGS, read_config, static_location


def test_production_defaults(settings: SettingsWrapper) -> None:
    settings.DEBUG = False
    config = read_config()
    assert config.options.autorefresh is False
    assert config.use_finders is False
    assert config.options.max_age == 60
    assert config.options.immutable_file_test is is_hashed_name
    assert config.explicit_immutable_test is False
    assert config.options.allow_all_origins is True
    assert config.options.index_file is None
    assert config.keep_only_hashed_files is False
    assert config.manifest_strict is None
    assert config.missing_references == "error"
    assert config.skip_compress_extensions is None
    assert config.compress_encodings is None
    assert config.static.prefix == "/static/"


def test_debug_turns_on_autorefresh_and_finders(settings: SettingsWrapper) -> None:
    settings.DEBUG = True
    config = read_config()
    assert config.options.autorefresh is True
    assert config.use_finders is True
    assert config.options.max_age == 0


def test_explicit_settings_win_over_debug(settings: SettingsWrapper) -> None:
    settings.DEBUG = True
    settings.PINKNOISE_AUTOREFRESH = False
    settings.PINKNOISE_USE_FINDERS = False
    settings.PINKNOISE_MAX_AGE = None
    config = read_config()
    assert (config.options.autorefresh, config.use_finders, config.options.max_age) == (
        False,
        False,
        None,
    )


def test_every_option_setting_reaches_the_core(settings: SettingsWrapper) -> None:
    def add_headers(headers: object, path: str, url: str) -> None:
        pass

    settings.PINKNOISE_MAX_AGE = 120
    settings.PINKNOISE_IMMUTABLE_FILE_TEST = r"\.v\d+\."
    settings.PINKNOISE_INDEX_FILE = True
    settings.PINKNOISE_MIMETYPES = {".foo": "text/x-foo"}
    settings.PINKNOISE_CHARSET = "latin-1"
    settings.PINKNOISE_ALLOW_ALL_ORIGINS = False
    settings.PINKNOISE_ADD_HEADERS_FUNCTION = add_headers
    settings.PINKNOISE_ENCODINGS = ["gzip", "br"]
    settings.PINKNOISE_ALLOW_EXTERNAL_SYMLINKS = True
    settings.PINKNOISE_MEMORY_CACHE_MAX_FILE_SIZE = 1000
    settings.PINKNOISE_MEMORY_CACHE_BUDGET = 5000
    options = read_config().options
    assert options.max_age == 120
    assert options.immutable_file_test("/x", "/static/a.v2.js")
    assert not options.immutable_file_test("/x", "/static/a.js")
    assert options.index_file == "index.html"
    assert options.mimetypes == {".foo": "text/x-foo"}
    assert options.charset == "latin-1"
    assert options.allow_all_origins is False
    assert options.add_headers_function is add_headers
    assert options.encodings == ("gzip", "br")
    assert options.allow_external_symlinks is True
    assert options.memory_cache_max_file_size == 1000
    assert options.memory_cache_budget == 5000
    assert read_config().compress_encodings == ("gzip", "br")


def test_immutable_file_test_none_means_the_default(settings: SettingsWrapper) -> None:
    settings.PINKNOISE_IMMUTABLE_FILE_TEST = None
    config = read_config()
    assert config.options.immutable_file_test is is_hashed_name
    assert config.explicit_immutable_test is False


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PINKNOISE_MAX_AGE", "60", "PINKNOISE_MAX_AGE: max_age must be a number"),
        ("PINKNOISE_MAX_AGE", -1, "PINKNOISE_MAX_AGE: max_age must not be negative"),
        ("PINKNOISE_AUTOREFRESH", "yes", "PINKNOISE_AUTOREFRESH: autorefresh must be True"),
        ("PINKNOISE_USE_FINDERS", 1, "PINKNOISE_USE_FINDERS must be True or False"),
        ("PINKNOISE_IMMUTABLE_FILE_TEST", "(", "PINKNOISE_IMMUTABLE_FILE_TEST: immutable_file"),
        ("PINKNOISE_INDEX_FILE", "a/b.html", "PINKNOISE_INDEX_FILE: index_file must be a plain"),
        ("PINKNOISE_ENCODINGS", ["br", "deflate"], "PINKNOISE_ENCODINGS: unknown encoding"),
        ("PINKNOISE_KEEP_ONLY_HASHED_FILES", "no", "PINKNOISE_KEEP_ONLY_HASHED_FILES must be"),
        ("PINKNOISE_MANIFEST_STRICT", "no", "PINKNOISE_MANIFEST_STRICT must be True or False"),
        ("PINKNOISE_MISSING_REFERENCES", "ignore", "must be 'error' or 'warn'"),
        ("PINKNOISE_SKIP_COMPRESS_EXTENSIONS", "jpg", "must be a list of extensions"),
        ("PINKNOISE_STATIC_PREFIX", 5, "PINKNOISE_STATIC_PREFIX must be a URL path"),
        ("PINKNOISE_ROOT", 5, "PINKNOISE_ROOT must be a directory path"),
    ],
)
def test_bad_values_name_the_setting(
    settings: SettingsWrapper, name: str, value: object, message: str
) -> None:
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        read_config()


def test_every_core_option_has_a_setting() -> None:
    from pinknoise.core.options import Options

    for option in Options.__dataclass_fields__:
        assert f"PINKNOISE_{option.upper()}" in KNOWN_SETTINGS


def test_known_settings_cover_every_whitenoise_setting() -> None:
    whitenoise = {
        "ROOT", "STATIC_PREFIX", "MAX_AGE", "IMMUTABLE_FILE_TEST", "AUTOREFRESH",
        "USE_FINDERS", "INDEX_FILE", "MIMETYPES", "CHARSET", "ALLOW_ALL_ORIGINS",
        "ADD_HEADERS_FUNCTION", "KEEP_ONLY_HASHED_FILES", "MANIFEST_STRICT",
        "SKIP_COMPRESS_EXTENSIONS",
    }  # fmt: skip
    assert {"PINKNOISE_" + name for name in whitenoise} <= KNOWN_SETTINGS
    assert "PINKNOISE_ENCODINGS" in KNOWN_SETTINGS


@pytest.mark.parametrize(
    ("static_url", "force_script_name", "prefix"),
    [
        ("/static/", None, "/static/"),
        ("static/", None, "/static/"),
        ("/assets/v2", None, "/assets/v2/"),
        ("/app/static/", "/app", "/static/"),
        ("/app/static/", "/app/", "/static/"),
        ("/static/", "/app", "/static/"),  # not under the script name: left as is
        ("/application/static/", "/app", "/application/static/"),
    ],
)
def test_static_prefix_from_static_url(
    settings: SettingsWrapper, static_url: str, force_script_name: str | None, prefix: str
) -> None:
    settings.STATIC_URL = static_url
    settings.FORCE_SCRIPT_NAME = force_script_name
    assert static_location().prefix == prefix


def test_relative_static_url_under_a_script_prefix(settings: SettingsWrapper) -> None:
    """Django prefixes a relative STATIC_URL with the script prefix; matching strips it."""
    settings.STATIC_URL = "static/"
    settings.FORCE_SCRIPT_NAME = "/mounted"
    set_script_prefix("/mounted/")
    try:
        assert settings.STATIC_URL == "/mounted/static/"
        assert static_location().prefix == "/static/"
    finally:
        set_script_prefix("/")


def test_absolute_static_url_with_a_host_is_not_ours(settings: SettingsWrapper) -> None:
    settings.STATIC_URL = "https://cdn.example.com/static/"
    location = static_location()
    assert location.prefix is None
    assert "names another host" in location.reason
    assert "PINKNOISE_STATIC_PREFIX = '/static/'" in location.reason


def test_static_prefix_setting_overrides(settings: SettingsWrapper) -> None:
    settings.STATIC_URL = "https://cdn.example.com/static/"
    settings.PINKNOISE_STATIC_PREFIX = "assets"
    assert static_location().prefix == "/assets/"


def test_media_is_off_unless_asked(settings: SettingsWrapper) -> None:
    settings.MEDIA_ROOT = "/srv/uploads"
    settings.MEDIA_URL = "/media/"
    assert read_config().media is None
    settings.PINKNOISE_SERVE_MEDIA = True
    media = read_config().media
    assert media is not None
    assert (media.root, media.prefix, dict(media.options)) == ("/srv/uploads", "/media/", {})


def test_media_prefix_under_a_script_name(settings: SettingsWrapper) -> None:
    settings.PINKNOISE_SERVE_MEDIA = True
    settings.MEDIA_ROOT = "/srv/uploads"
    settings.FORCE_SCRIPT_NAME = "/mounted"
    settings.MEDIA_URL = "/mounted/uploads/"
    media = read_config().media
    assert media is not None
    assert media.prefix == "/uploads/"  # matched against path_info


def test_media_authorize_by_dotted_path(settings: SettingsWrapper) -> None:
    from tests.apps.media_hooks import allow_signed

    settings.PINKNOISE_SERVE_MEDIA = True
    settings.MEDIA_ROOT = "/srv/uploads"
    settings.PINKNOISE_MEDIA_OPTIONS = {"authorize": "tests.apps.media_hooks.allow_signed"}
    media = read_config().media
    assert media is not None
    assert media.options["authorize"] is allow_signed
    settings.PINKNOISE_MEDIA_OPTIONS = {"authorize": "tests.apps.media_hooks.nope"}
    with pytest.raises(ImproperlyConfigured, match=r"PINKNOISE_MEDIA_OPTIONS\['authorize'\]"):
        read_config()
    settings.PINKNOISE_MEDIA_OPTIONS = ["max_age", 0]
    with pytest.raises(ImproperlyConfigured, match="must be a dict"):
        read_config()
