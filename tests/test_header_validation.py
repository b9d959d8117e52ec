"""``add_headers_function`` values are checked when entries are built: at start-up.

A non-latin-1 value made every ASGI request fail (uvicorn dropped the connection,
others answered 500) and CR/LF passed through on WSGI (response splitting).
"""

from __future__ import annotations

from pathlib import Path
from wsgiref.headers import Headers

import pytest

from pinknoise import PinkNoise, PinkNoiseASGI
from pinknoise.core.files import InvalidHeader
from tests.support import asgi_client, frontends, wsgi_client

BAD = {
    "non-latin-1": ("X-Note", "caf\u00e9 \u2713"),
    "CR LF": ("X-Note", "ok\r\nSet-Cookie: evil=1"),
    "NUL": ("X-Note", "a\x00b"),
    "bad name": ("X Note", "value"),
}


@pytest.mark.parametrize(("name", "value"), BAD.values(), ids=list(BAD))
@pytest.mark.parametrize("adapter", [PinkNoise, PinkNoiseASGI], ids=["wsgi", "asgi"])
@pytest.mark.parametrize("autorefresh", [False, True], ids=["catalog", "autorefresh"])
def test_invalid_header_fails_at_start_up_naming_file_and_header(
    tmp_path: Path, adapter: type, name: str, value: str, autorefresh: bool
) -> None:
    (tmp_path / "a.css").write_bytes(b"body{}")

    def add_headers(headers: Headers, path: str, url: str) -> None:
        headers[name] = value

    with pytest.raises(InvalidHeader) as raised:
        adapter(None, tmp_path, add_headers_function=add_headers, autorefresh=autorefresh)
    message = str(raised.value)
    assert repr(name) in message
    assert str(tmp_path / "a.css") in message


def test_file_added_later_with_a_bad_header_is_refused_not_a_500(tmp_path: Path) -> None:
    """Under autorefresh a file that appears after start-up is checked on its request."""

    def add_headers(headers: Headers, path: str, url: str) -> None:
        if path.endswith("late.css"):
            headers["X-Note"] = "\u2713"

    wsgi = PinkNoise(wsgi_client.fallback_app, tmp_path, autorefresh=True,
                     add_headers_function=add_headers)  # fmt: skip
    asgi = PinkNoiseASGI(asgi_client.fallback_app, tmp_path, autorefresh=True,
                         add_headers_function=add_headers)  # fmt: skip
    (tmp_path / "late.css").write_bytes(b"body{}")
    assert wsgi_client.call(wsgi, "GET", "/late.css").header("X-App") == "yes"
    assert asgi_client.call(asgi, "GET", "/late.css").header("X-App") == "yes"


# A callable cannot travel to a server process: the adapters that take one in process.
@pytest.mark.parametrize("frontend", frontends.params(frontends.IN_PROCESS[:3]))
def test_latin_1_values_are_sent(frontend: frontends.Frontend, tmp_path: Path) -> None:
    (tmp_path / "a.css").write_bytes(b"body{}")

    def add_headers(headers: Headers, path: str, url: str) -> None:
        headers["X-Note"] = "caf\u00e9"  # latin-1: allowed

    with frontend.start(tmp_path, add_headers_function=add_headers) as fetch:
        assert fetch("GET", "/static/a.css", {}).header("X-Note") == "caf\u00e9"
