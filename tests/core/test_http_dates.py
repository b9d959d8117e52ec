from __future__ import annotations

import pytest

from pinknoise.core.http_dates import format_http_date, parse_http_date

NOV_6_1994 = 784111777


def test_format() -> None:
    assert format_http_date(NOV_6_1994) == "Sun, 06 Nov 1994 08:49:37 GMT"
    assert format_http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT"


@pytest.mark.parametrize(
    "value",
    ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
     "Sun Nov  6 08:49:37 1994", " Sun, 06 Nov 1994 08:49:37 GMT "],
)  # fmt: skip
def test_three_formats(value: str) -> None:
    assert parse_http_date(value) == NOV_6_1994


@pytest.mark.parametrize(
    "value",
    ["", "yesterday", "Sun, 06 Nov 1994 08:49:37", "Sun, 31 Feb 1994 08:49:37 GMT",
     "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
     "Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT",
     "Sun, 06 Nov 1994 08:49:37 UTC", "\x00" * 30, "9" * 5000],
)  # fmt: skip
def test_invalid_dates_are_none(value: str) -> None:
    assert parse_http_date(value) is None


def test_round_trip() -> None:
    for stamp in (0, NOV_6_1994, 1_700_000_000, 4_102_444_800):
        assert parse_http_date(format_http_date(stamp)) == stamp
