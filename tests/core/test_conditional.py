from __future__ import annotations

import pytest

from pinknoise.core.conditional import etag_list_matches

TAG = '"abc-1"'


@pytest.mark.parametrize(
    ("header", "strong", "expected"),
    [
        (TAG, True, True),
        ("*", True, True),
        (" * ", False, True),
        ('W/"abc-1"', False, True),
        ('W/"abc-1"', True, False),
        ('"x", "abc-1"', True, True),
        ('"x,y", W/"abc-1"', False, True),
        ('"x",W/"abc-1"', True, False),
        ('"abc-2"', False, False),
        ("abc-1", False, False),
        ('"abc-1', False, False),
        ('"x" "abc-1"', False, False),
        ("", False, False),
        ('"x",,', False, False),
    ],
)
def test_etag_list(header: str, strong: bool, expected: bool) -> None:
    assert etag_list_matches(header, TAG, strong=strong) is expected
