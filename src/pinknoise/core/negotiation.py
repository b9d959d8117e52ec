"""Accept-Encoding negotiation (RFC 9110 §12.5.3) over the precompressed siblings of a file.

The rules, in plain words:

* no header at all: send identity (the RFC allows any coding, but every mainstream server
  sends identity, and so do we);
* codings are rated by their ``q`` (case-insensitive names and parameters, optional
  whitespace, ``x-gzip`` is ``gzip``); ``q=0`` excludes a coding; ``*`` rates every coding
  not listed by name;
* the highest rated available coding wins; ties are broken by the server's order
  (``br`` > ``zstd`` > ``gzip`` by default); a compressed coding also wins a tie against
  identity, and identity wins only when the client rates it strictly higher;
* when nothing acceptable is available (for example ``identity;q=0`` and no sibling), the
  identity representation is sent anyway, as nginx and Caddy do, rather than a 406.

Parsing one header costs a few microseconds, so results are memoised per (header value,
available codings); the memo is bounded and simply cleared when full so hostile, unique
headers cannot grow memory.
"""

from __future__ import annotations

import re
from typing import Final

IDENTITY: Final = "identity"
_MEMO_LIMIT: Final = 1024
_MAX_HEADER: Final = 4096
# qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
_QVALUE: Final = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")

Ratings = dict[str, float]

_memo: dict[tuple[str, tuple[str, ...]], str] = {}


def parse_accept_encoding(header: str) -> Ratings:
    """Map each listed coding (lower-case) to its q-value; malformed members are skipped."""
    ratings: Ratings = {}
    for member in header[:_MAX_HEADER].split(","):
        name, _, params = member.partition(";")
        name = name.strip().lower()
        if not name:
            continue
        if name == "x-gzip":
            name = "gzip"
        quality = 1.0
        if params:
            quality_or_none = _parse_qvalue(params)
            if quality_or_none is None:
                continue
            quality = quality_or_none
        # A repeated coding keeps its first rating (the RFC does not define repeats).
        ratings.setdefault(name, quality)
    return ratings


def _parse_qvalue(params: str) -> float | None:
    """The ``q`` parameter's value: 1.0 when absent, None when malformed."""
    for param in params.split(";"):
        key, _, raw = param.partition("=")
        if key.strip().lower() == "q":
            raw = raw.strip()
            return float(raw) if _QVALUE.fullmatch(raw) else None
    return 1.0


def choose_coding(header: str | None, available: tuple[str, ...]) -> str:
    """Pick the coding to send: one of ``available`` (in server order) or ``"identity"``."""
    if not header or not available:
        # Absent header: identity by convention. Empty header: only identity acceptable.
        return IDENTITY
    key = (header, available)
    chosen = _memo.get(key)
    if chosen is None:
        chosen = _choose_uncached(parse_accept_encoding(header), available)
        if len(_memo) >= _MEMO_LIMIT:
            _memo.clear()
        _memo[key] = chosen
    return chosen


def _choose_uncached(ratings: Ratings, available: tuple[str, ...]) -> str:
    star = ratings.get("*")
    best, best_quality = IDENTITY, 0.0
    for coding in available:
        quality = ratings.get(coding, star if star is not None else 0.0)
        if quality > best_quality:
            best, best_quality = coding, quality
    if best == IDENTITY:
        return IDENTITY
    identity_quality = ratings.get(IDENTITY, star if star is not None else 0.0)
    return IDENTITY if identity_quality > best_quality else best
