"""A run killed with SIGKILL leaves no truncated variant, and the next run repairs all."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pinknoise.compress.atomic import TEMP_SUFFIX

from .conftest import DECODERS, assert_variants_match, text, write

SRC = str(Path(__file__).resolve().parents[2] / "src")


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of process group ``pgid``, from /proc."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry))
    return members


def all_variants(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.suffix in DECODERS and p.is_file()]


@pytest.mark.parametrize("executor", ["thread", "process"])
def test_sigkill_midway_then_rerun(tmp_path: Path, executor: str) -> None:
    root = tmp_path / "static"
    sources = [write(root / f"bundle{i}.js", text(300_000, i)) for i in range(4)]
    sources += [write(root / "small" / f"m{i}.css", text(3000, 100 + i)) for i in range(30)]
    cmd = [sys.executable, "-m", "pinknoise", "compress", "-q", "-j", "2", str(root)]
    cmd[-1:-1] = ["--executor", executor]
    env = {**os.environ, "PYTHONPATH": SRC}
    assert subprocess.run(cmd, env=env, check=False).returncode == 0
    # Change every source, so variants on disk are now stale until a run completes.
    for i, path in enumerate(sources):
        path.write_bytes(text(path.stat().st_size, 1000 + i))

    # Its own process group, so whatever it starts can be found, and cleaned up, by it.
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    try:
        # Wait until the run has rewritten at least one variant, then kill it outright.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if any(
                v.stat().st_mtime_ns == s.stat().st_mtime_ns
                for s in sources
                for v in (Path(f"{s}{suffix}") for suffix in DECODERS)
                if v.exists()
            ):
                break
            time.sleep(0.005)
        assert proc.poll() is None, "the run finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # Nothing the run started outlives it (a CI timeout or the OOM killer must not
        # leave workers compressing for minutes, re-parented to PID 1).
        deadline = time.monotonic() + 10
        while group_members(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        orphans = group_members(proc.pid)
    finally:
        proc.wait()
        # Whatever the assertion below says, the suite leaves nothing behind.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    assert orphans == []

    # Whatever is on disk is complete: each variant decodes (old or new content).
    for variant in all_variants(root):
        DECODERS[variant.suffix](variant.read_bytes())
    # A temporary file the killed run could have left, named the way it names them.
    leftover = root / f".bundle0.js.br.{proc.pid}.0123abcd{TEMP_SUFFIX}"
    leftover.write_bytes(b"half a variant")

    assert subprocess.run(cmd, env=env, check=False).returncode == 0
    assert not list(root.rglob(f"*{TEMP_SUFFIX}"))
    for path in sources:
        assert_variants_match(path)  # nothing stale, nothing truncated
    assert len(all_variants(root)) == 3 * len(sources)
