"""Entity-tag comparison for conditional requests (RFC 9110 §8.8.3 and §13.1)."""

from __future__ import annotations

import re
from typing import Final

# entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, as a member of a comma-separated list.
# etagc may itself contain commas, so a list is tokenised, not split.
_LIST_MEMBER: Final = re.compile(r'[ \t]*(W/)?("[\x21\x23-\x7e\x80-\xff]*")[ \t]*(?:,|$)')
_MAX_HEADER: Final = 8192


def etag_list_matches(header: str, etag: str, *, strong: bool) -> bool:
    """Whether an If-Match / If-None-Match / If-Range value matches our ``etag``.

    ``*`` matches any current representation. With ``strong`` (If-Match, If-Range), a
    weak tag never matches; otherwise (If-None-Match) the ``W/`` prefix is ignored.
    A malformed list matches nothing.
    """
    if header == etag:
        return True
    header = header.strip()
    if header == "*":
        return True
    if len(header) > _MAX_HEADER:
        return False
    position, end = 0, len(header)
    while position < end:
        member = _LIST_MEMBER.match(header, position)
        if member is None:
            return False
        if member.group(2) == etag and not (strong and member.group(1)):
            return True
        position = member.end()
    return False
