"""Subresource Integrity from collectstatic: recorded in staticfiles.json, read by tags."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.core.exceptions import ImproperlyConfigured
from django.template import engines
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from tests.django.conftest import MANIFEST_STORAGE, PLAIN_STORAGE
from tests.django.django_client import sync_fetch
from tests.support.assets import sri


@pytest.fixture(autouse=True)
def templates(settings: SettingsWrapper) -> None:
    """Django templates finding app libraries: {% load pinknoise %} from pinknoise.django."""
    settings.TEMPLATES = [
        {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}
    ]


def _render(source: str) -> str:
    rendered: str = engines["django"].from_string("{% load pinknoise %}" + source).render({})
    return rendered


def _manifest(root: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((root / "staticfiles.json").read_text())
    return loaded


def test_collectstatic_records_the_integrity_of_every_hashed_file(collected: Path) -> None:
    manifest = _manifest(collected)
    paths, recorded = manifest["paths"], manifest["integrity"]
    assert set(recorded) == set(paths.values())
    for name, value in recorded.items():
        # The bytes collected, after url() rewriting: what is served.
        assert value == sri((collected / name).read_bytes()), name
    css = (collected / paths["css/app.css"]).read_text()
    assert paths["img/dot.png"].split("/")[-1] in css  # rewritten before it was hashed


def test_djangos_own_reader_still_reads_the_manifest(collected: Path) -> None:
    storage = ManifestStaticFilesStorage(location=str(collected))
    assert storage.hashed_files == _manifest(collected)["paths"]
    assert storage.manifest_hash == _manifest(collected)["hash"]
    assert storage.url("css/app.css").endswith(storage.hashed_files["css/app.css"])


def test_tags_give_the_recorded_integrity(serve_collected: Path) -> None:
    paths = _manifest(serve_collected)["paths"]
    css, js = paths["css/app.css"], paths["js/app.js"]
    css_sri = sri((serve_collected / css).read_bytes())
    js_sri = sri((serve_collected / js).read_bytes())
    assert _render("{% integrity 'css/app.css' %}") == css_sri
    assert _render("{% static_tag 'css/app.css' %}") == (
        f'<link rel="stylesheet" href="/static/{css}" integrity="{css_sri}" '
        'crossorigin="anonymous">'
    )
    assert _render("{% static_tag 'js/app.js' type='module' defer=True data_x='\"<' %}") == (
        f'<script src="/static/{js}" integrity="{js_sri}" crossorigin="anonymous" '
        'type="module" defer data-x="&quot;&lt;"></script>'
    )
    # And the URL in the tag serves exactly the bytes the integrity is of.
    served = sync_fetch(Client(), "GET", f"/static/{css}", {})
    assert (served.status, sri(served.body)) == (200, css_sri)


def test_debug_has_no_integrity(serve_collected: Path, settings: SettingsWrapper) -> None:
    settings.DEBUG = True
    assert _render("{% integrity 'css/app.css' %}") == ""
    assert _render("{% static_tag 'css/app.css' %}") == (
        '<link rel="stylesheet" href="/static/css/app.css">'
    )


def test_a_name_not_collected_is_loud(serve_collected: Path) -> None:
    with pytest.raises(ValueError, match=re.escape("manifest entry for 'css/ap.css'")):
        _render("{% integrity 'css/ap.css' %}")


def test_not_strict_a_file_not_collected_has_no_integrity(
    collected: Path, settings: SettingsWrapper, tmp_path: Path
) -> None:
    root = tmp_path / "static"
    shutil.copytree(collected, root)
    (root / "css" / "late.css").write_text("/* copied in after collectstatic */\n")
    settings.STATIC_ROOT, settings.STORAGES = str(root), MANIFEST_STORAGE
    settings.PINKNOISE_MANIFEST_STRICT = False
    # Django hashes it on the fly ({% static %} does the same); nothing recorded its SRI.
    tag = _render("{% static_tag 'css/late.css' %}")
    assert re.fullmatch(r'<link rel="stylesheet" href="/static/css/late\.[0-9a-f]{12}\.css">', tag)


def test_a_manifest_without_integrity_says_to_collect_again(
    collected: Path, settings: SettingsWrapper, tmp_path: Path
) -> None:
    root = tmp_path / "static"
    shutil.copytree(collected, root)
    manifest = _manifest(root)
    del manifest["integrity"]  # as Django's own storage, or an older pinknoise, wrote it
    (root / "staticfiles.json").write_text(json.dumps(manifest))
    settings.STATIC_ROOT, settings.STORAGES = str(root), MANIFEST_STORAGE
    with pytest.raises(ValueError, match="run collectstatic again"):
        _render("{% static_tag 'css/app.css' %}")


def test_another_storage_is_a_configuration_error(settings: SettingsWrapper) -> None:
    settings.STORAGES = PLAIN_STORAGE
    with pytest.raises(ImproperlyConfigured, match="CompressedManifestStaticFilesStorage"):
        _render("{% integrity 'css/app.css' %}")
