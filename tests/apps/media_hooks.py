"""``authorize`` hooks for the media tests, importable by every server process."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qs


def allow_signed(path: str, query: str, headers: Mapping[str, str]) -> bool:
    """Signed URLs (``?sig=good``) or a session cookie (``session=good``) may read."""
    if parse_qs(query).get("sig") == ["good"]:
        return True
    # Commas too: Django's ASGIRequest joins repeated Cookie fields with ",", which no
    # cookie value may contain (RFC 6265).
    cookies = [part.strip() for part in re.split("[;,]", headers.get("cookie", ""))]
    return "session=good" in cookies


def broken(path: str, query: str, headers: Mapping[str, str]) -> bool:
    """A hook with a bug: it must refuse (404), never serve and never answer 500."""
    raise KeyError("session")
