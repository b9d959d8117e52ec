"""collectstatic with pinknoise's storage backends, into real temporary directories."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from pytest_django.fixtures import Settings as SettingsWrapper

from pinknoise.compress import MANIFEST_NAME
from pinknoise.core.snapshot import SNAPSHOT_NAME
from pinknoise.storage import MissingFileError, MissingReferenceWarning
from tests.django.conftest import MANIFEST_STORAGE, PLAIN_STORAGE, collect
from tests.django.django_client import sync_fetch
from tests.django.static_sources import write, write_sources

REPO = Path(__file__).resolve().parents[2]


def manifest_paths(root: Path) -> dict[str, str]:
    paths: dict[str, str] = json.loads((root / "staticfiles.json").read_text())["paths"]
    return paths


def variants(path: Path) -> set[str]:
    return {
        suffix for suffix in (".br", ".gz", ".zst") if path.with_name(path.name + suffix).exists()
    }


def test_manifest_storage_hashes_compresses_and_records(collected: Path) -> None:
    paths = manifest_paths(collected)
    hashed_css = paths["css/app.css"]
    assert re.fullmatch(r"css/app\.[0-9a-f]{12}\.css", hashed_css)
    # Both the hashed and the unhashed copies get variants; images and fonts do not.
    assert variants(collected / hashed_css) == {".br", ".gz", ".zst"}
    assert variants(collected / "css/app.css") == {".br", ".gz", ".zst"}
    assert variants(collected / paths["js/app.js"]) == {".br", ".gz", ".zst"}
    assert variants(collected / paths["img/dot.png"]) == set()
    assert variants(collected / paths["fonts/test.woff2"]) == set()
    # url() references now point at hashed names.
    css = (collected / hashed_css).read_text()
    assert paths["img/dot.png"].split("/")[-1] in css
    assert paths["fonts/test.woff2"].split("/")[-1] in css
    js = (collected / paths["js/app.js"]).read_text()
    assert f"sourceMappingURL={paths['js/app.js.map'].split('/')[-1]}" in js
    # The start-up snapshot lists what was collected, variants included.
    snapshot = json.loads((collected / SNAPSHOT_NAME).read_text())
    listed = {d + name for d, _, files in snapshot["directories"] for name, *_ in files}
    assert {hashed_css, hashed_css + ".br", "css/app.css"} <= listed
    assert "staticfiles.json" not in listed  # never served, so not listed either
    assert (collected / MANIFEST_NAME).exists()


def test_manifest_variants_are_not_left_to_be_served(serve_collected: Path) -> None:
    """The server hides staticfiles.json; its compressed copies must not appear as URLs."""
    assert not list(serve_collected.glob("staticfiles.json.*"))
    client = Client()
    for suffix in ("", ".br", ".gz", ".zst"):
        result = sync_fetch(client, "GET", f"/static/staticfiles.json{suffix}", {})
        assert result.header("X-App") == "yes", suffix


def test_snapshot_start_up_matches_a_walk(serve_collected: Path) -> None:
    from pinknoise.core.options import make_options
    from pinknoise.core.server import StaticServer
    from pinknoise.django.middleware import PinkNoiseMiddleware

    from_snapshot = PinkNoiseMiddleware(lambda request: None).server.catalog
    walked = StaticServer(make_options())
    snapshot = serve_collected / SNAPSHOT_NAME
    saved = snapshot.read_bytes()
    snapshot.unlink()
    try:
        walked.add_files(serve_collected, "/static/")
    finally:
        snapshot.write_bytes(saved)
    assert set(from_snapshot) == set(walked.catalog)
    assert len(from_snapshot) > 10


def test_second_collectstatic_is_incremental(sources: Path, tmp_path: Path) -> None:
    root = tmp_path / "static"
    collect(sources, root, MANIFEST_STORAGE)
    br = root / "css" / "app.css.br"
    before = br.stat().st_mtime_ns
    collect(sources, root, MANIFEST_STORAGE)
    assert br.stat().st_mtime_ns == before  # not recompressed
    assert (root / SNAPSHOT_NAME).exists()


def test_plain_storage_compresses_without_hashing(sources: Path, tmp_path: Path) -> None:
    root = tmp_path / "static"
    collect(sources, root, PLAIN_STORAGE)
    assert not (root / "staticfiles.json").exists()
    assert variants(root / "css" / "app.css") == {".br", ".gz", ".zst"}
    assert variants(root / "img" / "dot.png") == set()
    assert (root / SNAPSHOT_NAME).exists()
    assert "url(../img/dot.png)" in (root / "css" / "app.css").read_text()


def test_keep_only_hashed_files(settings: SettingsWrapper, sources: Path, tmp_path: Path) -> None:
    root = tmp_path / "static"
    settings.PINKNOISE_KEEP_ONLY_HASHED_FILES = True
    collect(sources, root, MANIFEST_STORAGE)
    paths = manifest_paths(root)
    for original, hashed in paths.items():
        assert not (root / original).exists(), original
        assert (root / hashed).exists(), hashed
    assert variants(root / paths["css/app.css"]) == {".br", ".gz", ".zst"}
    assert not (root / "css" / "app.css.br").exists()
    settings.STATIC_ROOT = str(root)
    settings.STORAGES = MANIFEST_STORAGE
    client = Client()
    hit = sync_fetch(client, "GET", "/static/" + paths["css/app.css"], {"Accept-Encoding": "br"})
    assert (hit.status, hit.header("Content-Encoding")) == (200, "br")
    assert hit.header("Cache-Control") == "max-age=31536000, public, immutable"
    assert sync_fetch(client, "GET", "/static/css/app.css", {}).header("X-App") == "yes"


def test_encodings_and_skip_extensions(
    settings: SettingsWrapper, sources: Path, tmp_path: Path
) -> None:
    """PINKNOISE_ENCODINGS picks the codings; the skip list replaces the default one."""
    settings.PINKNOISE_ENCODINGS = ["gzip"]
    settings.PINKNOISE_SKIP_COMPRESS_EXTENSIONS = ["txt"]
    root = tmp_path / "static"
    collect(sources, root, PLAIN_STORAGE)
    assert variants(root / "css" / "app.css") == {".gz"}
    assert variants(root / "txt" / "readme.txt") == set()


def test_dry_run_writes_nothing(sources: Path, tmp_path: Path) -> None:
    root = tmp_path / "static"
    with override_settings(
        STATICFILES_DIRS=[str(sources)], STATIC_ROOT=str(root), STORAGES=MANIFEST_STORAGE
    ):
        call_command("collectstatic", interactive=False, verbosity=0, dry_run=True)
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*")) == []


def test_new_files_are_served_after_collectstatic_without_post_processing(
    settings: SettingsWrapper, tmp_path: Path
) -> None:
    """A snapshot must never hide a file: writing one drops it until it is rewritten."""
    source, root = write_sources(tmp_path / "src"), tmp_path / "static"
    collect(source, root, PLAIN_STORAGE)
    write(source, "txt/added.txt", "added later\n")
    with override_settings(
        STATICFILES_DIRS=[str(source)], STATIC_ROOT=str(root), STORAGES=PLAIN_STORAGE
    ):
        call_command("collectstatic", interactive=False, verbosity=0, post_process=False)
    assert not (root / SNAPSHOT_NAME).exists()
    settings.STATIC_ROOT = str(root)
    assert sync_fetch(Client(), "GET", "/static/txt/added.txt", {}).status == 200


def _broken_sources(base: Path) -> Path:
    source = write_sources(base)
    write(source, "css/broken.css", 'h1 { background: url("../img/missing.png"); }\n')
    return source


def test_missing_css_reference_names_both_files(tmp_path: Path) -> None:
    source, root = _broken_sources(tmp_path / "src"), tmp_path / "static"
    with pytest.raises(MissingFileError) as raised:
        collect(source, root, MANIFEST_STORAGE)
    message = str(raised.value)
    assert "css/broken.css references '../img/missing.png'" in message
    assert "'img/missing.png' is not among the static files" in message
    assert "PINKNOISE_MISSING_REFERENCES = 'warn'" in message
    assert not (root / SNAPSHOT_NAME).exists()  # nothing compressed or recorded


def test_missing_source_map_is_named_as_such(tmp_path: Path) -> None:
    source, root = write_sources(tmp_path / "src"), tmp_path / "static"
    write(source, "js/lib.min.js", "var a=1;\n//# sourceMappingURL=lib.min.js.map\n")
    with pytest.raises(MissingFileError, match=r"js/lib\.min\.js names the source map"):
        collect(source, root, MANIFEST_STORAGE)


def test_missing_references_can_warn_instead(settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.PINKNOISE_MISSING_REFERENCES = "warn"
    source, root = _broken_sources(tmp_path / "src"), tmp_path / "static"
    write(source, "js/lib.min.js", "var a=1;\n//# sourceMappingURL=lib.min.js.map\n")
    with pytest.warns(MissingReferenceWarning) as warned:
        collect(source, root, MANIFEST_STORAGE)
    messages = sorted(str(w.message) for w in warned if w.category is MissingReferenceWarning)
    assert len(messages) == 2  # once per reference, not once per post-processing pass
    assert "css/broken.css references '../img/missing.png'" in messages[0]
    assert "js/lib.min.js names the source map 'lib.min.js.map'" in messages[1]
    paths = manifest_paths(root)
    broken = (root / paths["css/broken.css"]).read_text()
    assert 'url("../img/missing.png")' in broken  # left as written
    assert paths["img/dot.png"].split("/")[-1] in (root / paths["css/app.css"]).read_text()
    assert (root / SNAPSHOT_NAME).exists()


def test_manifest_strict_setting(settings: SettingsWrapper, collected: Path) -> None:
    settings.STATIC_ROOT = str(collected)
    settings.STORAGES = MANIFEST_STORAGE
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        staticfiles_storage.url("not/collected.css")
    settings.PINKNOISE_MANIFEST_STRICT = False
    settings.STORAGES = {"staticfiles": dict(MANIFEST_STORAGE["staticfiles"])}  # rebuild
    assert staticfiles_storage.manifest_strict is False


def test_collectstatic_writes_dcz_deltas_between_versions(
    settings: SettingsWrapper, tmp_path: Path
) -> None:
    """A redeploy keeps the previous hashed file; its successor gets a delta against it."""
    import base64
    import hashlib

    from pinknoise.compress.deltas import decode_dcz

    sources = tmp_path / "sources"
    root = tmp_path / "static"
    base = "".join(f"function f{i}(x) {{ return x * {i}; }}\n" for i in range(300))
    write(sources, "js/bundle.js", base)
    collect(sources, root, MANIFEST_STORAGE)
    old_name = manifest_paths(root)["js/bundle.js"]
    old = (root / old_name).read_bytes()
    write(sources, "js/bundle.js", base.replace("f10(x)", "f10(y)"))
    collect(sources, root, MANIFEST_STORAGE)
    new_name = manifest_paths(root)["js/bundle.js"]
    assert new_name != old_name
    assert (root / old_name).exists()  # the previous version stays, as a dictionary
    digest = hashlib.sha256(old).digest()
    delta = root / f"{new_name}.{digest.hex()}.dcz"
    assert decode_dcz(delta.read_bytes(), old) == (root / new_name).read_bytes()

    settings.STATIC_ROOT = str(root)
    settings.STORAGES = MANIFEST_STORAGE
    available = ":" + base64.b64encode(digest).decode() + ":"
    headers = {"Accept-Encoding": "gzip, br, zstd, dcz", "Available-Dictionary": available}
    response = sync_fetch(Client(), "GET", f"/static/{new_name}", headers)
    assert (response.status, response.header("Content-Encoding")) == (200, "dcz")
    assert decode_dcz(response.body, old) == (root / new_name).read_bytes()


def test_old_versions_are_pruned_to_a_bound(settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.PINKNOISE_KEEP_OLD_VERSIONS = 2
    sources, root = tmp_path / "sources", tmp_path / "static"
    write(sources, "js/other-abcdef123456.js", "// not a version of bundle.js")
    names = []
    for version in range(5):
        write(sources, "js/bundle.js", f"// version {version}\n" + "x = 1;\n" * 200)
        collect(sources, root, MANIFEST_STORAGE)
        names.append(manifest_paths(root)["js/bundle.js"])
    present = {p.name for p in (root / "js").iterdir()}
    # The current version and the 2 most recent previous ones, nothing older.
    assert [name.split("/")[-1] in present for name in names] == [False, False, True, True, True]
    assert not any(p.startswith(names[0].split("/")[-1]) for p in present)  # variants too
    assert "other-abcdef123456.js" in present


def test_keep_old_versions_validation(settings: SettingsWrapper) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from pinknoise.django.settings import read_config

    settings.PINKNOISE_KEEP_OLD_VERSIONS = -1
    with pytest.raises(ImproperlyConfigured, match="KEEP_OLD_VERSIONS"):
        read_config()


def test_collectstatic_names_a_missing_compression_library(
    settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch, sources: Path, tmp_path: Path
) -> None:
    """A CommandError (one clear line from manage.py), not a traceback."""
    settings.PINKNOISE_ENCODINGS = ["br", "gzip"]
    monkeypatch.setitem(sys.modules, "brotli", None)
    with pytest.raises(CommandError) as raised:
        collect(sources, tmp_path / "static", MANIFEST_STORAGE)
    assert str(raised.value) == (
        "PINKNOISE_ENCODINGS: encoding 'br' needs the 'brotli' package: "
        "pip install 'pinknoise[brotli]'"
    )


OUTSIDE_REFERENCE = "../../../../../etc/passwd"


def _collect_outside_reference(tmp_path: Path, mode: str) -> subprocess.CompletedProcess[str]:
    """A real ``manage.py collectstatic`` over a CSS file whose url() leaves STATIC_ROOT."""
    source = write_sources(tmp_path / "src")
    write(source, "css/escape.css", f"h1 {{ background: url({OUTSIDE_REFERENCE}); }}\n")
    script = tmp_path / "manage.py"
    script.write_text(
        "import sys\n"
        "import django\n"
        "from django.conf import settings\n"
        "settings.configure(\n"
        "    INSTALLED_APPS=['django.contrib.staticfiles', 'pinknoise.django'],\n"
        "    STATIC_URL='/static/',\n"
        f"    STATIC_ROOT={str(tmp_path / 'static')!r},\n"
        f"    STATICFILES_DIRS=[{str(source)!r}],\n"
        f"    STORAGES={MANIFEST_STORAGE!r},\n"
        f"    PINKNOISE_MISSING_REFERENCES={mode!r},\n"
        "    SILENCED_SYSTEM_CHECKS=['pinknoise.W001'],\n"
        ")\n"
        "django.setup()\n"
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(['manage.py', 'collectstatic', '--noinput', '-v0'])\n"
    )
    return subprocess.run(
        [sys.executable, str(script)],
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_reference_outside_static_root_warns_in_warn_mode(tmp_path: Path) -> None:
    done = _collect_outside_reference(tmp_path, "warn")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "MissingReferenceWarning" in done.stderr
    assert f"css/escape.css references '{OUTSIDE_REFERENCE}'" in done.stderr
    assert "outside STATIC_ROOT" in done.stderr
    root = tmp_path / "static"
    paths = manifest_paths(root)
    assert f"url({OUTSIDE_REFERENCE})" in (root / paths["css/escape.css"]).read_text()
    assert (root / SNAPSHOT_NAME).exists()


def test_reference_outside_static_root_is_a_clear_error(tmp_path: Path) -> None:
    done = _collect_outside_reference(tmp_path, "error")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr, done.stderr
    assert "ReferenceOutsideRootError: css/escape.css references" in done.stderr
    assert f"css/escape.css references '{OUTSIDE_REFERENCE}'" in done.stderr
    assert "outside STATIC_ROOT" in done.stderr
    assert not (tmp_path / "static" / SNAPSHOT_NAME).exists()
