from __future__ import annotations

import pytest

from pinknoise.core.negotiation import choose_coding, parse_accept_encoding

ALL = ("br", "zstd", "gzip")


@pytest.mark.parametrize(
    ("header", "available", "expected"),
    [
        (None, ALL, "identity"),
        ("", ALL, "identity"),
        ("gzip", ALL, "gzip"),
        ("gzip, br", ALL, "br"),
        ("gzip, br", ("gzip",), "gzip"),
        ("br", ("gzip",), "identity"),
        ("gzip;q=0.9, br;q=0.8", ALL, "gzip"),
        ("gzip;Q=0.9, br;q=0.8", ALL, "gzip"),
        ("br;q=0", ALL, "identity"),
        ("*", ALL, "br"),
        ("*;q=0", ALL, "identity"),
        ("*;q=0.5, gzip", ALL, "gzip"),
        ("*, br;q=0, zstd;q=0", ALL, "gzip"),
        ("identity;q=1, gzip;q=0.5", ALL, "identity"),
        ("identity;q=0.5, gzip;q=0.5", ALL, "gzip"),
        ("identity;q=0", ("gzip",), "identity"),
        ("X-GZIP", ALL, "gzip"),
        ("deflate, compress", ALL, "identity"),
        ("br;q=1.0001", ALL, "identity"),
        ("br;q=1.000", ALL, "br"),
        ("br;q=0.001, gzip;q=0", ALL, "br"),
        ("br;q=.5", ALL, "identity"),
        ("br;q=-1", ALL, "identity"),
        ("br;q=0.5;level=3", ALL, "br"),
        (" , ,br", ALL, "br"),
        ("gzip, gzip;q=0", ALL, "gzip"),
    ],
)
def test_choose(header: str | None, available: tuple[str, ...], expected: str) -> None:
    assert choose_coding(header, available) == expected


def test_server_order_breaks_ties() -> None:
    assert choose_coding("gzip, zstd", ("zstd", "gzip")) == "zstd"
    assert choose_coding("gzip, zstd", ("gzip", "zstd")) == "gzip"


def test_parse_keeps_q_values() -> None:
    assert parse_accept_encoding("gzip;q=0.5, br") == {"gzip": 0.5, "br": 1.0}


def test_memo_is_bounded() -> None:
    from pinknoise.core import negotiation

    for i in range(5000):
        choose_coding(f"x{i}, gzip", ALL)
    assert len(negotiation._memo) <= 1024
