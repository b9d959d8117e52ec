"""The one table of request fields every adapter builds its requests from."""

from __future__ import annotations

import inspect

from pinknoise.core.request import FIELDS, Request


def test_fields_are_requests_positional_order() -> None:
    parameters = list(inspect.signature(Request).parameters)
    assert parameters[:2] == ["method", "query"]
    assert parameters[2:] == [attribute for attribute, _, _ in FIELDS]


def test_wsgi_key_and_header_name_name_the_same_field() -> None:
    for attribute, wsgi_key, header in FIELDS:
        assert wsgi_key == "HTTP_" + header.upper().replace("-", "_")
        assert header == attribute.replace("_", "-")
