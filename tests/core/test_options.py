from __future__ import annotations

import re

import pytest

from pinknoise.core.options import is_hashed_name, make_options
from pinknoise.core.paths import normalize_prefix


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"max_age": "60"}, TypeError),
        ({"max_age": -1}, ValueError),
        ({"max_age": True}, TypeError),
        ({"autorefresh": "yes"}, TypeError),
        ({"index_file": "a/b.html"}, ValueError),
        ({"index_file": ""}, ValueError),
        ({"index_file": 3}, TypeError),
        ({"immutable_file_test": "("}, ValueError),
        ({"immutable_file_test": 3}, TypeError),
        ({"mimetypes": [(".x", "a/b")]}, TypeError),
        ({"mimetypes": {".x": "nonsense"}}, ValueError),
        ({"charset": "utf 8; x=y"}, ValueError),
        ({"add_headers_function": "nope"}, TypeError),
        ({"encodings": "br"}, TypeError),
        ({"encodings": ["br", "deflate"]}, ValueError),
        ({"encodings": ["br", "br"]}, ValueError),
        ({"max_ag": 10}, TypeError),
    ],
)
def test_bad_options_fail_clearly(options: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error) as raised:
        make_options(**options)
    assert str(raised.value)


def test_unknown_option_lists_valid_ones() -> None:
    with pytest.raises(TypeError, match="max_age"):
        make_options(max_ag=10)


def test_defaults() -> None:
    options = make_options()
    assert options.max_age == 60
    assert options.encodings == ("br", "zstd", "gzip")
    assert options.index_file is None
    assert options.allow_all_origins


def test_index_file_true_means_index_html() -> None:
    assert make_options(index_file=True).index_file == "index.html"
    assert make_options(index_file="default.htm").index_file == "default.htm"
    assert make_options(index_file=False).index_file is None


def test_immutable_regex_and_callable() -> None:
    by_regex = make_options(immutable_file_test=r"^/static/vendor/").immutable_file_test
    assert by_regex("/x", "/static/vendor/a.js")
    assert not by_regex("/x", "/static/app.js")
    compiled = make_options(immutable_file_test=re.compile(r"\.v\d+\.")).immutable_file_test
    assert compiled("", "/a.v2.js")
    assert make_options(immutable_file_test=lambda path, url: True).immutable_file_test("", "")


@pytest.mark.parametrize(
    "name",
    [
        "app.3f2a9c1b7d4e.js",  # Django ManifestStaticFilesStorage
        "app.3f2a9c1b7d4e.css.map",
        "main.8e0d62a03b7c4f5d9e1a.js",  # webpack [contenthash]
        "chunk-5XCIK5YM.js",  # esbuild
        "index-BvG1l0Ao.js",  # Rollup / Vite
        "index-B_a1-x9Z.css",
        "logo.deadbeef.svg",
    ],
)
def test_hashed_names(name: str) -> None:
    assert is_hashed_name("", f"/static/{name}")


@pytest.mark.parametrize(
    "name",
    [
        "app.js",
        "jquery-3.7.1.min.js",
        "app.20240101.js",  # a date, not a hash
        "jquery-dropdown.js",
        "Dropdown.abcdefgh.js",  # letters only beyond hex: a word
        "index-Dropdown.js",
        "app.3f2a9c1.js",  # 7 hex digits: too short to be a content hash
        "3f2a9c1b7d4e",  # no extension
        "deadbeefcafe.js",  # the hash is the whole name, no separator
    ],
)
def test_unhashed_names(name: str) -> None:
    assert not is_hashed_name("", f"/static/{name}")


def test_hash_must_be_in_the_file_name() -> None:
    assert not is_hashed_name("", "/static/3f2a9c1b7d4e.d/app.js")


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        (None, "/"),
        ("", "/"),
        ("/", "/"),
        ("static", "/static/"),
        ("static/", "/static/"),
        ("/static", "/static/"),
        ("/static/", "/static/"),
        ("//cdn.example.com/static/", "/static/"),
        ("/static//", "/static/"),
        ("https://cdn.example.com/assets/", "/assets/"),
        ("/a/b", "/a/b/"),
    ],
)
def test_prefix(prefix: str | None, expected: str) -> None:
    assert normalize_prefix(prefix) == expected


def test_prefix_rejects_dot_segments() -> None:
    with pytest.raises(ValueError, match=r"\.\."):
        normalize_prefix("/static/../x")
