"""Behaviour a WhiteNoise user relies on, checked where pinknoise is meant to match."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pinknoise import PinkNoise
from tests.support.wsgi_client import call, fallback_app

MODES = [{}, {"autorefresh": True}]


def _root(tmp_path: Path) -> Path:
    css = b"body { color: red }\n" * 200
    (tmp_path / "styles.css").write_bytes(css)
    (tmp_path / "styles.css.gz").write_bytes(gzip.compress(css))
    (tmp_path / "logs.tar.gz").write_bytes(gzip.compress(b"a download, not a sibling"))
    return tmp_path


@pytest.mark.parametrize("options", MODES, ids=["catalog", "autorefresh"])
def test_a_compressed_file_without_its_source_is_served(
    tmp_path: Path, options: dict[str, bool]
) -> None:
    app = PinkNoise(fallback_app, _root(tmp_path), prefix="/static/", **options)
    result = call(app, "GET", "/static/logs.tar.gz", {"Accept-Encoding": "gzip"})
    assert result.status == 200
    assert result.header("Content-Type") == "application/gzip"
    assert result.header("Content-Encoding") is None


@pytest.mark.parametrize("options", MODES, ids=["catalog", "autorefresh"])
def test_a_precompressed_sibling_is_not_a_url_of_its_own(
    tmp_path: Path, options: dict[str, bool]
) -> None:
    app = PinkNoise(fallback_app, _root(tmp_path), prefix="/static/", **options)
    assert call(app, "GET", "/static/styles.css.gz").header("X-App") == "yes"
