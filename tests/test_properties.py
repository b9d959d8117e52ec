"""Property tests: hostile request paths and header values against both adapters.

Every request is sent in-process to the WSGI adapter (with and without
``wsgi.file_wrapper``) and to the ASGI adapter (streamed or by ``pathsend``), over the
shared test site, whose ``outside/`` directory holds a secret reachable only through
symlinks that escape the root. For every request:

* nothing escapes (an exception would fail the test) and nothing is a 5xx;
* a body served by pinknoise is a file the URL names canonically inside the root (or a
  slice of one of its precompressed siblings), never anything else: the oracle below
  decides what a path may name, independently of the catalog;
* Content-Length equals the body length; a 206's Content-Range matches its body;
* WSGI and ASGI answer with the same status, the same headers and the same body.

Examples are derandomized and the database is off so CI runs the same cases each time.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_to_bytes, urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pinknoise import PinkNoise
from pinknoise.asgi import PinkNoiseASGI
from pinknoise.core.codings import SUFFIXES
from pinknoise.core.http_dates import format_http_date
from tests.support import asgi_client, wsgi_client
from tests.support.site import HASHED_JS, Site
from tests.support.wsgi_client import Result

PREFIX = "/static/"
SECRET = b"TOP SECRET"
SETTINGS = settings(
    database=None,
    derandomize=True,
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --------------------------------------------------------------------------------------
# The apps under test: every front end, over the same site, with the same options.

CONFIGS: dict[str, dict[str, Any]] = {
    "catalog": {},
    "no-memory-cache": {"memory_cache_budget": 0},
    # autorefresh is the one mode where request input reaches the file system.
    "autorefresh": {"autorefresh": True},
}


@dataclass
class FrontEnds:
    site: Site
    wsgi: PinkNoise
    asgi: PinkNoiseASGI

    def all(self, method: str, target: str, headers: dict[str, str]) -> list[Result]:
        """The same request through WSGI (file_wrapper on and off) and ASGI (both ways)."""
        return [
            wsgi_client.call(self.wsgi, method, target, headers, file_wrapper=True),
            wsgi_client.call(self.wsgi, method, target, headers, file_wrapper=False),
            asgi_client.call(self.asgi, method, target, headers, pathsend=False),
            asgi_client.call(self.asgi, method, target, headers, pathsend=True),
        ]


@pytest.fixture(scope="module", params=list(CONFIGS))
def front_ends(request: pytest.FixtureRequest, site: Site) -> FrontEnds:
    options = {"prefix": PREFIX, "index_file": True, **CONFIGS[request.param]}
    return FrontEnds(
        site,
        PinkNoise(wsgi_client.fallback_app, site.root, **options),
        PinkNoiseASGI(asgi_client.fallback_app, site.root, **options),
    )


# --------------------------------------------------------------------------------------
# The oracle: what a decoded request path may name, decided without the catalog.


def allowed_file(root: Path, decoded: bytes) -> Path | None:
    """The file under ``root`` that ``decoded`` may legitimately name, or None.

    Canonical paths only: no empty, ``.``/``..`` or dot segments, no backslash or NUL,
    valid UTF-8, not the manifest at the top, and the resolved file inside the root.
    """
    try:
        path = decoded.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not path.startswith(PREFIX):
        return None
    relative = path[len(PREFIX) :]
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    segments = relative.split("/")
    if any(not s or s.startswith(".") or "\\" in s or "\x00" in s for s in segments):
        return None
    if relative == "staticfiles.json":
        return None
    candidate = root.joinpath(*segments)
    real_root = os.path.realpath(root)
    resolved = os.path.realpath(candidate)
    if not resolved.startswith(real_root + os.sep) or not os.path.isfile(resolved):
        return None
    return candidate


def representation_bytes(file: Path, result: Result) -> bytes:
    coding = result.header("Content-Encoding")
    if coding is None:
        return file.read_bytes()
    assert coding in SUFFIXES, coding
    return file.with_name(file.name + SUFFIXES[coding]).read_bytes()


_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


def check_one(site: Site, method: str, target: str, result: Result) -> None:
    """Everything that must hold of a single response, whatever was asked."""
    assert result.status < 500, (target, result.status)
    if result.header("X-App") == "yes":
        return  # fell through to the wrapped application, untouched
    assert SECRET not in result.body
    length = result.header("Content-Length")
    if method == "HEAD" or result.status in (304,):
        assert result.body == b""
    else:
        assert length is not None, (target, result.status, result.headers)
        assert int(length) == len(result.body), (target, result.status, result.headers)
    if result.status == 302:
        location = result.header("Location") or ""
        # Never an open redirect: relative, resolving to a path on this host, under the
        # prefix (a colon in a first segment would read as a scheme).
        resolved = urlsplit(urljoin(f"http://host{target}", location))
        assert (resolved.scheme, resolved.netloc) == ("http", "host"), location
        assert resolved.path.startswith(PREFIX.rstrip("/")), location
        assert not location.startswith(("//", "/\\", "/")), location
        assert ":" not in location.split("/")[0], location
        return
    if result.status not in (200, 206) or method == "HEAD":
        return
    file = allowed_file(site.root, unquote_to_bytes(target.partition("?")[0]))
    assert file is not None, f"served {target!r}, which names no file inside the root"
    expected = representation_bytes(file, result)
    if result.status == 200:
        assert result.body == expected, target
    else:
        content_range = _CONTENT_RANGE.fullmatch(result.header("Content-Range") or "")
        assert content_range is not None, result.headers
        first, last, total = map(int, content_range.groups())
        assert total == len(expected)
        assert first <= last < total
        assert result.body == expected[first : last + 1]


def check_all(front_ends: FrontEnds, method: str, target: str, headers: dict[str, str]) -> Result:
    """Send one request through every front end, check each answer and their agreement."""
    headers = {name: _on_the_wire(value) for name, value in headers.items()}
    results = front_ends.all(method, target, headers)
    for result in results:
        check_one(front_ends.site, method, target, result)
    reference = results[0]
    if reference.header("X-App") == "yes":
        assert all(r.header("X-App") == "yes" for r in results), [r.status for r in results]
        return reference
    expected = _comparable(reference)
    for other in results[1:]:
        assert _comparable(other) == expected, target
    return reference


def _on_the_wire(value: str) -> str:
    """A header value as a server hands it over: bytes, seen as latin-1."""
    return value.encode("utf-8").decode("latin-1") if not value.isascii() else value


def _comparable(result: Result) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers in order (names case-folded: ASGI sends them lower-case), body."""
    return result.status, [(k.lower(), v) for k, v in result.headers], result.body


