"""The server and the compressor agree on which files exist: one walker decides for both.

The tree holds everything a rule is about: dotfiles and private names at the root, a
name no URL can spell, symlinks inside and out of the root (files and directories), a
FIFO, a symlink loop, a dangling link, a ``NAME.gz`` next to ``NAME`` and a lone
``logs.tar.gz``. For both policies (external symlinks allowed or not), the real files
the server catalogs are exactly those the compressor considers (sources, and files
skipped by extension), and every variant the compressor writes is one the server
then serves.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pinknoise.compress import compress_tree
from pinknoise.compress.scan import DEFAULT_SKIP_EXTENSIONS, scan
from pinknoise.core.options import make_options
from pinknoise.core.server import StaticServer

from .conftest import text, write


@pytest.fixture
def tricky(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    write(outside / "secret.js", text(3_000, 1))
    write(outside / "dir" / "lib.js", text(3_000, 2))
    write(root / "app.js", text(6_000, 3))
    write(root / "app.js.gz", b"not a real gzip, but a sibling by name")  # a variant
    write(root / "logs.tar.gz", b"a lone archive is a file of its own")
    write(root / ".env", b"SECRET=1")
    write(root / ".hidden" / "inside.js", text(3_000, 4))
    write(root / "css" / "site.css", text(4_000, 5))
    write(root / "css" / ".cache.css", text(4_000, 6))
    write(root / "img" / "logo.png", text(2_000, 7))  # skipped by extension
    write(root / "staticfiles.json", b"{}")  # private at the root
    write(root / "bad name.css", text(2_000, 8))  # a space: URL-safe? the walker says
    write(root / "tab\tname.css", text(2_000, 9))  # no URL can spell a tab
    (root / "alias.js").symlink_to(root / "app.js")  # in-root file symlink
    (root / "styles").symlink_to(root / "css", target_is_directory=True)  # in-root dir
    (root / "secret.js").symlink_to(outside / "secret.js")  # out-of-root file
    (root / "lib").symlink_to(outside / "dir", target_is_directory=True)  # out-of-root dir
    (root / "loop").symlink_to(root, target_is_directory=True)  # back to the root
    (root / "ping").symlink_to(root / "pong")  # ELOOP
    (root / "pong").symlink_to(root / "ping")
    (root / "dangling.js").symlink_to(root / "nowhere.js")
    os.mkfifo(root / "fifo.js")
    return root


def served(root: Path, allow: bool) -> set[str]:
    """Real paths of the files the server catalogs (not redirects, not siblings)."""
    server = StaticServer(make_options(allow_external_symlinks=allow))
    server.add_files(root, "/static/")
    return {
        os.path.realpath(entry[0]) for entry in server.catalog.values() if isinstance(entry, tuple)
    }


def considered(root: Path, allow: bool) -> set[str]:
    found = scan([str(root)], DEFAULT_SKIP_EXTENSIONS, allow)
    assert found.errors == []
    return {os.path.realpath(s.path) for s in (*found.sources, *found.skipped)}


@pytest.mark.parametrize("allow", [False, True], ids=["default", "allow-external"])
def test_server_and_compressor_see_the_same_files(tricky: Path, allow: bool) -> None:
    files = served(tricky, allow)
    # A directory symlink leaving the root: the server may serve what is in it (when
    # allowed), the compressor never writes there; the one place the two differ.
    through_outside_dir = {os.path.realpath(tricky.parent / "outside" / "dir" / "lib.js")}
    assert (files & through_outside_dir == through_outside_dir) is allow
    files -= through_outside_dir
    assert files == considered(tricky, allow)
    names = {os.path.relpath(p, tricky.parent) for p in files}
    assert {"root/app.js", "root/logs.tar.gz", "root/css/site.css", "root/img/logo.png"} <= names
    assert "root/app.js.gz" not in names  # a sibling of app.js, never a file of its own
    assert not {"root/.env", "root/.hidden/inside.js", "root/css/.cache.css"} & names
    assert "root/staticfiles.json" not in names
    assert "root/tab\tname.css" not in names
    assert ("outside/secret.js" in names) is allow


def test_every_variant_written_is_served(tricky: Path) -> None:
    summary = compress_tree(tricky, workers=1, dictionaries=0)
    assert summary.ok, summary.errors
    server = StaticServer(make_options())
    server.add_files(tricky, "/static/")
    siblings = {
        os.path.realpath(os.path.join(os.path.dirname(entry[0]), name))
        for entry in server.catalog.values()
        if isinstance(entry, tuple)
        for name, _, _ in entry[3]
    }
    written = {
        os.path.realpath(p) for p in tricky.rglob("*") if p.suffix in (".br", ".zst", ".gz")
    } - {os.path.realpath(tricky / "logs.tar.gz"), os.path.realpath(tricky / "app.js.gz")}
    assert written  # app.js, css/site.css and the rest have variants now
    assert written == siblings - {os.path.realpath(tricky / "app.js.gz")}


def test_variants_left_by_a_deleted_source_are_removed_not_compressed(tmp_path: Path) -> None:
    """With its source gone, ``app.js.gz`` names a file of its own (as for the server):
    but it is the compressor's own leftover, to delete, not a new file to compress."""
    root = tmp_path / "root"
    write(root / "app.js", text(6_000, 3))
    assert compress_tree(root, workers=1, dictionaries=0).ok
    (root / "app.js").unlink()
    summary = compress_tree(root, workers=1, dictionaries=0, use_default_skip=False)
    assert summary.ok, summary.errors
    assert sorted(p.name for p in root.iterdir()) == [".pinknoise-compress.json"]
    assert summary.variants_removed == 3
    assert summary.files_scanned == 0
