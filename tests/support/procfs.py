"""What a process tree holds open, read from /proc (for leak checks on real servers)."""

from __future__ import annotations

import os
import time
from pathlib import Path


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (a server's master and its workers)."""
    pids, pending = [], [pid]
    while pending:
        current = pending.pop()
        pids.append(current)
        for task in os.listdir(f"/proc/{current}/task"):
            try:
                children = Path(f"/proc/{current}/task/{task}/children").read_text().split()
            except OSError:
                continue
            pending.extend(int(child) for child in children)
    return pids


def wait_for_tree(pid: int, size: int, timeout: float = 10) -> list[int]:
    """``process_tree(pid)`` once it has ``size`` processes (workers fork after listen)."""
    deadline = time.monotonic() + timeout
    while len(pids := process_tree(pid)) != size and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(pids) == size, pids
    return pids


def open_files_under(pids: list[int], root: Path) -> list[str]:
    """Paths under ``root`` that any of ``pids`` has open."""
    found = []
    for pid in pids:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith(str(root)):
                found.append(target)
    return found


def wait_until_closed(
    pids: list[int], root: Path, timeout: float = 10, expected: list[str] | None = None
) -> list[str]:
    """Files under ``root`` still open once the processes settle (or ``timeout`` passes).

    ``expected`` lists what may stay open by design (a descriptor held for pathsend).
    """
    expected = expected or []
    deadline = time.monotonic() + timeout
    while (still := open_files_under(pids, root)) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return still
