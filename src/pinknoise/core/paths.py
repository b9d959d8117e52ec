"""URL prefixes, and the mapping of a request path to a file path for autorefresh.

Serving from the catalog needs no path safety at all: a request path is only ever a key
into a dict built from the files actually found under the roots. The checks here guard
the one place that touches the file system with request input: autorefresh lookups.
"""

from __future__ import annotations

import os
from typing import Final
from urllib.parse import urlsplit

from pinknoise.core.codings import SUFFIXES

#: Files never served by default besides dotfiles: Django's manifest at a root's top.
HIDDEN_ROOT_FILES: Final = frozenset({"staticfiles.json"})


def normalize_prefix(prefix: str | None) -> str:
    """``static``, ``static/``, ``/static/`` or ``https://cdn/static/`` -> ``/static/``."""
    if prefix is None:
        return "/"
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a string, got {prefix!r}")
    if "://" in prefix or prefix.startswith("//"):
        prefix = urlsplit(prefix).path
    if any(part in (".", "..") for part in prefix.split("/")):
        raise ValueError(f"prefix must not contain '.' or '..' segments: {prefix!r}")
    stripped = prefix.strip("/")
    return f"/{stripped}/" if stripped else "/"


def is_hidden(name: str) -> bool:
    """Dotfiles and dot-directories (``.git``, ``.env``, temp files) are never served."""
    return name.startswith(".")


def is_hidden_at_root(name: str) -> bool:
    """Django's manifest at the top of a root, and its compressed siblings, stay private."""
    if name in HIDDEN_ROOT_FILES:
        return True
    base, _, suffix = name.rpartition(".")
    return f".{suffix}" in SUFFIXES.values() and base in HIDDEN_ROOT_FILES


def is_url_safe(name: str) -> bool:
    """Whether a file name is servable: one a URL can spell, with no path meaning.

    Undecodable bytes, control and other non-printable characters, and backslashes
    (a path separator to some clients and file systems) are refused, by the scanner
    and by autorefresh lookups alike.
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return name.isprintable() and "\\" not in name


def is_within(path: str, root: str) -> bool:
    """Whether a resolved ``path`` lies inside the resolved directory ``root``."""
    return path == root or path.startswith(root if root.endswith(os.sep) else root + os.sep)


def relative_file_path(url_path: str, prefix: str) -> str | None:
    """The root-relative file path a request path names, or None if it names none safely.

    Refuses anything that could step outside a root or reach a hidden file: ``.`` and
    ``..`` segments, empty segments, backslashes, NUL, and dotfile segments. The result
    is still checked against the resolved root by the caller, for symlinks.
    """
    if not url_path.startswith(prefix):
        return None
    relative = url_path[len(prefix) :]
    segments = relative.split("/")
    # A trailing "/" (an index URL) leaves one empty last segment, which is allowed.
    for index, segment in enumerate(segments):
        if not segment:
            if index == len(segments) - 1:
                continue
            return None
        if is_hidden(segment) or not is_url_safe(segment):
            return None
    return relative