# --------------------------------------------------------------------------------------
# Request paths.

NAMES = [
    "css", "app.css", "js", HASHED_JS, "index.html", "docs", "page.html", "img", "logo.png",
    "big.bin", "space name.txt", "caf\u00e9", "\u00fcn\u00efcode.txt", "empty.txt",
    "one.txt", "digits.txt", ".secret", ".git", "config", "staticfiles.json", "fonts",
    "link-in.css", "link-out.txt", "link-out-dir", "secret.txt", "loop", "outside", "root",
    "static", "..", ".", "", "...", "app.css.br", "app.css.gz", "~", "etc", "passwd",
]  # fmt: skip
SEPARATORS = ["/", "/", "/", "//", "\\", "%2f", "%2F", "%5c", "%5C", "%252f", "%c0%af", "/./"]
# Dots and slashes in every encoding a decoder might be fooled by.
DOTS = ["..", "%2e%2e", "%2E%2E", ".%2e", "%2e.", "%252e%252e", "%c0%ae%c0%ae", "%e0%80%ae."]


def _encode_char(char: str, how: int) -> str:
    raw = char.encode("utf-8")
    if how == 0 and char.isascii() and char.isprintable() and char not in "%?#":
        return char
    if how == 1:
        return "".join(f"%{b:02X}" for b in raw)
    if how == 2:
        return "".join(f"%{b:02x}" for b in raw)
    return "".join(f"%25{b:02X}" for b in raw)  # double encoding


