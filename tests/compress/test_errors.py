"""Failures are reported with their path, the run goes on, and the run is marked failed."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import pinknoise.compress.runner as runner_module
import pinknoise.compress.scan as scan_module
from pinknoise.compress import compress_tree
from pinknoise.compress.scan import ScanResult

from .conftest import assert_variants_match, text, variants_of, write

SRC = str(Path(__file__).resolve().parents[2] / "src")


def test_variant_path_taken_by_a_directory(site: Path) -> None:
    (site / "app.js.gz").mkdir()  # os.replace onto a directory fails, even for root
    summary = compress_tree(site, executor="thread")
    assert not summary.ok
    assert [path for path, _ in summary.errors] == [str(site / "app.js.gz")]
    # Everything else was still done, including app.js's other encodings.
    assert set(variants_of(site / "app.js")) == {".br", ".zst"}
    assert set(variants_of(site / "css" / "site.css")) == {".br", ".zst", ".gz"}
    assert not list(site.rglob("*.pinknoise-tmp"))
    # Once the obstacle is gone, the next run retries just that variant.
    (site / "app.js.gz").rmdir()
    rerun = compress_tree(site, executor="thread")
    assert rerun.ok
    assert rerun.files_compressed == 1
    assert_variants_match(site / "app.js")


def test_file_vanishing_between_scan_and_read(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_scan = runner_module.scan

    def scan_then_delete(*args: object, **kwargs: object) -> ScanResult:
        result = real_scan(*args, **kwargs)  # type: ignore[arg-type]
        (site / "app.js").unlink()
        return result

    monkeypatch.setattr(runner_module, "scan", scan_then_delete)
    summary = compress_tree(site, executor="thread")
    assert summary.errors == [(str(site / "app.js"), "No such file or directory")]
    assert set(variants_of(site / "css" / "site.css")) == {".br", ".zst", ".gz"}


def _nobody() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no 'nobody' user to drop privileges to")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch to another user")
def test_unreadable_file_as_unprivileged_user() -> None:
    """Root reads mode-000 files, so the run itself drops to 'nobody' first."""
    user = _nobody()
    # Not under tmp_path: its parents are private to root, and 'nobody' must get in.
    with tempfile.TemporaryDirectory() as scratch:
        _unreadable_file_case(Path(scratch), user)


def _unreadable_file_case(tmp_path: Path, user: pwd.struct_passwd) -> None:
    root = tmp_path / "static"
    write(root / "ok.js", text(6000, 1))
    secret = write(root / "secret.js", text(6000, 2))
    secret.chmod(0)
    for directory in (tmp_path, root):
        directory.chmod(0o777)
    (root / "ok.js").chmod(0o644)

    # Import everything first (the interpreter and the checkout may not be readable by
    # 'nobody'), then drop privileges and run the real CLI.
    script = (
        "import os, sys\n"
        "from pinknoise.cli import build_parser, main\n"
        "import brotli, zstandard\n"
        "build_parser()\n"
        f"os.setgid({user.pw_gid}); os.setuid({user.pw_uid})\n"
        "raise SystemExit(main(sys.argv[1:]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, "compress", "--executor", "thread", str(root)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": SRC},
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert f"error: {secret}: Permission denied" in proc.stderr
    assert "1 file(s) failed" in proc.stderr
    assert variants_of(secret) == {}
    assert set(variants_of(root / "ok.js")) == {".br", ".zst", ".gz"}
    assert_variants_match(root / "ok.js")


def test_unlistable_directory_does_not_count_as_deleted(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files in a directory that cannot be listed must not have their variants removed."""
    assert compress_tree(site, executor="thread").ok
    real_scandir = os.scandir
    css = str(site / "css")

    def failing_scandir(path: str) -> object:
        if os.fspath(path) == css:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(scan_module.os, "scandir", failing_scandir)
    summary = compress_tree(site, executor="thread")
    assert summary.errors == [(css, "Permission denied")]
    assert set(variants_of(site / "css" / "site.css")) == {".br", ".zst", ".gz"}
    monkeypatch.undo()
    # Listing works again: the records were kept, so nothing needs recompressing.
    assert compress_tree(site, executor="thread").files_compressed == 0
