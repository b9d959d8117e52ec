from __future__ import annotations

import pytest

from pinknoise.core.media_types import MediaTypes


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("app.js", "text/javascript; charset=utf-8"),
        ("app.mjs", "text/javascript; charset=utf-8"),
        ("style.CSS", "text/css; charset=utf-8"),
        ("index.html", "text/html; charset=utf-8"),
        ("data.json", "application/json"),
        ("app.js.map", "application/json"),
        ("module.wasm", "application/wasm"),
        ("site.webmanifest", "application/manifest+json; charset=utf-8"),
        ("font.woff2", "font/woff2"),
        ("image.avif", "image/avif"),
        ("icon.svg", "image/svg+xml; charset=utf-8"),
        ("page.xhtml", "application/xhtml+xml; charset=utf-8"),
        ("segment.ts", "video/mp2t"),
        ("archive.tar", "application/x-tar"),
        ("README", "application/octet-stream"),
        (".hidden", "application/octet-stream"),
        ("weird.unknownext", "application/octet-stream"),
    ],
)
def test_defaults(name: str, expected: str) -> None:
    assert MediaTypes().content_type(name) == expected


def test_overrides_by_extension_and_name() -> None:
    types = MediaTypes({".foo": "text/x-foo", "apple-app-site-association": "application/json"})
    assert types.content_type("a.FOO") == "text/x-foo; charset=utf-8"
    assert types.content_type("apple-app-site-association") == "application/json"


def test_charset_option() -> None:
    assert MediaTypes(charset="latin-1").content_type("a.txt") == "text/plain; charset=latin-1"
    assert MediaTypes(charset="").content_type("a.txt") == "text/plain"


def test_values_are_interned() -> None:
    types = MediaTypes()
    assert types.content_type("a.css") is types.content_type("b.css")


def test_knows() -> None:
    types = MediaTypes({".doe": "text/x-doe", "Makefile": "text/x-makefile"})
    for name in ("app.js", "x.CSS", "a.tar.gz", "report.doc", "john.doe", "Makefile"):
        assert types.knows(name), name  # the web table, Python's table, overrides
    assert not MediaTypes().knows("john.doe")
    for name in ("v1.2", "users", ".hidden"):
        assert not types.knows(name), name
