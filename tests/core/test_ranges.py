from __future__ import annotations

import pytest

from pinknoise.core.ranges import UNSATISFIABLE, parse_range


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("bytes=0-0", 10, (0, 1)),
        ("bytes=0-9", 10, (0, 10)),
        ("bytes=0-99", 10, (0, 10)),
        ("bytes=9-", 10, (9, 10)),
        ("bytes=-1", 10, (9, 10)),
        ("bytes=-10", 10, (0, 10)),
        ("bytes=-11", 10, (0, 10)),
        ("bytes=10-", 10, UNSATISFIABLE),
        ("bytes=10-20", 10, UNSATISFIABLE),
        ("bytes=-0", 10, UNSATISFIABLE),
        ("bytes=0-", 0, UNSATISFIABLE),
        ("bytes=-5", 0, UNSATISFIABLE),
        ("bytes= 2-3 ", 10, (2, 4)),
        ("Bytes=2-3", 10, (2, 4)),
        ("bytes=3-2", 10, None),
        ("bytes=-", 10, None),
        ("bytes=", 10, None),
        ("bytes", 10, None),
        ("bytes=a-b", 10, None),
        ("bytes=+1-2", 10, None),
        ("bytes=1--2", 10, None),
        ("bytes=0x1-2", 10, None),
        ("bytes=\u0661-2", 10, None),  # Arabic-Indic digit: not an ASCII DIGIT
        ("bytes=0-1,2-3", 10, None),
        ("items=0-1", 10, None),
        ("bytes=" + "9" * 19 + "-", 10, None),
        ("bytes=" + "9" * 18 + "-", 10, UNSATISFIABLE),
    ],
)
def test_parse_range(header: str, size: int, expected: object) -> None:
    assert parse_range(header, size) == expected
