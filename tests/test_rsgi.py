"""The RSGI adapter: the request table in process and under granian, identity of every
adapter, which response method each body uses, pass-through and the stream fallback.

Aborted downloads under granian RSGI are tested with the ASGI servers'
(``test_asgi_servers.py``).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pinknoise import PinkNoise, PinkNoiseASGI, PinkNoiseRSGI
from tests.checks import run_case
from tests.request_table import CASES, Case
from tests.support import asgi_client, rsgi_client, wsgi_client
from tests.support.procfs import open_files_under
from tests.support.servers import Server, free_port, granian_rsgi_argv, run_server
from tests.support.site import Site

IDS = [case.name for case in CASES]
WIRE = [case for case in CASES if case.wire]


def _rsgi(root: Path, **options: Any) -> PinkNoiseRSGI:
    return PinkNoiseRSGI(
        rsgi_client.fallback_app, root, prefix="/static/", index_file=True, **options
    )


def _fetch(app: PinkNoiseRSGI) -> Any:
    return lambda m, t, h: rsgi_client.call(app, m, t, h)


@pytest.fixture(scope="module")
def rsgi_app(site: Site) -> PinkNoiseRSGI:
    return _rsgi(site.root)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_rsgi_in_process(case: Case, rsgi_app: PinkNoiseRSGI, site: Site) -> None:
    run_case(case, _fetch(rsgi_app), site)


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize(
    "options",
    [{"memory_cache_budget": 0}, {"autorefresh": True}],
    ids=["from-disk", "autorefresh"],
)
def test_rsgi_from_disk(case: Case, site: Site, options: dict[str, Any]) -> None:
    run_case(case, _fetch(_rsgi(site.root, **options)), site)


@pytest.mark.parametrize(
    "case", [c for c in CASES if not c.app], ids=[c.name for c in CASES if not c.app]
)
def test_every_adapter_answers_alike(case: Case, site: Site) -> None:
    """WSGI, ASGI streamed and pathsend, RSGI: same status, same headers in the same
    order, same body, since there is one decision path."""
    wsgi = PinkNoise(wsgi_client.fallback_app, site.root, prefix="/static/", index_file=True)
    asgi = PinkNoiseASGI(asgi_client.fallback_app, site.root, prefix="/static/", index_file=True)
    rsgi = _rsgi(site.root)
    headers = dict(case.headers)
    if any("{" in value for value in headers.values()):
        negotiation = {k: v for k, v in headers.items() if k == "Accept-Encoding"}
        etag = wsgi_client.call(wsgi, "GET", case.target, negotiation).header("ETag") or ""
        headers = {k: v.replace("{etag}", etag) for k, v in headers.items()}
    for _ in range(2):  # first request reads from disk, the second from memory
        answers = [
            wsgi_client.call(wsgi, case.method, case.target, headers),
            asgi_client.call(asgi, case.method, case.target, headers),
            asgi_client.call(asgi, case.method, case.target, headers, pathsend=True),
            rsgi_client.call(rsgi, case.method, case.target, headers),
        ]
        first = answers[0]
        for other in answers[1:]:
            assert other.status == first.status
            assert [(k.lower(), v) for k, v in other.headers] == [
                (k.lower(), v) for k, v in first.headers
            ]
            assert other.body == first.body


def _protocol(app: PinkNoiseRSGI, target: str, **headers: str) -> rsgi_client.Protocol:
    scope = rsgi_client.scope_for("GET", target, headers)
    return asyncio.run(rsgi_client.call_async(app, scope))


def test_each_body_goes_out_by_the_cheapest_method(site: Site) -> None:
    app = _rsgi(site.root)
    small = _protocol(app, "/static/digits.txt")
    assert small.calls == ["bytes"]
    assert small.body == b"0123456789"
    whole = _protocol(app, "/static/big.bin")
    # The server is handed the descriptor pinknoise checked, not a path it could race.
    assert whole.calls == ["file"]
    assert whole.file is not None
    assert os.readlink(whole.file[0]) == str(site.root / "big.bin")
    assert whole.body == site.read("big.bin")
    ranged = _protocol(app, "/static/big.bin", range="bytes=1000-1999")
    assert ranged.calls == ["file_range"]
    assert ranged.file is not None
    assert ranged.file[1:] == (1000, 2000)
    assert ranged.body == site.read("big.bin")[1000:2000]
    etag = small.headers[[k for k, _ in small.headers].index("ETag")][1]
    not_modified = _protocol(app, "/static/digits.txt", **{"if-none-match": etag})
    assert (not_modified.status, not_modified.calls) == (304, ["empty"])


def test_autorefresh_sends_large_files_by_path_and_lets_go(fresh_site: Site) -> None:
    """Per-request entries still go by path; their descriptors are retired at once."""
    big = fresh_site.root / "huge.bin"
    big.write_bytes(os.urandom(2 * 1024 * 1024))
    app = _rsgi(fresh_site.root, autorefresh=True)
    for _ in range(3):
        sent = _protocol(app, "/static/huge.bin")
        assert sent.calls == ["file"]
        assert sent.body == big.read_bytes()
    handles = app.server._handles
    assert handles._live == {}
    assert len(handles._retired) == 3


def test_past_the_descriptor_limit_files_stream_and_close(fresh_site: Site) -> None:
    big = fresh_site.root / "huge.bin"
    big.write_bytes(os.urandom(4 * 1024 * 1024))
    app = _rsgi(fresh_site.root)
    app.server._handles.limit = 0
    whole = _protocol(app, "/static/huge.bin")
    assert whole.calls == ["stream"]
    assert whole.chunks >= 2
    assert whole.body == big.read_bytes()
    for _ in range(3):  # the client goes away after two chunks
        scope = rsgi_client.scope_for("GET", "/static/huge.bin")
        aborted = asyncio.run(rsgi_client.call_async(app, scope, disconnect_after=2))
        assert len(aborted.body) < big.stat().st_size
    assert open_files_under([os.getpid()], fresh_site.root) == []


def test_other_scopes_and_misses_pass_through(site: Site) -> None:
    seen: list[str] = []

    class Inner:
        async def __rsgi__(self, scope: Any, protocol: Any) -> None:
            seen.append(f"{scope.proto}:{scope.path}")
            if scope.proto == "http":
                protocol.response_empty(204, [])

        def __rsgi_init__(self, loop: object) -> None:
            seen.append("init")

        def __rsgi_del__(self, loop: object) -> None:
            seen.append("del")

    app = PinkNoiseRSGI(Inner(), site.root, prefix="static")
    loop = asyncio.new_event_loop()
    try:
        app.__rsgi_init__(loop)
        ws = rsgi_client.scope_for("GET", "/static/css/app.css")
        ws.proto = "ws"
        loop.run_until_complete(app.__rsgi__(ws, rsgi_client.Protocol()))  # type: ignore[arg-type]
        miss = loop.run_until_complete(
            rsgi_client.call_async(app, rsgi_client.scope_for("GET", "/elsewhere"))
        )
        app.__rsgi_del__(loop)
    finally:
        loop.close()
    assert miss.status == 204
    assert seen == ["init", "ws:/static/css/app.css", "http:/elsewhere", "del"]


def test_without_an_application_misses_are_404(site: Site) -> None:
    app = PinkNoiseRSGI(None, site.root, prefix="/static/")
    result = rsgi_client.call(app, "GET", "/static/nope.css")
    assert (result.status, result.body) == (404, b"Not Found")
    assert app.has("/static/digits.txt")
    assert not app.has("/static/nope.css")


@pytest.fixture(scope="module")
def granian_rsgi(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port = free_port()
    log = tmp_path_factory.mktemp("granian-rsgi") / "server.log"
    env = {"PINKNOISE_TEST_ROOT": str(site.root)}
    with run_server(granian_rsgi_argv(port), port, log, env=env) as server:
        yield server


@pytest.mark.server
@pytest.mark.parametrize("case", WIRE, ids=[case.name for case in WIRE])
def test_request_table_under_granian(case: Case, granian_rsgi: Server, site: Site) -> None:
    run_case(case, granian_rsgi.request, site)
