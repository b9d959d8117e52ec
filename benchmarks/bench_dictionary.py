"""Bytes on the wire for a new version of an asset: identity, gzip, br, zstd and dcz.

Two realistic pairs, built from files installed in the virtualenv:

- a small edit: Django admin's unminified jQuery with one function body changed (what a
  one-line fix in a bundle looks like);
- two real builds of one module: the CodeMirror chunk Playwright ships under two
  different content hashes (two builds of the same source tree).

    .venv/bin/python benchmarks/bench_dictionary.py

Target (issue 7): dcz <= 10% of br for the small edit.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import brotli
import zstandard

from pinknoise.compress.deltas import encode_dcz

SITE = (
    Path(sys.prefix)
    / "lib"
    / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    / "site-packages"
)


def sizes(new: bytes, old: bytes) -> dict[str, int]:
    return {
        "identity": len(new),
        "gzip": len(gzip.compress(new, 9, mtime=0)),
        "br": len(brotli.compress(new, quality=11)),
        "zstd": len(zstandard.ZstdCompressor(level=19).compress(new)),
        "dcz": len(encode_dcz(new, old)),
    }


def pairs() -> list[tuple[str, bytes, bytes]]:
    found = []
    jquery = next(SITE.glob("django/contrib/admin/static/admin/js/vendor/jquery/jquery.js"), None)
    if jquery is not None:
        old = jquery.read_bytes()
        new = old.replace(b"return this.pushStack(", b"return this.pushStack( /* fix */ ", 1)
        found.append(("jQuery (Django admin), one-line edit", new, old))
    builds = sorted(SITE.glob("playwright/driver/package/lib/vite/*/assets/codeMirrorModule-*.js"))
    distinct = {path.read_bytes(): path for path in builds}
    if len(distinct) >= 2:
        (old, _), (new, _) = list(distinct.items())[:2]
        found.append(("CodeMirror chunk (Playwright), two builds", new, old))
    return found


def main() -> None:
    print(f"{'pair':44} {'identity':>9} {'gzip':>8} {'br':>8} {'zstd':>8} {'dcz':>8}  dcz/br")
    for label, new, old in pairs():
        s = sizes(new, old)
        print(
            f"{label:44} {s['identity']:>9,} {s['gzip']:>8,} {s['br']:>8,} {s['zstd']:>8,}"
            f" {s['dcz']:>8,}  {s['dcz'] / s['br']:.1%}"
        )


if __name__ == "__main__":
    main()
