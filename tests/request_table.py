"""One table of requests and expected responses, replayed against every front end.

A case names what is sent (method, raw target as it goes on the wire, headers) and what
must come back. ``{etag}`` and ``{last-modified}`` in a header value are replaced by the
validator the server returns for the same target and Accept-Encoding, so the table does
not depend on file timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.support.site import HASHED_JS

CSS = "/static/css/app.css"
JS = "/static/" + HASHED_JS
DIGITS = "/static/digits.txt"
ABSENT = None  # expected header value meaning "must not be present"


@dataclass(frozen=True)
class Case:
    name: str
    target: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    file: str | None = None  # body must be this file (root-relative), decoded per coding
    coding: str = "identity"
    body: bytes | None = None  # exact body
    expect: dict[str, str | None] = field(default_factory=dict)
    app: bool = False  # the request must reach the wrapped application untouched
    wire: bool = True  # also replayed over real HTTP (False: a server would reject it)


def ae(value: str) -> dict[str, str]:
    return {"Accept-Encoding": value}


CASES: list[Case] = [
    # --- hits and content negotiation -------------------------------------------------
    Case(
        "identity hit",
        CSS,
        file="css/app.css",
        expect={
            "Content-Type": "text/css; charset=utf-8",
            "Vary": "Accept-Encoding",
            "Cache-Control": "max-age=60, public",
            "Accept-Ranges": "bytes",
            "Access-Control-Allow-Origin": "*",
            "Content-Encoding": ABSENT,
            "Content-Length": "20000",
        },
    ),
    Case("gzip", CSS, headers=ae("gzip"), file="css/app.css", coding="gzip"),
    Case("br", CSS, headers=ae("br"), file="css/app.css", coding="br"),
    Case("zstd", CSS, headers=ae("zstd"), file="css/app.css", coding="zstd"),
    Case(
        "browser header prefers br",
        CSS,
        headers=ae("gzip, deflate, br, zstd"),
        file="css/app.css",
        coding="br",
    ),
    Case(
        "q-values win over server order",
        CSS,
        headers=ae("gzip;q=1, br;q=0.5"),
        file="css/app.css",
        coding="gzip",
    ),
    Case(
        "q=0 excludes", CSS, headers=ae("br;q=0, zstd;q=0, gzip"), file="css/app.css", coding="gzip"
    ),
    Case("star", CSS, headers=ae("*"), file="css/app.css", coding="br"),
    Case("star with exclusion", CSS, headers=ae("*, br;q=0"), file="css/app.css", coding="zstd"),
    Case("identity only", CSS, headers=ae("identity"), file="css/app.css"),
    Case("empty header means identity", CSS, headers=ae(""), file="css/app.css", wire=False),
    Case("case-insensitive", CSS, headers=ae("GZIP"), file="css/app.css", coding="gzip"),
    Case("x-gzip", CSS, headers=ae("x-gzip"), file="css/app.css", coding="gzip"),
    Case(
        "whitespace", CSS, headers=ae(" br ; q=0.9 ,\tgzip;q=0.8"), file="css/app.css", coding="br"
    ),
    Case("malformed q skipped", CSS, headers=ae("br;q=2, gzip;q=x"), file="css/app.css"),
    Case("identity rated higher", CSS, headers=ae("gzip;q=0.5, identity;q=1"), file="css/app.css"),
    Case(
        "identity refused but nothing else",
        "/static/one.txt",
        headers=ae("identity;q=0"),
        body=b"x",
    ),
    Case(
        "zstd asked, only gz/br exist",
        JS,
        headers=ae("zstd"),
        file=HASHED_JS,
        expect={"Vary": "Accept-Encoding"},
    ),
    Case(
        "hashed name is immutable",
        JS,
        headers=ae("br"),
        file=HASHED_JS,
        coding="br",
        expect={"Cache-Control": "max-age=31536000, public, immutable"},
    ),
    Case(
        "gzip-only file",
        "/static/js/gz-only.js",
        headers=ae("br, gzip"),
        file="js/gz-only.js",
        coding="gzip",
    ),
    Case(
        "HEAD",
        CSS,
        method="HEAD",
        headers=ae("br"),
        body=b"",
        expect={"Content-Encoding": "br", "Vary": "Accept-Encoding"},
    ),
    Case(
        "binary type, no charset, no Vary",
        "/static/img/logo.png",
        headers=ae("gzip"),
        file="img/logo.png",
        expect={"Content-Type": "image/png", "Vary": ABSENT},
    ),
    Case(
        "font type",
        "/static/fonts/font.woff2",
        file="fonts/font.woff2",
        expect={"Content-Type": "font/woff2"},
    ),
    Case(
        "json has no charset",
        "/static/data.json",
        file="data.json",
        expect={"Content-Type": "application/json"},
    ),
    Case(
        "variant older than source is ignored",
        "/static/stale.js",
        headers=ae("gzip"),
        file="stale.js",
        expect={"Vary": ABSENT},
    ),
    Case(
        "variant bigger than source is ignored",
        "/static/tiny.txt",
        headers=ae("gzip"),
        file="tiny.txt",
        expect={"Vary": ABSENT},
    ),
    Case("empty file", "/static/empty.txt", body=b"", expect={"Content-Length": "0"}),
    Case("space in name", "/static/space%20name.txt", file="space name.txt"),
    Case(
        "unicode name",
        "/static/caf%C3%A9/%C3%BCn%C3%AFcode.txt",
        file="caf\u00e9/\u00fcn\u00efcode.txt",
    ),
    Case("symlink inside root", "/static/link-in.css", file="css/app.css"),
    Case("large file", "/static/big.bin", file="big.bin"),
    # --- conditional requests ------------------------------------------------------------
    Case(
        "If-None-Match current",
        CSS,
        headers={"If-None-Match": "{etag}"},
        status=304,
        body=b"",
        expect={
            "ETag": "{etag}",
            "Cache-Control": "max-age=60, public",
            "Vary": "Accept-Encoding",
            "Last-Modified": "{last-modified}",
            "Access-Control-Allow-Origin": "*",
            "Content-Type": ABSENT,
        },
    ),
    Case(
        "If-None-Match br",
        CSS,
        headers={**ae("br"), "If-None-Match": "{etag}"},
        status=304,
        body=b"",
        expect={"ETag": "{etag}"},
    ),
    Case("If-None-Match weak", CSS, headers={"If-None-Match": "W/{etag}"}, status=304),
    Case("If-None-Match list", CSS, headers={"If-None-Match": '"a", "b,c", {etag}'}, status=304),
    Case("If-None-Match star", CSS, headers={"If-None-Match": "*"}, status=304),
    Case(
        "ETag differs per representation",
        CSS,
        headers={**ae("br"), "If-None-Match": "{etag-identity}"},
        file="css/app.css",
        coding="br",
    ),
    Case("If-None-Match other", CSS, headers={"If-None-Match": '"nope"'}, file="css/app.css"),
    Case("If-None-Match garbage", CSS, headers={"If-None-Match": "garbage, ,"}, file="css/app.css"),
    Case(
        "If-Modified-Since equal", CSS, headers={"If-Modified-Since": "{last-modified}"}, status=304
    ),
    Case(
        "If-Modified-Since rfc850",
        CSS,
        headers={"If-Modified-Since": "Friday, 31-Dec-99 23:59:59 GMT"},
        file="css/app.css",
    ),
    Case(
        "If-Modified-Since asctime future",
        CSS,
        headers={"If-Modified-Since": "Sun Nov  6 08:49:37 2095"},
        status=304,
    ),
    Case(
        "If-Modified-Since old",
        CSS,
        headers={"If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"},
        file="css/app.css",
    ),
    Case(
        "If-Modified-Since malformed",
        CSS,
        headers={"If-Modified-Since": "yesterday"},
        file="css/app.css",
    ),
    Case(
        "If-None-Match beats If-Modified-Since",
        CSS,
        headers={"If-None-Match": '"nope"', "If-Modified-Since": "Sun Nov  6 08:49:37 2095"},
        file="css/app.css",
    ),
    Case("If-Match fails", CSS, headers={"If-Match": '"nope"'}, status=412, body=b""),
    Case("If-Match weak never matches", CSS, headers={"If-Match": "W/{etag}"}, status=412),
    Case("If-Match current", CSS, headers={"If-Match": "{etag}"}, file="css/app.css"),
    Case("If-Match star", CSS, headers={"If-Match": "*"}, file="css/app.css"),
    Case(
        "If-Unmodified-Since old",
        CSS,
        headers={"If-Unmodified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"},
        status=412,
    ),
    Case(
        "If-Unmodified-Since malformed",
        CSS,
        headers={"If-Unmodified-Since": "soon"},
        file="css/app.css",
    ),
    Case(
        "If-Match beats If-Unmodified-Since",
        CSS,
        headers={"If-Match": "{etag}", "If-Unmodified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"},
        file="css/app.css",
    ),
    # --- byte ranges -------------------------------------------------------------------
    Case(
        "range a-b",
        DIGITS,
        headers={"Range": "bytes=0-3"},
        status=206,
        body=b"0123",
        expect={"Content-Range": "bytes 0-3/10", "Content-Length": "4"},
    ),
    Case(
        "range a-",
        DIGITS,
        headers={"Range": "bytes=5-"},
        status=206,
        body=b"56789",
        expect={"Content-Range": "bytes 5-9/10"},
    ),
    Case("range suffix", DIGITS, headers={"Range": "bytes=-3"}, status=206, body=b"789"),
    Case(
        "range first byte",
        DIGITS,
        headers={"Range": "bytes=0-0"},
        status=206,
        body=b"0",
        expect={"Content-Range": "bytes 0-0/10"},
    ),
    Case(
        "range last byte",
        DIGITS,
        headers={"Range": "bytes=-1"},
        status=206,
        body=b"9",
        expect={"Content-Range": "bytes 9-9/10"},
    ),
    Case(
        "range suffix longer than file",
        DIGITS,
        headers={"Range": "bytes=-50"},
        status=206,
        body=b"0123456789",
    ),
    Case(
        "range clamped",
        DIGITS,
        headers={"Range": "bytes=5-100"},
        status=206,
        body=b"56789",
        expect={"Content-Range": "bytes 5-9/10"},
    ),
    Case(
        "range unsatisfiable",
        DIGITS,
        headers={"Range": "bytes=10-"},
        status=416,
        body=b"",
        expect={
            "Content-Range": "bytes */10",
            "Access-Control-Allow-Origin": "*",
            "Cache-Control": "max-age=60, public",
            "ETag": "{etag}",
        },
    ),
    Case(
        "range -0 unsatisfiable",
        DIGITS,
        headers={"Range": "bytes=-0"},
        status=416,
        expect={"Content-Range": "bytes */10"},
    ),
    Case(
        "range on empty file",
        "/static/empty.txt",
        headers={"Range": "bytes=0-"},
        status=416,
        expect={"Content-Range": "bytes */0"},
    ),
    Case("range reversed ignored", DIGITS, headers={"Range": "bytes=3-1"}, body=b"0123456789"),
    Case("range signed ignored", DIGITS, headers={"Range": "bytes=+1-2"}, body=b"0123456789"),
    Case("range garbage ignored", DIGITS, headers={"Range": "bytes=abc"}, body=b"0123456789"),
    Case("range other unit ignored", DIGITS, headers={"Range": "items=0-1"}, body=b"0123456789"),
    Case(
        "multiple ranges give the whole file",
        DIGITS,
        headers={"Range": "bytes=0-1,3-4"},
        body=b"0123456789",
        expect={"Content-Range": ABSENT},
    ),
    Case(
        "range unit case-insensitive",
        DIGITS,
        headers={"Range": "BYTES=0-1"},
        status=206,
        body=b"01",
    ),
    Case(
        "If-Range etag",
        DIGITS,
        headers={"Range": "bytes=0-1", "If-Range": "{etag}"},
        status=206,
        body=b"01",
    ),
    Case(
        "If-Range other etag",
        DIGITS,
        headers={"Range": "bytes=0-1", "If-Range": '"x"'},
        body=b"0123456789",
    ),
    Case(
        "If-Range weak etag",
        DIGITS,
        headers={"Range": "bytes=0-1", "If-Range": "W/{etag}"},
        body=b"0123456789",
    ),
    Case(
        "If-Range date",
        DIGITS,
        headers={"Range": "bytes=0-1", "If-Range": "{last-modified}"},
        status=206,
        body=b"01",
    ),
    Case(
        "If-Range other date",
        DIGITS,
        headers={"Range": "bytes=0-1", "If-Range": "Sun, 06 Nov 1994 08:49:37 GMT"},
        body=b"0123456789",
    ),
    Case(
        "HEAD ignores range",
        DIGITS,
        method="HEAD",
        headers={"Range": "bytes=0-1"},
        body=b"",
        expect={"Content-Length": "10", "Content-Range": ABSENT},
    ),
    Case(
        "304 beats range",
        DIGITS,
        headers={"Range": "bytes=0-1", "If-None-Match": "{etag}"},
        status=304,
    ),
    Case(
        "range of the br representation",
        CSS,
        headers={**ae("br"), "Range": "bytes=0-9"},
        status=206,
        expect={"Content-Encoding": "br", "Content-Length": "10"},
    ),
    Case(
        "range in a large file",
        "/static/big.bin",
        headers={"Range": "bytes=100000-100099"},
        status=206,
        expect={"Content-Range": "bytes 100000-100099/300000"},
    ),
    Case(
        "oversized range header",
        DIGITS,
        headers={"Range": "bytes=" + "1" * 5000 + "-"},
        body=b"0123456789",
    ),
    # --- methods -------------------------------------------------------------------------
    Case("POST", CSS, method="POST", status=405, body=b"", expect={"Allow": "GET, HEAD"}),
    Case("DELETE", CSS, method="DELETE", status=405, expect={"Allow": "GET, HEAD"}),
    Case("OPTIONS", CSS, method="OPTIONS", status=405, expect={"Allow": "GET, HEAD"}),
    Case("POST elsewhere reaches the app", "/api/thing", method="POST", app=True),
    # --- index files and redirects ---------------------------------------------------------
    Case(
        "root index",
        "/static/",
        file="index.html",
        expect={"Content-Type": "text/html; charset=utf-8"},
    ),
    # Relative, so every mount (SCRIPT_NAME, root_path, FORCE_SCRIPT_NAME) stays right.
    Case("prefix without slash", "/static", status=302, expect={"Location": "static/"}),
    Case("root index.html", "/static/index.html", status=302, expect={"Location": "./"}),
    Case("dir index", "/static/docs/", file="docs/index.html"),
    Case("dir without slash", "/static/docs", status=302, expect={"Location": "docs/"}),
    Case(
        "dir index.html keeps query",
        "/static/docs/index.html?x=1&y=2",
        status=302,
        expect={"Location": "./?x=1&y=2"},
    ),
    Case("page next to index", "/static/docs/page.html", file="docs/page.html"),
    Case("dir without index", "/static/css/", app=True),
    Case("unicode dir redirect", "/static/caf%C3%A9", app=True),
    # --- misses and things that must never be served ---------------------------------------
    Case("missing file", "/static/nope.css", app=True),
    Case("outside prefix", "/css/app.css", app=True),
    Case("dotfile", "/static/.secret", app=True),
    Case("dot directory", "/static/.git/config", app=True),
    Case("manifest", "/static/staticfiles.json", app=True),
    Case("manifest's compressed sibling", "/static/staticfiles.json.gz", app=True),
    Case("symlink out of root", "/static/link-out.txt", app=True),
    Case("symlinked dir out of root", "/static/link-out-dir/secret.txt", app=True),
    Case("symlink loop", "/static/loop/css/app.css", app=True),
    Case("dot segments", "/static/css/../../outside/secret.txt", app=True),
    Case("encoded dot segments", "/static/%2e%2e/outside/secret.txt", app=True),
    Case("encoded slash", "/static/..%2f..%2foutside%2fsecret.txt", app=True),
    Case("encoded backslash", "/static/..%5c..%5coutside%5csecret.txt", app=True),
    Case("double encoding", "/static/%252e%252e/outside/secret.txt", app=True),
    Case("NUL byte", "/static/css/app.css%00", app=True),
    Case("NUL before extension", "/static/css/app.css%00.png", app=True),
    Case("overlong UTF-8 dot", "/static/%c0%ae%c0%ae/outside/secret.txt", app=True),
    Case("invalid UTF-8", "/static/%ff%fe.txt", app=True),
    Case("absolute path", "/static//etc/passwd", app=True),
    Case("trailing slash on a file", "/static/css/app.css/", app=True),
    Case("case matters", "/static/CSS/APP.CSS", app=True),
    # --- hostile headers never break a response -------------------------------------------
    Case(
        "huge Accept-Encoding",
        CSS,
        headers=ae("x" * 20_000 + ", br"),
        file="css/app.css",
        wire=False,
    ),
    Case("garbage Accept-Encoding", CSS, headers=ae(";;;,,,q=,;q=1.5,br;;q"), file="css/app.css"),
    Case(
        "garbage dates",
        CSS,
        headers={"If-Modified-Since": "\x7f\x00", "If-Range": "\x01"},
        file="css/app.css",
        wire=False,
    ),
]
