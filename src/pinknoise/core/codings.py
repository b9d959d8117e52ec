"""Content codings pinknoise knows, and the file suffix of their precompressed sibling.

Shared by the scanner (which looks for ``NAME.br`` next to ``NAME``) and the compressor
(which writes them), so both always agree on names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

#: Content-coding token -> suffix of the precompressed sibling file.
SUFFIXES: Final[dict[str, str]] = {"br": ".br", "zstd": ".zst", "gzip": ".gz"}

#: Server preference when a client rates several codings equally: smallest output first.
DEFAULT_ORDER: Final[tuple[str, ...]] = ("br", "zstd", "gzip")

#: Suffixes of files that are themselves compressed siblings.
VARIANT_SUFFIXES: Final[frozenset[str]] = frozenset(SUFFIXES.values())


def validate_codings(codings: Iterable[object]) -> tuple[str, ...]:
    """Check a user-supplied coding list (names or an order) and return it as a tuple."""
    if isinstance(codings, str) or not hasattr(codings, "__iter__"):
        raise TypeError(
            f"encodings must be a sequence of coding names like ('br', 'gzip'), got {codings!r}"
        )
    result: list[str] = []
    for item in codings:
        if not isinstance(item, str):
            raise TypeError(f"encodings entries must be strings, got {item!r}")
        name = item.strip().lower()
        if name == "x-gzip":
            name = "gzip"
        if name not in SUFFIXES:
            known = ", ".join(SUFFIXES)
            raise ValueError(f"unknown encoding {item!r}; known encodings: {known}")
        if name in result:
            raise ValueError(f"encoding {item!r} listed twice")
        result.append(name)
    return tuple(result)
