"""Atomic variant writes and clean-up of temporary files left by a killed run.

A variant is written to ``.NAME.SUFFIX.<pid>.<random>.pinknoise-tmp`` in the same
directory, given its final mtime, then renamed over ``NAME.SUFFIX``. ``rename(2)`` is
atomic within a directory, so a server (or a reader mid-deploy) sees either the old
complete file or the new complete one, never a truncated one, even if the run is
SIGKILLed. The leading dot matters: the server's scanner and this compressor both
ignore dotfiles, so a leftover temporary file is never served.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from typing import Final

from pinknoise.compress.reading import iter_fd, open_checked

TEMP_SUFFIX: Final = ".pinknoise-tmp"
_TEMP_RE: Final = re.compile(r"^\..+\.(?P<pid>\d+)\.[0-9a-f]{8}" + re.escape(TEMP_SUFFIX) + "$")

#: Flags for creating a temporary file: exclusive, never through a symlink.
CREATE_FLAGS: Final = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


def temp_name(final_name: str, owner_pid: int) -> str:
    """Name of the temporary file for ``final_name``, tagged with the owning run's pid."""
    return f".{final_name}.{owner_pid}.{secrets.token_hex(4)}{TEMP_SUFFIX}"


def stale_temp_owner(name: str) -> int | None:
    """The owner pid if ``name`` is one of our temporary files, else ``None``."""
    match = _TEMP_RE.match(name)
    return int(match["pid"]) if match else None


def pid_alive(pid: int) -> bool:
    """True if a process with ``pid`` exists (so its temp files may still be in use)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_abandoned_temp(name: str) -> bool:
    """True for a temp file whose run is gone; a live run's files are left alone."""
    pid = stale_temp_owner(name)
    if pid is None:
        return False
    return pid == os.getpid() or not pid_alive(pid)


def temp_path(path: str, owner_pid: int) -> str:
    """A fresh temporary path next to ``path`` (see :func:`temp_name`)."""
    directory, final_name = os.path.split(path)
    return os.path.join(directory, temp_name(final_name, owner_pid))


def commit(tmp: str, path: str, mtime_ns: int | None) -> os.stat_result:
    """Give finished temp file ``tmp`` its mtime and rename it over ``path``."""
    try:
        if mtime_ns is not None:
            os.utime(tmp, ns=(mtime_ns, mtime_ns), follow_symlinks=False)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return os.stat(path, follow_symlinks=False)


def copy_atomic(source: str, path: str, mtime_ns: int | None, owner_pid: int) -> os.stat_result:
    """Copy regular file ``source`` to ``path`` atomically, piece by piece."""
    tmp = temp_path(path, owner_pid)
    fd, st = open_checked(source)
    try:
        out = os.open(tmp, CREATE_FLAGS, 0o666)
        try:
            for chunk in iter_fd(fd, st.st_size):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(out, view) :]
        except BaseException:
            os.close(out)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        os.close(out)
    finally:
        os.close(fd)
    return commit(tmp, path, mtime_ns)


def write_atomic(path: str, data: bytes, mtime_ns: int | None, owner_pid: int) -> os.stat_result:
    """Write ``data`` to ``path`` atomically, with mtime ``mtime_ns`` if given; return its stat.

    ``O_EXCL | O_NOFOLLOW`` on the temp file and ``rename`` over the final name mean a
    pre-existing symlink at either name is replaced, never written through. No fsync:
    atomicity against a killed process does not need it, and syncing thousands of
    files would dominate the run time.
    """
    directory, final_name = os.path.split(path)
    tmp = os.path.join(directory, temp_name(final_name, owner_pid))
    fd = os.open(tmp, CREATE_FLAGS, 0o666)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if mtime_ns is not None:
                os.utime(fd, ns=(mtime_ns, mtime_ns))
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return os.stat(path, follow_symlinks=False)
