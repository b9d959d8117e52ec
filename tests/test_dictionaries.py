"""Compression Dictionary Transport (RFC 9842): deltas on disk and on the wire."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import brotli
import pytest

from pinknoise import PinkNoise, PinkNoiseASGI
from pinknoise.compress.deltas import decode_dcz, encode_dcz, write_deltas
from pinknoise.core.dictionaries import (
    DCZ_MAGIC,
    parse_available_dictionary,
    use_as_dictionary,
)
from tests.support import asgi_client, wsgi_client
from tests.support.site import compress_all

BASE = "".join(f"export function f{i}(x) {{ return x * {i} + {i * i}; }}\n" for i in range(400))
VERSIONS = {
    "app.1111aaaa2222.js": BASE,
    "app.3333bbbb4444.js": BASE.replace("f10(x)", "f10(y)"),
    "app.5555cccc6666.js": BASE.replace("f10(x)", "f10(z)") + "// v3\n",
}
NEWEST = "app.5555cccc6666.js"


def _available(data: str) -> str:
    digest = hashlib.sha256(data.encode()).digest()
    return ":" + base64.b64encode(digest).decode() + ":"


@pytest.fixture
def versions(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "js").mkdir(parents=True)
    for index, (name, text) in enumerate(VERSIONS.items()):
        path = root / "js" / name
        path.write_text(text)
        stamp = 1_700_000_000_000_000_000 + index * 10**9
        os.utime(path, ns=(stamp, stamp))
        compress_all(path, ("br", "gzip"))
    (root / "plain.js").write_text(BASE)
    compress_all(root / "plain.js", ("br",))
    return root


def test_dcz_round_trip_and_header() -> None:
    old, new = VERSIONS["app.1111aaaa2222.js"].encode(), VERSIONS[NEWEST].encode()
    body = encode_dcz(new, old)
    assert body[:8] == DCZ_MAGIC
    assert body[8:40] == hashlib.sha256(old).digest()
    assert decode_dcz(body, old) == new
    with pytest.raises(ValueError, match="not a dcz body"):
        decode_dcz(body, new)


def test_delta_is_tiny_for_a_small_edit() -> None:
    old, new = VERSIONS["app.3333bbbb4444.js"].encode(), VERSIONS[NEWEST].encode()
    assert len(encode_dcz(new, old)) <= 0.1 * len(brotli.compress(new))


def test_write_deltas_for_the_newest_version(versions: Path) -> None:
    summary = write_deltas(versions, keep=3)
    js = versions / "js"
    names = sorted(p.name for p in js.glob("*.dcz"))
    expected = sorted(
        f"{NEWEST}.{hashlib.sha256(VERSIONS[old].encode()).hexdigest()}.dcz"
        for old in ("app.1111aaaa2222.js", "app.3333bbbb4444.js")
    )
    assert names == expected
    assert len(summary.written) == 2
    for old in ("app.1111aaaa2222.js", "app.3333bbbb4444.js"):
        digest = hashlib.sha256(VERSIONS[old].encode()).hexdigest()
        body = (js / f"{NEWEST}.{digest}.dcz").read_bytes()
        assert decode_dcz(body, VERSIONS[old].encode()) == VERSIONS[NEWEST].encode()
    # Incremental: nothing to do the second time.
    again = write_deltas(versions, keep=3)
    assert (again.written, len(again.kept)) == ([], 2)
    # Fewer dictionaries wanted: the older delta goes away.
    fewer = write_deltas(versions, keep=1)
    assert len(fewer.removed) == 1
    assert len(list(js.glob("*.dcz"))) == 1


def _apps(root: Path) -> list[object]:
    return [
        PinkNoise(wsgi_client.fallback_app, root, prefix="/static/"),
        PinkNoiseASGI(asgi_client.fallback_app, root, prefix="/static/"),
    ]


def _get(app: object, headers: dict[str, str], target: str = f"/static/js/{NEWEST}"):  # type: ignore[no-untyped-def]
    if isinstance(app, PinkNoise):
        return wsgi_client.call(app, "GET", target, headers)
    return asgi_client.call(app, "GET", target, headers)


ACCEPT = "gzip, deflate, br, zstd, dcb, dcz"


@pytest.mark.parametrize("adapter", [0, 1], ids=["wsgi", "asgi"])
def test_delta_on_the_wire(versions: Path, adapter: int) -> None:
    write_deltas(versions, keep=2)
    app = _apps(versions)[adapter]
    old = VERSIONS["app.3333bbbb4444.js"]
    headers = {"Accept-Encoding": ACCEPT, "Available-Dictionary": _available(old)}
    result = _get(app, headers)
    assert result.status == 200
    assert result.header("Content-Encoding") == "dcz"
    assert result.header("Vary") == "Accept-Encoding, Available-Dictionary"
    assert decode_dcz(result.body, old.encode()) == VERSIONS[NEWEST].encode()
    # Revalidation of the delta representation.
    again = _get(app, {**headers, "If-None-Match": result.header("ETag") or ""})
    assert again.status == 304
    assert again.header("Vary") == "Accept-Encoding, Available-Dictionary"


@pytest.mark.parametrize("adapter", [0, 1], ids=["wsgi", "asgi"])
@pytest.mark.parametrize(
    ("accept", "available"),
    [
        ("gzip, br, zstd", _available(VERSIONS["app.3333bbbb4444.js"])),  # no dcz
        (ACCEPT.replace("dcz", "dcz;q=0"), _available(VERSIONS["app.3333bbbb4444.js"])),
        (ACCEPT, _available("a dictionary we never saw")),  # unknown hash
        (ACCEPT, "not-structured"),
        (ACCEPT, ":c2hvcnQ=:"),  # valid base64, not 32 bytes
        (ACCEPT, ":" + "!" * 43 + "=:"),
        (ACCEPT, _available(VERSIONS["app.3333bbbb4444.js"]) + ", :AAAA:"),
    ],
)
def test_fallback_to_normal_negotiation(
    versions: Path, adapter: int, accept: str, available: str
) -> None:
    write_deltas(versions, keep=2)
    app = _apps(versions)[adapter]
    result = _get(app, {"Accept-Encoding": accept, "Available-Dictionary": available})
    assert result.status == 200
    assert result.header("Content-Encoding") == "br"
    assert brotli.decompress(result.body) == VERSIONS[NEWEST].encode()


def test_path_without_deltas_is_untouched(versions: Path) -> None:
    write_deltas(versions, keep=2)
    app = _apps(versions)[0]
    headers = {"Accept-Encoding": ACCEPT, "Available-Dictionary": _available(BASE)}
    result = _get(app, headers, "/static/plain.js")
    assert result.header("Content-Encoding") == "br"
    assert result.header("Vary") == "Accept-Encoding"
    assert result.header("Use-As-Dictionary") is None


def test_deltas_are_not_served_as_files(versions: Path) -> None:
    write_deltas(versions, keep=2)
    delta = next((versions / "js").glob("*.dcz"))
    app = _apps(versions)[0]
    assert _get(app, {}, f"/static/js/{delta.name}").header("X-App") == "yes"


def test_use_as_dictionary_header(versions: Path) -> None:
    result = _get(_apps(versions)[0], {})
    assert result.header("Use-As-Dictionary") == 'match="app.*.js"'
    no_dictionary = PinkNoise(None, versions, prefix="/static/", use_as_dictionary=False)
    assert _get(no_dictionary, {}).header("Use-As-Dictionary") is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/static/app.3f2a9c1b7d4e.js", 'match="app.*.js"'),
        ("/a b/caf\u00e9-BvG1l0Ao.css", 'match="caf%C3%A9-*.css"'),
        ("/x/(v)+/a(b)+.3f2a9c1b7d4e.js", 'match="a\\\\(b\\\\)\\\\+.*.js"'),
        ("/static/app.js", None),
    ],
)
def test_use_as_dictionary_pattern(url: str, expected: str | None) -> None:
    assert use_as_dictionary(url) == expected


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (_available("x"), True),
        (" " + _available("x") + "\t", True),
        (_available("x")[1:], False),
        ("::", False),
        (":" + base64.b64encode(b"x" * 31).decode() + ":", False),
        (":" + base64.b64encode(b"x" * 33).decode() + ":", False),
        ("\x00" * 46, False),
    ],
)
def test_available_dictionary_parsing(value: str, ok: bool) -> None:
    assert (parse_available_dictionary(value) is not None) is ok


def test_compress_command_writes_deltas(versions: Path) -> None:
    from pinknoise.compress import compress_tree

    summary = compress_tree([versions], encodings=["br"], dictionaries=2, workers=1)
    assert summary.deltas_written == 2
    assert len(list((versions / "js").glob("*.dcz"))) == 2
    none = compress_tree([versions], encodings=["br"], dictionaries=0, workers=1)
    assert none.deltas_written == 0
    # Deltas are never compressed themselves.
    assert not list((versions / "js").glob("*.dcz.*"))