# Root-relative paths worth aiming at: real files, and what must never be reached.
AIMS = [
    "css/app.css", HASHED_JS, "docs/", "docs/page.html", "space name.txt",
    "caf\u00e9/\u00fcn\u00efcode.txt", "link-in.css", "img/logo.png", "big.bin", "",
    "link-out.txt", "link-out-dir/secret.txt", ".secret", ".git/config", "staticfiles.json",
    "loop/css/app.css", "loop/link-out.txt", "../outside/secret.txt",
    "../../outside/secret.txt", "css/../../outside/secret.txt", "../root/css/app.css",
    "css/../index.html", "./css/app.css", "css/./app.css", "/etc/passwd",
    "../../../../../../etc/passwd", "css/app.css/..", "css/app.css.br", "css",
]  # fmt: skip
# How each character may be spelled: mostly itself, sometimes percent-encoded.
ENCODE_WEIGHTS = [0, 0, 0, 0, 0, 0, 1, 2, 3]
DOT_FORMS = [".", ".", "%2e", "%2E", "%252e", "%c0%ae"]


@st.composite
def spell(draw: st.DrawFn, text: str) -> str:
    """``text`` with each character spelled raw or percent-encoded, at random."""
    hows = draw(st.lists(st.sampled_from(ENCODE_WEIGHTS), min_size=len(text), max_size=len(text)))
    return "".join(_encode_char(c, how) for c, how in zip(text, hows, strict=True))


@st.composite
def aimed_path(draw: st.DrawFn) -> str:
    """An aim from AIMS, with its separators and dot segments in every spelling."""
    relative = draw(st.sampled_from(AIMS))
    out = []
    for segment in relative.split("/"):
        if segment == "..":
            out.append(draw(st.sampled_from(["..", "..", *DOTS])))
        elif segment == ".":
            out.append(draw(st.sampled_from(DOT_FORMS)))
        else:
            out.append(draw(spell(segment)))
    separators = draw(
        st.lists(st.sampled_from(SEPARATORS), min_size=len(out) - 1, max_size=len(out) - 1)
    )
    path = out[0] + "".join(sep + seg for sep, seg in zip(separators, out[1:], strict=True))
    return draw(st.sampled_from([PREFIX, PREFIX, PREFIX, "/static", "//static/"])) + path


@st.composite
def segments(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 9))
    if kind <= 4:
        text = draw(st.sampled_from(NAMES))
    elif kind == 5:
        return draw(st.sampled_from(DOTS))
    elif kind == 6:
        # Raw bytes, valid UTF-8 or not (NUL, overlong forms, lone continuation bytes).
        data = draw(st.binary(min_size=1, max_size=8))
        return "".join(f"%{b:02x}" for b in data)
    elif kind == 7:
        text = draw(st.text(min_size=1, max_size=12))
    else:
        text = draw(st.text(alphabet="./\\%\x00 ?#;", min_size=1, max_size=6))
    return draw(spell(text))


@st.composite
def random_path(draw: st.DrawFn) -> str:
    start = draw(st.sampled_from([PREFIX, PREFIX, PREFIX, "/", "/static", "//static/",
                                  "/static/../static/", "/STATIC/", "/%73tatic/"]))  # fmt: skip
    parts = draw(st.lists(st.tuples(segments(), st.sampled_from(SEPARATORS)), max_size=8))
    path = start + "".join(segment + sep for segment, sep in parts)
    if parts and draw(st.booleans()):
        path = path[: -len(parts[-1][1])]  # usually no trailing separator
    return path


@st.composite
def request_paths(draw: st.DrawFn) -> str:
    path = draw(st.one_of(aimed_path(), random_path()))
    if draw(st.integers(0, 19)) == 0:
        path += "a" * draw(st.sampled_from([1000, 8000, 70_000]))  # very long
    if draw(st.integers(0, 9)) == 0:
        path += "?" + draw(st.sampled_from(["", "x=1", "../../etc/passwd", "%00"]))
    return path


@SETTINGS
@given(target=request_paths(), method=st.sampled_from(["GET", "GET", "GET", "HEAD", "POST"]))
def test_hostile_paths(front_ends: FrontEnds, target: str, method: str) -> None:
    check_all(front_ends, method, target, {"Accept-Encoding": "br, gzip, zstd"})


