"""The asset manifest format: the contract between builder, server and helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pinknoise.core.asset_manifest import (
    MANIFEST_NAME,
    Asset,
    AssetManifest,
    ManifestError,
    read_manifest,
)


def _manifest() -> AssetManifest:
    return AssetManifest(
        prefix="/static/",
        assets={
            "css/app.css": Asset("css/app.3f2a9c1b7d4e.css", 12, "sha384-abc"),
            "robots.txt": Asset("robots.1a2b3c4d5e6f.txt", 3, "sha384-def"),
        },
        previous={"css/app.css": ("css/app.0a1b2c3d4e5f.css",)},
        unhashed=frozenset({"robots.txt"}),
    )


def test_round_trip(tmp_path: Path) -> None:
    manifest = _manifest()
    (tmp_path / MANIFEST_NAME).write_bytes(manifest.to_json())
    assert read_manifest(tmp_path) == manifest


def test_hashed_paths_are_current_and_kept_versions() -> None:
    assert _manifest().hashed_paths() == {
        "css/app.3f2a9c1b7d4e.css",
        "css/app.0a1b2c3d4e5f.css",
        "robots.1a2b3c4d5e6f.txt",
    }


def test_no_manifest_is_none(tmp_path: Path) -> None:
    assert read_manifest(tmp_path) is None


def test_fifo_in_its_place_is_none(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / MANIFEST_NAME)
    assert read_manifest(tmp_path) is None


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"[]",
        b'{"format": "pinknoise-assets/9", "assets": {}}',
        b'{"format": "pinknoise-assets/1"}',
        b'{"format": "pinknoise-assets/1", "assets": {"a.css": {"path": "../x", "size": 1,'
        b' "integrity": "s"}}}',
        b'{"format": "pinknoise-assets/1", "assets": {"/a.css": {"path": "a.1.css", "size": 1,'
        b' "integrity": "s"}}}',
        b'{"format": "pinknoise-assets/1", "assets": {"a.css": {"path": "a.1.css"}}}',
    ],
)
def test_unusable_manifest_is_a_clear_error(tmp_path: Path, raw: bytes) -> None:
    (tmp_path / MANIFEST_NAME).write_bytes(raw)
    with pytest.raises(ManifestError, match=MANIFEST_NAME):
        read_manifest(tmp_path)
