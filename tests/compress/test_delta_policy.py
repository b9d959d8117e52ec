"""The dcz step takes its files from the main pass's scan, under the same rules.

Each case is a file the main pass refuses (a symlink leaving the root, a FIFO, a
device) named like a content-hashed version, so that a delta step walking on its own
would pick it up as the newest version of ``app.js``.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from pinknoise.compress import compress_tree
from pinknoise.compress.deltas import decode_dcz

from .conftest import text, variants_of, write

SRC = str(Path(__file__).resolve().parents[2] / "src")
BASE = "".join(f"export function f{i}(x) {{ return x * {i} + {i * i}; }}\n" for i in range(300))
OLD = "app.123456789abc.js"
NEW = "app.fedcba987654.js"


def _aged(path: Path, seconds_ago: int) -> None:
    stamp = (1_700_000_000 - seconds_ago) * 10**9
    os.utime(path, ns=(stamp, stamp), follow_symlinks=False)


@pytest.fixture
def versioned(tmp_path: Path) -> Path:
    """A root holding one public, older version of ``app.js``."""
    root = tmp_path / "static"
    old = write(root / OLD, BASE.encode())
    _aged(old, 3600)
    return root


def _deltas(root: Path) -> list[Path]:
    return sorted(root.rglob("*.dcz"))


def _compress_cli(root: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    def limit_memory() -> None:  # a read without bound fails fast instead of eating RAM
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        [sys.executable, "-m", "pinknoise", "compress", "-v", "-j", "1", *args, str(root)],
        env={**os.environ, "PYTHONPATH": SRC},
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit_memory,
        check=False,
    )


def test_outside_symlink_is_not_used_as_a_version(tmp_path: Path, versioned: Path) -> None:
    secret = write(tmp_path / "outside" / "secret.js", (BASE + "// password=hunter2\n").encode())
    (versioned / NEW).symlink_to(secret)
    _aged(versioned / NEW, 0)
    lines: list[str] = []

    class Lines:
        def start(self, total_bytes: int) -> None: ...
        def advance(self, nbytes: int) -> None: ...
        def close(self) -> None: ...
        def file(self, line: str) -> None:
            lines.append(line)

    summary = compress_tree(versioned, workers=1, executor="thread", reporter=Lines())
    assert summary.ok, summary.errors
    assert f"ignored {versioned / NEW} (symlink leaves the root)" in lines
    leaked = [
        p
        for p in _deltas(versioned)
        if _decodes_to(p, (versioned / OLD).read_bytes(), secret.read_bytes())
    ]
    assert leaked == []
    assert _deltas(versioned) == []
    assert variants_of(versioned / NEW) == {}


def _decodes_to(delta: Path, dictionary: bytes, content: bytes) -> bool:
    try:
        return decode_dcz(delta.read_bytes(), dictionary) == content
    except Exception:
        return False


def test_outside_symlink_as_the_older_version_is_not_a_dictionary(
    tmp_path: Path, versioned: Path
) -> None:
    """The in-root file is the newest; the outside one must not serve as its dictionary."""
    secret = write(tmp_path / "outside" / "secret.js", (BASE + "// v0\n").encode())
    (versioned / NEW).symlink_to(secret)
    _aged(versioned / NEW, 7200)
    _aged(versioned / OLD, 0)
    summary = compress_tree(versioned, workers=1, executor="thread")
    assert summary.ok, summary.errors
    assert _deltas(versioned) == []


def test_fifo_named_like_a_version_does_not_hang(versioned: Path) -> None:
    os.mkfifo(versioned / NEW)
    done = _compress_cli(versioned, timeout=30)
    assert done.returncode == 0, done.stderr
    assert f"ignored {versioned / NEW} (not a regular file)" in done.stdout
    assert _deltas(versioned) == []


@pytest.mark.parametrize("flags", [[], ["--allow-external-symlinks"]], ids=["default", "allow"])
def test_device_symlink_named_like_a_version_is_not_read(versioned: Path, flags: list[str]) -> None:
    (versioned / NEW).symlink_to("/dev/zero")
    done = _compress_cli(versioned, *flags, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "MemoryError" not in done.stderr
    # The walker's first reason: out of the root, unless that is allowed; then a device.
    reason = "not a regular file" if flags else "symlink leaves the root"
    assert f"ignored {versioned / NEW} ({reason})" in done.stdout
    assert _deltas(versioned) == []


def test_deltas_still_written_between_real_versions(versioned: Path) -> None:
    write(versioned / NEW, (BASE.replace("f10(x)", "f10(y)")).encode())
    summary = compress_tree(versioned, workers=1, executor="thread")
    assert summary.ok, summary.errors
    (delta,) = _deltas(versioned)
    assert delta.name.startswith(f"{NEW}.")
    assert (
        decode_dcz(delta.read_bytes(), (versioned / OLD).read_bytes())
        == (versioned / NEW).read_bytes()
    )
    assert summary.deltas_written == 1


@pytest.mark.parametrize(
    "name",
    [b"back\\slash.js", b"tab\there.js", b"bad-\xff-utf8.js"],
    ids=["backslash", "control", "undecodable"],
)
def test_names_the_server_would_not_serve_are_not_compressed(tmp_path: Path, name: bytes) -> None:
    root = tmp_path / "static"
    write(root / "ok.js", text(5000, 7))
    path = os.path.join(os.fsencode(root), name)
    with open(path, "wb") as f:
        f.write(text(5000, 8))
    summary = compress_tree(root, workers=1, executor="thread")
    assert summary.ok, summary.errors
    assert summary.files_scanned == 1
    assert set(variants_of(root / "ok.js")) == {".br", ".zst", ".gz"}
    assert sorted(os.listdir(os.fsencode(root))) == sorted(
        [b"ok.js", b"ok.js.br", b"ok.js.zst", b"ok.js.gz", b".pinknoise-compress.json", name]
    )


def test_allow_external_symlinks_is_the_option_name(tmp_path: Path) -> None:
    root = tmp_path / "static"
    outside = write(tmp_path / "outside" / "ext.js", text(5000, 21))
    root.mkdir()
    (root / "ext.js").symlink_to(outside)
    summary = compress_tree(root, workers=1, executor="thread", allow_external_symlinks=True)
    assert summary.ok
    assert set(variants_of(root / "ext.js")) == {".br", ".zst", ".gz"}


def test_follow_external_symlinks_is_a_deprecated_alias(tmp_path: Path) -> None:
    root = tmp_path / "static"
    outside = write(tmp_path / "outside" / "ext.js", text(5000, 21))
    root.mkdir()
    (root / "ext.js").symlink_to(outside)
    with pytest.warns(DeprecationWarning, match="allow_external_symlinks"):
        summary = compress_tree(root, workers=1, executor="thread", follow_external_symlinks=True)
    assert summary.ok
    assert set(variants_of(root / "ext.js")) == {".br", ".zst", ".gz"}


def test_cli_old_flag_warns_and_still_works(tmp_path: Path) -> None:
    root = tmp_path / "static"
    outside = write(tmp_path / "outside" / "ext.js", text(5000, 21))
    root.mkdir()
    (root / "ext.js").symlink_to(outside)
    done = _compress_cli(root, "--follow-external-symlinks")
    assert done.returncode == 0, done.stderr
    assert "--follow-external-symlinks is deprecated" in done.stderr
    assert "--allow-external-symlinks" in done.stderr
    assert set(variants_of(root / "ext.js")) == {".br", ".zst", ".gz"}