@pytest.mark.parametrize(
    "target",
    [
        "/static/link-out.txt",
        "/static/link-out-dir/secret.txt",
        "/static/loop/link-out.txt",
        "/static/..%2foutside%2fsecret.txt",
        "/static/%2e%2e/outside/secret.txt",
        "/static/css/..%5c..%5coutside%5csecret.txt",
        "/static/%252e%252e/outside/secret.txt",
        "/static/%c0%ae%c0%ae/outside/secret.txt",
        "/static/.secret",
        "/static/.git/config",
        "/static/staticfiles.json",
        "/static/css/app.css%00.png",
        "/static/" + "../" * 50 + "etc/passwd",
    ],
)
def test_known_escapes_fall_through(front_ends: FrontEnds, target: str) -> None:
    """The oracle's own sanity: these must reach the app, on every front end."""
    for result in front_ends.all("GET", target, {}):
        assert result.header("X-App") == "yes", (target, result.status)


def test_oracle_accepts_real_files(site: Site) -> None:
    """The oracle is not vacuous: canonical paths to real files are allowed."""
    assert allowed_file(site.root, b"/static/css/app.css") == site.root / "css" / "app.css"
    assert allowed_file(site.root, b"/static/docs/") is not None
    assert allowed_file(site.root, b"/static/link-in.css") is not None
    assert allowed_file(site.root, b"/static/link-out.txt") is None
    assert allowed_file(site.root, b"/static/../outside/secret.txt") is None


# --------------------------------------------------------------------------------------
# Header values.

TARGETS = [
    "/static/css/app.css",
    "/static/" + HASHED_JS,
    "/static/js/gz-only.js",
    "/static/digits.txt",
    "/static/empty.txt",
    "/static/one.txt",
    "/static/big.bin",
    "/static/docs/",
    "/static/docs",
    "/static/stale.js",
    "/static/tiny.txt",
    "/static/" + quote("caf\u00e9/\u00fcn\u00efcode.txt"),
]
CODINGS = ["br", "gzip", "zstd", "x-gzip", "identity", "*", "deflate", "compress", "BR", ""]
HOSTILE = [
    "", " ", ",", ",,,", ";", "=", "\t", "\x00", "\x7f", "\xff", "\u00e9", '"', "W/", "*",
    "a" * 5000, ",".join(["br;q=0.5"] * 2000), "bytes=" + "0-0," * 3000,
    '"' + "x" * 10_000 + '"', "9" * 400, "-" * 100, "bytes=\x00-1",
]  # fmt: skip
QVALUES = [
    "", ";q=0", ";q=1", ";q=0.5", ";Q=0.001", ";q=1.000", ";q=2", ";q=-1", ";q=0.0001",
    ";q=", ";q=x", " ; q = 0.3", ";level=1", ";q=1;q=0", ";q=nan", ";q=inf",
]  # fmt: skip
LATIN1 = st.text(alphabet=st.characters(max_codepoint=0xFF), max_size=40)


def _numbers() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(0, 20).map(str),
        st.integers(0, 400_000).map(str),
        st.integers(-5, 5).map(str),
        st.sampled_from(["", "9" * 18, "9" * 19, "9" * 40, "+1", "0x10", "\u0661", "1e3"]),
    )


@st.composite
def range_values(draw: st.DrawFn) -> str:
    unit = draw(st.sampled_from(["bytes", "bytes", "bytes", "BYTES", "Bytes ", "items", ""]))
    ranges = draw(
        st.lists(
            st.tuples(_numbers(), st.sampled_from(["-", "-", " - ", "--", ""]), _numbers()),
            min_size=1,
            max_size=3,
        )
    )
    spec = ",".join(a + sep + b for a, sep, b in ranges)
    return f"{unit}={spec}" if draw(st.integers(0, 9)) else unit + spec


@st.composite
def date_values(draw: st.DrawFn, last_modified: str) -> str:
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return last_modified
    timestamp = draw(st.integers(-(2**40), 2**40))
    if kind == 1:
        try:
            return format_http_date(timestamp)
        except (OverflowError, OSError, ValueError):
            return "Sun, 06 Nov 1994 08:49:37 GMT"
    if kind == 2:
        return draw(st.sampled_from([
            "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
            "Mon, 31 Feb 2020 00:00:00 GMT", "Thu, 01 Jan 1970 00:00:00 GMT",
            "Fri, 31 Dec 9999 23:59:60 GMT", " " + last_modified + " ", last_modified.lower(),
        ]))  # fmt: skip
    if kind == 3:
        return last_modified[: draw(st.integers(0, len(last_modified)))]
    return draw(LATIN1)


