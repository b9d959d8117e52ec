"""The server reads a build's manifest: exactly its hashed files are immutable.

On every front end with default options (``frontend`` fixture), and ``pinknoise serve``
refuses, before it starts, a build whose manifest it cannot read.
"""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from pinknoise import PinkNoise
from pinknoise.core.asset_manifest import MANIFEST_NAME, ManifestError
from pinknoise.core.bundlers import declared_outputs
from tests.support import wsgi_client
from tests.support.assets import build
from tests.support.frontends import Frontend
from tests.support.servers import BIN, free_port
from tests.support.site import write

IMMUTABLE = "max-age=31536000, public, immutable"
MUTABLE = "max-age=60, public"
# Named like a hashed file (12 hex digits): the name rule alone would call it immutable.
HASH_LOOKING = "js/vendor.0123456789ab.js"


def _built(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A build with unhashed copies, a kept old version and a stray file; URL -> expected."""
    src, out = tmp_path / "src", tmp_path / "out"
    write(src, "css/app.css", b"body { color: rgb(1, 2, 3) }\n")
    write(src, HASH_LOOKING, b"export const vendor = 1;\n")
    write(src, "robots.txt", b"User-agent: *\n")
    manifest = build(src, out, unhashed=[HASH_LOOKING, "robots.txt"])
    # An older version of app.css kept by a previous build, listed under "previous".
    old = "css/app.0a1b2c3d4e5f.css"
    write(out, old, b"body { color: red }\n")
    manifest = dataclasses.replace(manifest, previous={"css/app.css": (old,)})
    (out / MANIFEST_NAME).write_bytes(manifest.to_json())
    # Copied in by hand after the build, hash-shaped: the manifest does not list it.
    write(out, "js/stray.3f2a9c1b7d4e.js", b"// not built\n")
    expected = {f"/static/{a.path}": IMMUTABLE for a in manifest.assets.values()}
    expected[f"/static/{old}"] = IMMUTABLE
    expected[f"/static/{HASH_LOOKING}"] = MUTABLE
    expected["/static/robots.txt"] = MUTABLE
    expected["/static/js/stray.3f2a9c1b7d4e.js"] = MUTABLE
    return out, expected


def test_the_manifest_decides_what_is_immutable(frontend: Frontend, tmp_path: Path) -> None:
    out, expected = _built(tmp_path)
    with frontend.start(out) as fetch:
        got = {url: fetch("GET", url, {}).header("Cache-Control") for url in expected}
        statuses = {url: fetch("GET", url, {}).status for url in expected}
    assert statuses == dict.fromkeys(expected, 200)
    assert got == expected


def test_the_manifest_itself_is_never_served(frontend: Frontend, tmp_path: Path) -> None:
    out, _ = _built(tmp_path)
    with frontend.start(out) as fetch:
        result = fetch("GET", f"/static/{MANIFEST_NAME}", {})
    assert result.status == 404
    assert b"sha384-" not in result.body


def test_declared_outputs_of_a_build(tmp_path: Path) -> None:
    out, expected = _built(tmp_path)
    declared = declared_outputs(str(out))
    assert declared.exact
    assert declared.hashed == {
        url.removeprefix("/static/") for url, value in expected.items() if value == IMMUTABLE
    }


def test_a_build_manifest_replaces_the_bundlers(tmp_path: Path) -> None:
    # A Vite manifest copied into the build names files the build renamed: not read.
    out, _ = _built(tmp_path)
    write(out, "manifest.json", b'{"js/vendor.js": "js/vendor.0123456789ab.js"}')
    assert "js/vendor.0123456789ab.js" not in declared_outputs(str(out)).hashed


@pytest.mark.parametrize("raw", [b"{not json", b'{"format": "pinknoise-assets/9"}'])
def test_an_unusable_manifest_fails_at_start_up(tmp_path: Path, raw: bytes) -> None:
    out, _ = _built(tmp_path)
    (out / MANIFEST_NAME).write_bytes(raw)
    with pytest.raises(ManifestError, match=str(out / MANIFEST_NAME)):
        PinkNoise(wsgi_client.fallback_app, out, "/static/")


@pytest.mark.server
def test_serve_refuses_an_unusable_manifest_before_starting(tmp_path: Path) -> None:
    out, _ = _built(tmp_path)
    (out / MANIFEST_NAME).write_bytes(b'{"format": "pinknoise-assets/1", "assets": []}')
    argv = [str(BIN / "pinknoise"), "serve", str(out), "--port", str(free_port())]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert str(out / MANIFEST_NAME) in done.stderr
    assert "Traceback" not in done.stderr
