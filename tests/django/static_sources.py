"""Static source trees for the Django tests, written as a project would have them."""

from __future__ import annotations

import random
from pathlib import Path

#: A 1x1 PNG (real, decodable).
DOT_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f2bd4f"
    "0000000049454e44ae426082"
)


def _words(seed: int, size: int) -> str:
    rng = random.Random(seed)
    words = ["color", "margin", "padding", "var", "function", "return", "display", "block"]
    out: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(words)
        out.append(word)
        length += len(word) + 1
    return " ".join(out)[:size]


def write(root: Path, relative: str, data: str | bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


APP_CSS = """\
@font-face { font-family: "Test"; src: url("../fonts/test.woff2") format("woff2"); }
body { background: url(../img/dot.png) repeat; color: rgb(1, 2, 3); }
/* %s */
"""

APP_JS = """\
document.documentElement.dataset.ran = "yes";
// %s
//# sourceMappingURL=app.js.map
"""


def write_sources(root: Path) -> Path:
    """A static source directory (``STATICFILES_DIRS`` entry) and return it."""
    write(root, "css/app.css", APP_CSS % _words(1, 4_000))
    write(root, "img/dot.png", DOT_PNG)
    write(root, "fonts/test.woff2", random.Random(2).randbytes(1_500))
    write(root, "js/app.js", APP_JS % _words(3, 6_000))
    write(root, "js/app.js.map", '{"version": 3, "sources": [], "mappings": ""}')
    # Large enough to be streamed from disk; an extension the compressor skips (fast).
    write(root, "media/big.mp4", random.Random(4).randbytes(600_000))
    write(root, "txt/readme.txt", "plain text\n" * 50)
    return root
