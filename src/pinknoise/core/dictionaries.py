"""Compression Dictionary Transport (RFC 9842): the server's side of delta delivery.

A browser holding an earlier version of a versioned asset (``app.3f2a9c1b7d4e.js``)
advertises it with ``Available-Dictionary: :<base64 SHA-256>:`` and ``dcz`` in
``Accept-Encoding``; if ``pinknoise compress`` wrote a delta of the current version
against that one, it is sent instead of the whole file.

- Deltas live next to the file as ``NAME.<sha256 hex of the dictionary>.dcz``, already
  in dcz's on-wire form (a zstd skippable frame carrying the dictionary's hash, then a
  zstd frame compressed with the dictionary as raw content). They are not served under
  their own URLs.
- Versioned assets are announced as dictionaries for their future versions with
  ``Use-As-Dictionary: match="<the URL with the hash replaced by *>"``.
- ``dcb`` (brotli with a dictionary) is not produced: the ``brotli`` Python binding has
  no dictionary support.
"""

from __future__ import annotations

import binascii
import re
from typing import Final
from urllib.parse import quote

from pinknoise.core.options import hash_span

DELTA_CODING: Final = "dcz"
#: dcz's header: the magic of a zstd skippable frame (0x184D2A5E) and its size, 32.
DCZ_MAGIC: Final = bytes([0x5E, 0x2A, 0x4D, 0x18, 0x20, 0x00, 0x00, 0x00])

_DELTA_NAME: Final = re.compile(r"(.+)\.([0-9a-f]{64})\.dcz")
# sf-binary (RFC 8941 §3.3.5): ":" base64 ":"; a SHA-256 is 44 base64 characters.
_SF_BINARY: Final = re.compile(r"[ \t]*:([A-Za-z0-9+/]{43}=):[ \t]*")
# What a browser leaves unencoded in a URL path (WHATWG URL: everything but the path
# percent-encode set), so that the pattern compares equal to the URLs it requests.
_PATH_SAFE: Final = "/!$&'()*+,-.:;=@[]_~|"
# Characters with a meaning in URL Pattern syntax, escaped with a backslash.
_PATTERN_SPECIALS: Final = re.compile(r"([\\:*(){}+?])")


def delta_name(name: str, dictionary_digest: bytes) -> str:
    """The file name of ``name``'s delta against the dictionary with that SHA-256."""
    return f"{name}.{dictionary_digest.hex()}.dcz"


def parse_delta_name(name: str) -> tuple[str, bytes] | None:
    """``(source name, dictionary digest)`` for a delta's file name, else None."""
    match = _DELTA_NAME.fullmatch(name)
    if match is None:
        return None
    return match.group(1), bytes.fromhex(match.group(2))


def parse_available_dictionary(value: str) -> bytes | None:
    """The 32-byte digest in an ``Available-Dictionary`` value; None if malformed."""
    match = _SF_BINARY.fullmatch(value)
    if match is None:
        return None
    try:
        digest = binascii.a2b_base64(match.group(1), strict_mode=True)
    except binascii.Error:
        return None
    return digest if len(digest) == 32 else None


def use_as_dictionary(url: str) -> str | None:
    """The ``Use-As-Dictionary`` value for a versioned URL, or None if it has no hash.

    The pattern is the file name with its content hash replaced by ``*``, so it matches
    every future version next to it. It is relative: RFC 9842 resolves it against the
    dictionary's own URL, so it stays right under any mount (a script name, a proxy
    prefix) that the server never sees. It is percent-encoded (patterns match encoded
    URLs), URL-Pattern escaped, then written as an RFC 8941 string.
    """
    name = url[url.rfind("/") + 1 :]
    span = hash_span(name)
    if span is None:
        return None
    start, end = span
    parts = (quote(name[:start], safe=_PATH_SAFE), quote(name[end:], safe=_PATH_SAFE))
    pattern = "*".join(_PATTERN_SPECIALS.sub(r"\\\1", part) for part in parts)
    escaped = pattern.replace("\\", "\\\\").replace('"', '\\"')
    return f'match="{escaped}"'
