"""A recorded listing of a static root, so start-up need not walk and stat every file.

``collectstatic`` or ``pinknoise compress`` writes ``ROOT/.pinknoise-catalog.json`` (a
dotfile, never served) right after writing the files; ``StaticServer.add_files`` then
builds the catalog from it. This matters on slow network file systems, where stat-ing
tens of thousands of files made start-up take tens of seconds.

A snapshot is an accelerator of the walk, not a replacement: each directory's mtime is
recorded, and at start-up every directory is stat-ed (one stat per directory, not per
file); one whose mtime changed is listed again. So a file *added* after collectstatic
(a build step copying a bundle into STATIC_ROOT) is served, and trusting the recorded
file stats is safe because every file is checked again when it is served (freshness,
see docs/http.md).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Iterator
from typing import Any, Final

from pinknoise.core.paths import is_hidden, is_url_safe
from pinknoise.core.walker import FileStat, Policy, Recorded, walk

SNAPSHOT_NAME: Final = ".pinknoise-catalog.json"
FORMAT: Final = "pinknoise-catalog/2"
_OLD_FORMATS: Final = frozenset({"pinknoise-catalog/1"})

log = logging.getLogger("pinknoise")


def write_snapshot(root: str | os.PathLike[str], allow_external_symlinks: bool = False) -> str:
    """Walk ``root`` as the server would and record the result; returns the file's path."""
    real_root = os.path.realpath(os.fspath(root))
    directories = [
        [relative_dir, dir_mtime_ns, [[name, st.size, st.mtime_ns] for name, st in files]]
        for _, relative_dir, dir_mtime_ns, files in walk(Policy(real_root, allow_external_symlinks))
    ]
    document = {
        "format": FORMAT,
        "allow_external_symlinks": allow_external_symlinks,
        "directories": directories,
    }
    target = os.path.join(real_root, SNAPSHOT_NAME)
    # Not mkstemp: its 0600 would make the snapshot unreadable to a server running as
    # another user than collectstatic. 0666 under the umask, like any file written.
    temporary = os.path.join(real_root, f".pinknoise-catalog.{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    handle = os.open(temporary, flags, 0o666)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, separators=(",", ":"))
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
    return target


def read_snapshot(real_root: str, allow_external_symlinks: bool) -> Recorded | None:
    """The recorded listing of ``real_root`` for :func:`walk`, or None to walk it all.

    A snapshot made under another symlink policy, of another format, or that fails
    validation in any way is ignored (with a warning if it exists but is unusable).
    """
    path = os.path.join(real_root, SNAPSHOT_NAME)
    try:
        with open(path, encoding="utf-8") as source:
            document = json.load(source)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        log.warning("pinknoise: ignoring unreadable snapshot %s: %s", path, error)
        return None
    try:
        if document.get("format") in _OLD_FORMATS:
            return None  # rewritten by the next collectstatic or compress
        if document.get("format") != FORMAT:
            raise ValueError(f"unknown format {document.get('format')!r}")
        if document.get("allow_external_symlinks") != allow_external_symlinks:
            return None
        return dict(_directories(document["directories"]))
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        log.warning("pinknoise: ignoring invalid snapshot %s: %s", path, error)
        return None


def _directories(raw: Any) -> Iterator[tuple[str, tuple[int, list[tuple[str, FileStat]]]]]:
    """Validate every recorded name: a snapshot must never name a path out of the root."""
    for relative_dir, dir_mtime_ns, files in raw:
        if type(dir_mtime_ns) is not int:
            raise ValueError(f"bad directory mtime for {relative_dir!r}")
        if not isinstance(relative_dir, str) or (relative_dir and not relative_dir.endswith("/")):
            raise ValueError(f"bad directory {relative_dir!r}")
        for segment in relative_dir[:-1].split("/") if relative_dir else ():
            _check_name(segment)
        listing: list[tuple[str, FileStat]] = []
        for name, size, mtime_ns in files:
            _check_name(name)
            if type(size) is not int or type(mtime_ns) is not int or size < 0:
                raise ValueError(f"bad stat for {name!r}")
            listing.append((name, FileStat(size, mtime_ns)))
        yield relative_dir, (dir_mtime_ns, listing)


def _check_name(name: object) -> None:
    if (
        not isinstance(name, str)
        or not name
        or "/" in name
        or "\x00" in name
        or name in (".", "..")
        or is_hidden(name)
        or not is_url_safe(name)
    ):
        raise ValueError(f"bad name {name!r}")
