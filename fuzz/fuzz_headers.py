"""Coverage-guided fuzzing (atheris/libFuzzer) of the request header parsers and decide().

Run on demand, from the repository root::

    .venv/bin/python fuzz/fuzz_headers.py -max_total_time=300 -dict=fuzz/headers.dict
    .venv/bin/python fuzz/fuzz_headers.py -atheris_runs=200000 -dict=fuzz/headers.dict

Add a corpus directory as the last argument to keep what it finds between runs (libFuzzer
writes new inputs there; ``fuzz/seeds/`` is a read-only starting point). A crash writes
``crash-*`` with the input; replay it with ``fuzz/fuzz_headers.py crash-...``.

An input is text (latin-1, as header bytes arrive) split on newlines into the fields
``selector, method, Accept-Encoding, Range, If-Range, If-Match, If-None-Match,
If-Modified-Since, If-Unmodified-Since``; a field past the end of the input is absent.
The selector's first character picks the file of a small real catalog. Beyond "does not
crash", each call checks what callers rely on: q-values in [0, 1], a chosen coding that
is available, a byte slice inside the file, dates that round-trip, and a decided response
whose Content-Length, Content-Range and body slice agree.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

import atheris

with atheris.instrument_imports(include=["pinknoise.core"]):
    from pinknoise.core import conditional, decision, http_dates, negotiation, ranges
    from pinknoise.core.files import Entry, FileFactory, Redirect
    from pinknoise.core.options import make_options
    from pinknoise.core.request import Request
    from pinknoise.core.response import REASONS
    from pinknoise.core.walker import FileStat, Policy

FIELDS = 9
AVAILABLE = [(), ("br",), ("gzip",), ("br", "zstd", "gzip"), ("zstd", "gzip")]


def _small_catalog() -> dict[str, Entry]:
    """A small catalog of real files: variants, an empty file, an index redirect.

    Built with the catalog's own factory (not a scan) so the fuzzer always has ready
    entries to decide on.
    """
    root = tempfile.mkdtemp(prefix="pinknoise-fuzz-")
    atexit.register(shutil.rmtree, root, True)
    factory = FileFactory(make_options(index_file=True))
    catalog: dict[str, Entry] = {"/static/docs": Redirect("/static/docs/")}
    sources = {
        "app.css": b"body { color: red }\n" * 50,
        "empty.txt": b"",
        "one.txt": b"x",
        "digits.txt": b"0123456789",
        "index.html": b"<!doctype html>\n",
    }
    variants = {".br": b"\x0b" * 20, ".gz": b"\x1f\x8b" + b"g" * 30, ".zst": b"(" * 25}
    for name, data in sources.items():
        path = os.path.join(root, name)
        with open(path, "wb") as out:
            out.write(data)
        siblings = []
        if name == "app.css":
            for suffix, encoded in variants.items():
                with open(path + suffix, "wb") as out:
                    out.write(encoded)
                siblings.append((path + suffix, FileStat.of(os.stat(path + suffix))))
        catalog["/static/" + name] = factory.build(
            Policy(root), path, "/static/" + name, FileStat.of(os.stat(path)), siblings
        )
    return catalog


CATALOG = _small_catalog()
URLS = sorted(CATALOG)


def check_accept_encoding(value: str) -> None:
    ratings = negotiation.parse_accept_encoding(value)
    for name, quality in ratings.items():
        assert name == name.strip().lower(), name
        assert 0.0 <= quality <= 1.0, (value, name, quality)
    for available in AVAILABLE:
        chosen = negotiation.choose_coding(value, available)
        assert chosen == negotiation.IDENTITY or chosen in available, (value, chosen)


def check_range(value: str) -> None:
    for size in (0, 1, 10, 1000, 2**40):
        result = ranges.parse_range(value, size)
        if isinstance(result, tuple):
            start, stop = result
            assert 0 <= start < stop <= size, (value, size, result)
        else:
            assert result is None or result == ranges.UNSATISFIABLE, result


def check_etags(value: str) -> None:
    for etag in ('"abc"', '"18eb9265ba34000f-23-br"', '""'):
        strong = conditional.etag_list_matches(value, etag, strong=True)
        weak = conditional.etag_list_matches(value, etag, strong=False)
        assert isinstance(strong, bool)
        assert isinstance(weak, bool)
        assert weak or not strong, (value, etag)  # a strong match is also a weak one


def check_date(value: str) -> None:
    timestamp = http_dates.parse_http_date(value)
    if timestamp is None:
        return
    assert isinstance(timestamp, int)
    # A date that parses renders as an IMF-fixdate that parses to the same instant.
    if 0 <= timestamp < 253402300800:  # years 1970-9999
        assert http_dates.parse_http_date(http_dates.format_http_date(timestamp)) == timestamp


def check_decision(url: str, request: Request) -> None:
    entry = CATALOG[url]
    response = decision.decide(entry, request)
    assert response.status in REASONS, response.status
    headers = dict(response.headers)
    assert len(headers) == len(response.headers), "a header appears twice"
    if response.body is None:
        if response.status in (412, 416, 405, 302):
            assert headers.get("Content-Length") == "0"
        return
    assert request.method == "GET", request.method
    size = response.body.size
    assert response.start >= 0
    assert response.length > 0 or size == 0
    assert response.start + response.length <= size
    assert headers["Content-Length"] == str(response.length)
    if response.status == 206:
        assert headers["Content-Range"] == (
            f"bytes {response.start}-{response.start + response.length - 1}/{size}"
        )
    else:
        assert response.status == 200
        assert response.length == size


def test_one_input(data: bytes) -> None:
    text = data.decode("latin-1")
    fields: list[str | None] = list(text.split("\n", FIELDS - 1))
    fields += [None] * (FIELDS - len(fields))
    selector, method, *values = fields
    for value, check in zip(
        values,
        (check_accept_encoding, check_range, check_etags, check_etags, check_etags,
         check_date, check_date),
        strict=True,
    ):  # fmt: skip
        if value is not None:
            check(value)
    if values[2] is not None:
        check_date(values[2])  # If-Range may be a date
    url = URLS[ord(selector[0]) % len(URLS)] if selector else URLS[0]
    request = Request(method if method is not None else "GET", "", *values)
    check_decision(url, request)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
