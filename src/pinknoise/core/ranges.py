"""The Range header (RFC 9110 §14.2) for a single byte range.

Decision (documented in docs/http.md): one range is served as a 206; a request for
several ranges is answered with the whole representation (200), which the RFC allows
("a server MAY ignore the Range header field") and which avoids multipart bodies that
CDNs cache poorly. An unsatisfiable single range gets 416; anything malformed is ignored.
"""

from __future__ import annotations

import re
from typing import Final

#: Result of parsing: ``(start, stop)`` with ``stop`` exclusive.
ByteSlice = tuple[int, int]

UNSATISFIABLE: Final = "unsatisfiable"
_MAX_HEADER: Final = 1024
# Whole-header grammar for one range: "bytes" "=" OWS ( first "-" [last] / "-" suffix ) OWS.
# Numbers are limited to 18 digits: every real file size fits, and huge digit strings
# never reach int().
_SINGLE: Final = re.compile(r"[ \t]*([0-9]{0,18})-([0-9]{0,18})[ \t]*", re.ASCII)


def parse_range(header: str, size: int) -> ByteSlice | str | None:
    """Interpret a Range header against a representation of ``size`` bytes.

    Returns a ``(start, stop)`` slice, :data:`UNSATISFIABLE`, or ``None`` when the header
    must be ignored (malformed, another unit, several ranges).
    """
    if len(header) > _MAX_HEADER:
        return None
    unit, equals, ranges = header.partition("=")
    if not equals or unit.strip().lower() != "bytes" or "," in ranges:
        return None
    match = _SINGLE.fullmatch(ranges)
    if match is None:
        return None
    first, last = match.groups()
    if first:
        start = int(first)
        if last:
            end = int(last)
            if end < start:
                return None
            stop = min(end + 1, size)
        else:
            stop = size
        return (start, stop) if start < size else UNSATISFIABLE
    if not last:
        return None  # "bytes=-" is not a range
    suffix = int(last)
    if suffix == 0 or size == 0:
        return UNSATISFIABLE
    return (max(size - suffix, 0), size)
