"""Checked reads: only a regular file, and never more than it held when opened.

The scan decides which paths are files worth reading, but a path can change between the
scan and the read (a FIFO or a symlink to ``/dev/zero`` put in a file's place), and a
plain ``open(path).read()`` would then block forever or read without end. Every read
of a source therefore goes through :func:`open_checked`: the path is opened with
``O_NONBLOCK`` (so a FIFO without a writer cannot block the open), the open file is
``fstat``-ed and refused unless it is a regular file, and reads stop at the size that
``fstat`` reported.
"""

from __future__ import annotations

import errno
import os
import stat as stat_module
from collections.abc import Iterator
from typing import Final

#: Largest piece read from a file at once when streaming it.
CHUNK_SIZE: Final = 1024 * 1024

_FLAGS: Final = (
    os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
)


class NotRegularFileError(OSError):
    """The path, once opened, is not a regular file (a FIFO, a device, a directory)."""

    def __init__(self, path: str) -> None:
        super().__init__(errno.EINVAL, "not a regular file", path)


class TooLargeError(OSError):
    """The file is larger than the caller's limit."""

    def __init__(self, path: str, size: int, limit: int) -> None:
        super().__init__(errno.EFBIG, f"larger than {limit} bytes ({size})", path)


def open_checked(path: str) -> tuple[int, os.stat_result]:
    """Open ``path`` for reading if it is a regular file; return the fd and its fstat."""
    fd = os.open(path, _FLAGS)
    try:
        st = os.fstat(fd)
        if not stat_module.S_ISREG(st.st_mode):
            raise NotRegularFileError(path)
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_fd(fd: int, size: int) -> bytes:
    """Up to ``size`` bytes from ``fd`` (fewer if the file shrank meanwhile)."""
    parts: list[bytes] = []
    left = size
    while left > 0:
        part = os.read(fd, min(left, CHUNK_SIZE))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def iter_fd(fd: int, size: int, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """``fd``'s first ``size`` bytes, in pieces of at most ``chunk_size``."""
    left = size
    while left > 0:
        part = os.read(fd, min(left, chunk_size))
        if not part:
            return
        left -= len(part)
        yield part


def read_checked(path: str, limit: int | None = None) -> tuple[bytes, os.stat_result]:
    """All of regular file ``path`` as it was when opened, and its fstat.

    Raises :class:`NotRegularFileError`, :class:`TooLargeError` (above ``limit`` bytes)
    or any other :class:`OSError` from opening.
    """
    fd, st = open_checked(path)
    try:
        if limit is not None and st.st_size > limit:
            raise TooLargeError(path, st.st_size, limit)
        return read_fd(fd, st.st_size), st
    finally:
        os.close(fd)
