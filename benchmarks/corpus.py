"""Deterministic benchmark corpora.

Two kinds of tree, both written into a directory the caller chooses (usually a temp dir):

* ``build_site``: a realistic small site. HTML, CSS, JS and SVG text of realistic sizes
  (1 KB to 200 KB) with ``.gz`` (gzip level 9) and ``.br`` (brotli quality 11) siblings,
  a content-hashed bundle name, and one incompressible binary without siblings.
* ``build_tree``: N small files spread over nested directories, for start-up (scan)
  measurements. About a third of the files are ``.gz``/``.br`` siblings of text files, as
  after a ``collectstatic`` with compression.

Same arguments, same bytes: contents come from a seeded PRNG, gzip headers carry mtime 0,
and every file gets the same fixed mtime.

Run it directly to build a tree and print its layout::

    .venv/bin/python benchmarks/corpus.py /tmp/site
    .venv/bin/python benchmarks/corpus.py /tmp/tree --files 10000
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import brotli

# 2024-01-01T00:00:00Z: a fixed mtime, so Last-Modified and mtime-derived ETags repeat.
FIXED_MTIME = 1_704_067_200

HASHED_JS = "js/app.3f2a9c1b7d4e.js"
HERO_JPG = "img/hero.jpg"  # 1 MiB: far above pinknoise's 128 KiB in-memory body limit
LARGE_FILE = "media/large.bin"  # written by build_large only (32 MiB by default)
LARGE_SIZE = 32 * 1024 * 1024

_WORD_TEXT = """
static serve cache header request response stream content encoding range modified match
vary origin client server proxy upstream socket buffer chunk length digest hash bundle
module widget layout sidebar footer navbar button input label table column row cell panel
modal dialog toast badge avatar card grid flex gap margin padding border shadow radius
color background font weight size line height
"""
_CSS_PROP_TEXT = """
margin padding border color background font-size line-height display position top left
width height gap opacity transform transition box-shadow border-radius
"""
_WORDS = tuple(_WORD_TEXT.split())
_CSS_PROPS = tuple(_CSS_PROP_TEXT.split())


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n))


def _ident(rng: random.Random) -> str:
    return rng.choice(_WORDS) + rng.choice(_WORDS).capitalize() + str(rng.randrange(100))


def _css(rng: random.Random, size: int) -> bytes:
    out: list[str] = []
    total = 0
    while total < size:
        sel = f".{rng.choice(_WORDS)}-{rng.choice(_WORDS)}"
        if rng.random() < 0.4:
            sel += f" > .{rng.choice(_WORDS)}"
        decls = "".join(
            f"  {rng.choice(_CSS_PROPS)}: {rng.randrange(0, 64)}px;\n"
            for _ in range(rng.randrange(2, 7))
        )
        rule = f"{sel} {{\n{decls}}}\n"
        out.append(rule)
        total += len(rule)
    return "".join(out).encode()[:size]


def _js(rng: random.Random, size: int) -> bytes:
    out: list[str] = ['"use strict";\n']
    total = len(out[0])
    while total < size:
        name, arg, other = _ident(rng), _ident(rng), _ident(rng)
        body = (
            f"function {name}({arg}, {other}) {{\n"
            f"  const value = {arg}.{rng.choice(_WORDS)} + {rng.randrange(1000)};\n"
            f"  if (value > {other}.length) {{\n"
            f'    return {other}.map((x) => x.{rng.choice(_WORDS)} || "{_words(rng, 3)}");\n'
            f"  }}\n"
            f"  return {name}({arg}, value);\n"
            f"}}\n"
        )
        out.append(body)
        total += len(body)
    return "".join(out).encode()[:size]


def _html(rng: random.Random, size: int) -> bytes:
    head = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_words(rng, 4)}</title>\n"
        '<link rel="stylesheet" href="/static/css/site.css">\n'
        f'<script defer src="/static/{HASHED_JS}"></script>\n'
        "</head>\n<body>\n"
    )
    tail = "</body>\n</html>\n"
    out = [head]
    total = len(head) + len(tail)
    while total < size:
        block = (
            f'<section class="{rng.choice(_WORDS)}">\n'
            f"  <h2>{_words(rng, 5)}</h2>\n"
            f"  <p>{_words(rng, rng.randrange(20, 60))}</p>\n"
            f'  <a href="/{rng.choice(_WORDS)}/">{_words(rng, 2)}</a>\n'
            "</section>\n"
        )
        out.append(block)
        total += len(block)
    body = "".join(out).encode()
    return body[: size - len(tail)] + tail.encode()


def _svg(rng: random.Random, size: int) -> bytes:
    head = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256">\n'
    out = [head]
    total = len(head) + 7
    while total < size:
        el = (
            f'<path d="M{rng.randrange(256)} {rng.randrange(256)} '
            f'L{rng.randrange(256)} {rng.randrange(256)} Z" fill="#{rng.randrange(16**6):06x}"/>\n'
        )
        out.append(el)
        total += len(el)
    return ("".join(out).encode())[: size - 7] + b"</svg>\n"


def _text(rng: random.Random, size: int) -> bytes:
    lines: list[str] = []
    total = 0
    while total < size:
        line = _words(rng, rng.randrange(4, 12)) + "\n"
        lines.append(line)
        total += len(line)
    return "".join(lines).encode()[:size]


Generator = Callable[[random.Random, int], bytes]

# (relative path, generator, size in bytes, write .gz/.br siblings)
SITE_FILES: tuple[tuple[str, Generator, int, bool], ...] = (
    ("index.html", _html, 12 * 1024, True),
    ("about/index.html", _html, 4 * 1024, True),
    ("robots.txt", _text, 1024, False),
    ("css/site.css", _css, 24 * 1024, True),
    (HASHED_JS, _js, 64 * 1024, True),
    ("js/vendor.js", _js, 200 * 1024, True),
    ("img/logo.svg", _svg, 6 * 1024, True),
    ("img/photo.jpg", lambda rng, n: rng.randbytes(n), 48 * 1024, False),
    (HERO_JPG, lambda rng, n: rng.randbytes(n), 1024 * 1024, False),
)


@dataclass(frozen=True)
class SiteFile:
    """One file of the site corpus, with the bytes of each representation."""

    relpath: str
    identity: bytes
    gzip: bytes | None
    br: bytes | None


def _gzip(data: bytes, level: int = 9) -> bytes:
    return gzip.compress(data, compresslevel=level, mtime=0)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (FIXED_MTIME, FIXED_MTIME))


def build_site(dest: Path, seed: int = 2) -> dict[str, SiteFile]:
    """Write the small realistic site into ``dest``; return its files by relative path."""
    files: dict[str, SiteFile] = {}
    for i, (relpath, gen, size, compress) in enumerate(SITE_FILES):
        data = gen(random.Random(seed * 1000 + i), size)
        gz = _gzip(data) if compress else None
        br = brotli.compress(data, quality=11) if compress else None
        _write(dest / relpath, data)
        if gz is not None:
            _write(dest / (relpath + ".gz"), gz)
        if br is not None:
            _write(dest / (relpath + ".br"), br)
        files[relpath] = SiteFile(relpath, data, gz, br)
    return files


def build_large(dest: Path, size: int = LARGE_SIZE, seed: int = 32) -> Path:
    """Write one incompressible ``size``-byte file at ``LARGE_FILE`` (no siblings)."""
    path = dest / LARGE_FILE
    _write(path, random.Random(seed).randbytes(size))
    return path


_TREE_KINDS: tuple[tuple[str, Generator, bool], ...] = (
    (".js", _js, True),
    (".css", _css, True),
    (".png", lambda rng, n: rng.randbytes(n), False),
    (".svg", _svg, True),
    (".woff2", lambda rng, n: rng.randbytes(n), False),
)


def build_tree(dest: Path, n_files: int, seed: int = 8, per_dir: int = 50) -> int:
    """Write exactly ``n_files`` small files (200 B-2 KB) under ``dest``; return the count.

    Layout: ``pkgNNN/sub/NN/name.ext`` with up to ``per_dir`` files per leaf directory.
    Each text original is followed by its ``.gz`` and ``.br`` siblings (when they fit in
    the count), so roughly a third of all files are precompressed variants.
    """
    rng = random.Random(seed)
    written = 0
    i = 0
    while written < n_files:
        leaf = dest / f"pkg{i // (per_dir * 10):03d}" / "sub" / f"{(i // per_dir) % 10:02d}"
        ext, gen, compress = _TREE_KINDS[i % len(_TREE_KINDS)]
        name = f"{rng.choice(_WORDS)}_{i:06d}{ext}"
        data = gen(rng, rng.randrange(200, 2048))
        _write(leaf / name, data)
        written += 1
        if compress and written + 2 <= n_files:
            _write(leaf / (name + ".gz"), _gzip(data, level=6))
            _write(leaf / (name + ".br"), brotli.compress(data, quality=5))
            written += 2
        i += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="directory to write (created if missing)")
    parser.add_argument("--files", type=int, help="build an N-file tree instead of the site")
    args = parser.parse_args()
    if args.files:
        count = build_tree(args.dest, args.files)
        print(f"wrote {count} files under {args.dest}")
        return
    for relpath, f in build_site(args.dest).items():
        sizes = f"{len(f.identity):>7} B"
        if f.gzip is not None and f.br is not None:
            sizes += f"  gz {len(f.gzip):>6} B  br {len(f.br):>6} B"
        print(f"{relpath:<28}{sizes}")


if __name__ == "__main__":
    main()