@st.composite
def etag_lists(draw: st.DrawFn, etags: list[str]) -> str:
    members = draw(
        st.lists(
            st.one_of(
                st.sampled_from(etags),
                st.sampled_from(etags).map(lambda tag: "W/" + tag),
                st.sampled_from(['"x"', '"a,b"', "*", 'W/"x"', '""', "garbage", '"']),
                LATIN1,
            ),
            min_size=1,
            max_size=4,
        )
    )
    separator = draw(st.sampled_from([", ", ",", " ,  ", ";"]))
    return separator.join(members)


@st.composite
def accept_encodings(draw: st.DrawFn) -> str:
    members = draw(
        st.lists(
            st.tuples(
                st.sampled_from(CODINGS),
                st.sampled_from(QVALUES),
            ),
            max_size=6,
        )
    )
    return draw(st.sampled_from([",", ", ", " ,"])).join(name + q for name, q in members)


@dataclass
class Validators:
    etags: list[str]
    last_modified: dict[str, str]


@pytest.fixture(scope="module")
def validators(site: Site) -> Validators:
    """The real ETags and Last-Modified values of every target, for every coding."""
    app = PinkNoise(wsgi_client.fallback_app, site.root, prefix=PREFIX, index_file=True)
    etags: set[str] = set()
    last_modified: dict[str, str] = {}
    for target in TARGETS:
        for coding in ["identity", "br", "gzip", "zstd"]:
            result = wsgi_client.call(app, "GET", target, {"Accept-Encoding": coding})
            if result.header("ETag"):
                etags.add(result.header("ETag") or "")
            last_modified[target] = result.header("Last-Modified") or ""
    return Validators(sorted(etags), last_modified)


HEADER_NAMES = [
    "Range", "If-Range", "If-None-Match", "If-Modified-Since", "Accept-Encoding",
    "If-Match", "If-Unmodified-Since",
]  # fmt: skip


@SETTINGS
@given(data=st.data())
def test_hostile_headers(
    front_ends: FrontEnds, validators: Validators, data: st.DataObject
) -> None:
    target = data.draw(st.sampled_from(TARGETS), label="target")
    method = data.draw(st.sampled_from(["GET", "GET", "GET", "HEAD", "get", "PUT"]))
    last_modified = validators.last_modified[target] or "Sun, 06 Nov 1994 08:49:37 GMT"
    value_for: dict[str, st.SearchStrategy[str]] = {
        "Range": range_values(),
        "If-Range": st.one_of(
            st.sampled_from(validators.etags), date_values(last_modified), LATIN1
        ),
        "If-None-Match": etag_lists(validators.etags),
        "If-Match": etag_lists(validators.etags),
        "If-Modified-Since": date_values(last_modified),
        "If-Unmodified-Since": date_values(last_modified),
        "Accept-Encoding": accept_encodings(),
    }
    names = data.draw(st.lists(st.sampled_from(HEADER_NAMES), unique=True, max_size=5))
    headers: dict[str, str] = {}
    for name in names:
        hostile = data.draw(st.integers(0, 9)) == 0
        headers[name] = data.draw(st.sampled_from(HOSTILE) if hostile else value_for[name])
    status = check_all(front_ends, method, target, headers).status
    # Statuses only ever come from the headers that can cause them.
    if status == 206 or status == 416:
        assert "Range" in headers
        assert method == "GET"
    if status == 304:
        assert {"If-None-Match", "If-Modified-Since"} & set(headers)
    if status == 412:
        assert {"If-Match", "If-Unmodified-Since"} & set(headers)


# --------------------------------------------------------------------------------------
# Methods.


@SETTINGS
@given(
    method=st.text(
        alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12
    ),
    target=st.sampled_from([*TARGETS, "/elsewhere", "/static/missing.css"]),
)
def test_any_method(front_ends: FrontEnds, method: str, target: str) -> None:
    result = check_all(front_ends, method, target, {})
    if method not in ("GET", "HEAD") and result.header("X-App") is None:
        assert result.status == 405
        assert result.header("Allow") == "GET, HEAD"
