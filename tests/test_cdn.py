"""pinknoise behind a real caching proxy standing in for a CDN.

Each stack is an origin (PinkNoise under gunicorn, or PinkNoiseASGI under granian) with
a real cache in front of it on 127.0.0.1: Varnish, or nginx with ``proxy_cache``. The
proxies run with their stock caching rules; the only settings are the ones a CDN needs
too (see docs/cdn.md):

- Varnish: ``-p http_gzip_support=off``. By default Varnish rewrites the backend
  request's Accept-Encoding to ``gzip`` and gunzips for clients that do not accept gzip,
  so br and zstd would never reach a client. The VCL only names the backend.
- nginx: ``proxy_cache_revalidate on``. Without it an expired entry is fetched again in
  full instead of with a conditional request.

Every test uses its own mount of the site (``/enc/``, ``/count/``...), so it starts with a
cold cache and the origin's access log lines for its paths are its own.
"""

from __future__ import annotations

import gzip
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import brotli
import pytest
import zstandard

from tests.support.servers import BIN, free_port, http_request, run_server
from tests.support.site import HASHED_JS, Site, build_site
from tests.support.wsgi_client import Result

pytestmark = pytest.mark.server

SHORT_MAX_AGE = 1
MOUNTS = {"enc": 60, "count": 60, "fresh": SHORT_MAX_AGE, "ranges": 60, "head": 60}

#: Client name -> the Accept-Encoding it sends (None: no header, identity only).
CLIENTS: dict[str, str | None] = {"identity": None, "gzip": "gzip", "br": "br", "zstd": "zstd"}
#: File -> the encoded siblings build_site gives it.
FILES: dict[str, tuple[str, ...]] = {
    "css/app.css": ("gzip", "br", "zstd"),
    HASHED_JS: ("gzip", "br"),
    "js/gz-only.js": ("gzip",),
    "img/logo.png": (),
    "big.bin": (),  # above the memory cache's limit: sent by sendfile / pathsend
}
SIBLING_SUFFIX = {"gzip": ".gz", "br": ".br", "zstd": ".zst"}

# One line per origin request, the same fields from both servers; '-' when absent.
GUNICORN_LOG_FORMAT = (
    "ORIGIN|%(m)s|%(U)s|%(s)s|%({accept-encoding}i)s|%({if-none-match}i)s|%({range}i)s"
)
GRANIAN_LOG_FORMAT = (
    "ORIGIN|%(method)s|%(path)s|%(status)d|%(header{accept-encoding})s"
    "|%(header{if-none-match})s|%(header{range})s"
)


# -- the proxies -------------------------------------------------------------------------


def _find_binary(name: str) -> str | None:
    # Debian puts both daemons in /usr/sbin, which is not on a normal user's PATH.
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
    return shutil.which(name, path=path)


def _require_binary(name: str, package: str) -> str:
    found = _find_binary(name)
    if found is not None:
        return found
    reason = f"{name} not found: install the Debian package {package!r} (scripts/system-deps.sh)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true, so a missing proxy is a failure", pytrace=False)
    pytest.skip(reason)


def varnish_argv(workdir: Path, port: int, origin_port: int) -> list[str]:
    binary = _require_binary("varnishd", "varnish")
    vcl = workdir / "cdn.vcl"
    # No logic: the built-in VCL decides what is cached, from Cache-Control and Vary.
    vcl.write_text(
        f'vcl 4.1;\nbackend origin {{ .host = "127.0.0.1"; .port = "{origin_port}"; }}\n'
    )
    # -j none: run as the invoking user, who owns the (private) temporary directory.
    return [binary, "-F", "-j", "none", "-n", str(workdir / "state"), "-a", f"127.0.0.1:{port}",
            "-f", str(vcl), "-s", "malloc,32m", "-p", "http_gzip_support=off"]  # fmt: skip


def nginx_argv(workdir: Path, port: int, origin_port: int) -> list[str]:
    binary = _require_binary("nginx", "nginx")
    conf = workdir / "nginx.conf"
    conf.write_text(f"""\
daemon off;
master_process off;
error_log {workdir}/error.log warn;
pid {workdir}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    proxy_cache_path {workdir}/cache keys_zone=cdn:1m;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{origin_port};
            proxy_cache cdn;
            proxy_cache_revalidate on;
        }}
    }}
}}
""")
    return [binary, "-p", str(workdir), "-e", str(workdir / "error.log"), "-c", str(conf)]


PROXIES: dict[str, Callable[[Path, int, int], list[str]]] = {
    "varnish": varnish_argv,
    "nginx": nginx_argv,
}


# -- the stack: origin + proxy -------------------------------------------------------------


@dataclass
class Stack:
    port: int
    origin_port: int
    origin_log: Path
    site: Site
    synced: int = 0

    def get(self, target: str, headers: dict[str, str] | None = None) -> Result:
        return http_request(self.port, "GET", target, headers)

    def head(self, target: str, headers: dict[str, str] | None = None) -> Result:
        return http_request(self.port, "HEAD", target, headers)

    def origin_lines(self, prefix: str) -> list[OriginRequest]:
        lines = []
        for line in self.origin_log.read_text(errors="replace").splitlines():
            start = line.find("ORIGIN|")
            if start < 0:
                continue
            # gunicorn escapes the quotes of an entity tag.
            fields = line[start:].replace('\\"', '"').split("|")
            request = OriginRequest(*fields[1:4], *(None if v == "-" else v for v in fields[4:7]))
            if request.path.startswith(prefix):
                lines.append(request)
        return lines

    def sync(self, prefix: str) -> list[OriginRequest]:
        """The origin's requests under ``prefix``, once every earlier one is logged.

        A never-seen path sent through the proxy is a miss the origin must answer (the
        app's 404); once its log line is there, the lines of every request before it
        are too (a single gunicorn sync worker handles requests one after another).
        """
        self.synced += 1
        marker = f"{prefix}sync-{self.synced}"
        assert self.get(marker).body == f"app:GET:{marker}".encode()
        wait_for(lambda: any(r.path == marker for r in self.origin_lines(prefix)), marker)
        return [r for r in self.origin_lines(prefix) if "/sync-" not in r.path]


@dataclass(frozen=True)
class OriginRequest:
    method: str
    path: str
    status: str
    accept_encoding: str | None
    if_none_match: str | None
    range: str | None


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def _origin_argv(origin: str, port: int, log: Path) -> list[str]:
    if origin == "gunicorn":
        return [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
                "--access-logfile", str(log), "--access-logformat", GUNICORN_LOG_FORMAT,
                "tests.apps.cdn_site:application"]  # fmt: skip
    return [str(BIN / "granian"), "--interface", "asgi", "--host", "127.0.0.1",
            "--port", str(port), "--workers", "1", "--access-log",
            "--access-log-fmt", GRANIAN_LOG_FORMAT,
            "tests.apps.cdn_site:asgi_application"]  # fmt: skip


@pytest.fixture(
    scope="module",
    params=[
        ("varnish", "gunicorn"),
        ("nginx", "gunicorn"),
        ("varnish", "granian"),
        ("nginx", "granian"),
    ],
    ids=lambda param: "-".join(param),
)
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    proxy, origin = request.param
    base = tmp_path_factory.mktemp(f"{proxy}-{origin}")
    workdir = base / proxy
    workdir.mkdir()
    proxy_port, origin_port = free_port(), free_port()
    proxy_argv = PROXIES[proxy](workdir, proxy_port, origin_port)  # skips/fails if missing
    site = build_site(base / "site")
    origin_log = base / "origin.log"
    server_log = origin_log if origin == "granian" else base / "origin-server.log"
    env = {
        "PINKNOISE_TEST_ROOT": str(site.root),
        "PINKNOISE_CDN_MOUNTS": ",".join(f"{name}={age}" for name, age in MOUNTS.items()),
    }
    argv = _origin_argv(origin, origin_port, origin_log)
    with (
        run_server(argv, origin_port, server_log, env=env),
        run_server(proxy_argv, proxy_port, base / f"{proxy}.log"),
    ):
        yield Stack(proxy_port, origin_port, origin_log, site)


# -- what a client checks ------------------------------------------------------------------


def expected_coding(file: str, client: str) -> str | None:
    return client if client in FILES[file] else None


def representation(site: Site, file: str, coding: str | None) -> bytes:
    """The exact bytes pinknoise sends for ``file`` in ``coding``: the file or its sibling."""
    return site.read(file + SIBLING_SUFFIX[coding] if coding else file)


def decode(body: bytes, coding: str | None) -> bytes:
    if coding is None:
        return body
    if coding == "gzip":
        return gzip.decompress(body)
    if coding == "br":
        decoded: bytes = brotli.decompress(body)
        return decoded
    with zstandard.ZstdDecompressor().stream_reader(body) as reader:
        return reader.read()


def check_full_response(result: Result, site: Site, file: str, client: str) -> None:
    coding = expected_coding(file, client)
    accepted = CLIENTS[client]
    where = f"{file} for the {client} client"
    assert result.status == 200, where
    assert result.header("Content-Encoding") == coding, where
    if coding is not None:
        assert accepted is not None
        assert coding in accepted, where  # never an encoding the client did not ask for
    assert result.body == representation(site, file, coding), where
    assert decode(result.body, coding) == site.read(file), where
    etag = result.header("ETag") or ""
    assert etag.endswith(f'-{coding}"' if coding else '"'), (where, etag)
    assert not any(etag.endswith(f'-{c}"') for c in SIBLING_SUFFIX if c != coding), (where, etag)
    assert (result.header("Vary") == "Accept-Encoding") == bool(FILES[file]), where


def ae_header(client: str) -> dict[str, str]:
    value = CLIENTS[client]
    return {} if value is None else {"Accept-Encoding": value}


def interleaved(seed: int, rounds: int = 3) -> list[tuple[str, str]]:
    """Every (file, client) pair ``rounds`` times, shuffled: misses and hits in any order."""
    pairs = [(file, client) for file in FILES for client in CLIENTS] * rounds
    random.Random(seed).shuffle(pairs)
    return pairs


# -- the tests -------------------------------------------------------------------------------


def test_each_client_gets_its_own_encoding_in_any_order(stack: Stack) -> None:
    for file, client in interleaved(seed=1):
        result = stack.get(f"/enc/{file}", ae_header(client))
        check_full_response(result, stack.site, file, client)


def test_origin_sees_one_request_per_file_and_encoding(stack: Stack) -> None:
    for file, client in interleaved(seed=2):
        check_full_response(
            stack.get(f"/count/{file}", ae_header(client)), stack.site, file, client
        )
    seen = stack.sync("/count/")
    assert {(r.method, r.status, r.if_none_match) for r in seen} == {("GET", "200", None)}
    by_file = Counter(r.path.removeprefix("/count/") for r in seen)
    by_representation = Counter((r.path.removeprefix("/count/"), r.accept_encoding) for r in seen)
    for file, siblings in FILES.items():
        if siblings:
            # Vary: Accept-Encoding, so one cache entry (one origin fetch) per client kind.
            for client, accept in CLIENTS.items():
                assert by_representation[file, accept] == 1, (file, client, seen)
        else:
            # No Vary: one entry serves every client.
            assert by_file[file] == 1, (file, seen)
    assert sum(by_file.values()) == sum(len(CLIENTS) if s else 1 for s in FILES.values())


def test_immutable_is_never_revalidated_and_the_rest_revalidates_with_304(stack: Stack) -> None:
    mutable, immutable = "/fresh/css/app.css", f"/fresh/{HASHED_JS}"
    clients = ("identity", "br")
    etags = {}
    for client in clients:
        first = stack.get(mutable, ae_header(client))
        check_full_response(first, stack.site, "css/app.css", client)
        assert first.header("Cache-Control") == f"max-age={SHORT_MAX_AGE}, public"
        etags[client] = first.header("ETag")
        hashed = stack.get(immutable, ae_header(client))
        check_full_response(hashed, stack.site, HASHED_JS, client)
        assert hashed.header("Cache-Control") == "max-age=31536000, public, immutable"
    assert len(set(etags.values())) == len(clients)  # one validator per representation

    # Past max-age (nginx keeps expiry times in whole seconds: up to one more second).
    time.sleep(SHORT_MAX_AGE + 1.5)
    for client in clients:
        check_full_response(stack.get(immutable, ae_header(client)), stack.site, HASHED_JS, client)
        check_full_response(
            stack.get(mutable, ae_header(client)), stack.site, "css/app.css", client
        )

    def revalidated() -> bool:
        found = {r.if_none_match for r in stack.origin_lines(mutable) if r.status == "304"}
        return found == set(etags.values())

    # Varnish serves the stale copy in its grace period and revalidates in the
    # background; nginx revalidates before answering. Either way: a 304, per encoding.
    wait_for(revalidated, "a conditional request answered 304 for each encoding")
    seen = stack.sync("/fresh/")
    hashed_requests = [r for r in seen if r.path == immutable]
    assert len(hashed_requests) == len(clients), hashed_requests  # the cold misses only
    assert all(r.if_none_match is None and r.status == "200" for r in hashed_requests)
    mutable_requests = [
        (r.status, r.accept_encoding, r.if_none_match) for r in seen if r.path == mutable
    ]
    expected = [("200", CLIENTS[c], None) for c in clients] + [
        ("304", CLIENTS[c], etags[c]) for c in clients
    ]
    assert sorted(mutable_requests, key=repr) == sorted(expected, key=repr)


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_ranges_through_the_cache(stack: Stack, warm: bool) -> None:
    big = stack.site.read("big.bin")
    state = "warm" if warm else "cold"
    target = f"/ranges/big.bin?{state}"  # the query string makes it a separate cache entry
    if warm:
        assert stack.get(target).body == big
    cases = [("bytes=100-199", 100, 199), ("bytes=-5", len(big) - 5, len(big) - 1),
             ("bytes=299990-", 299_990, len(big) - 1), ("bytes=0-0", 0, 0)]  # fmt: skip
    for spec, first, last in cases:
        result = stack.get(target, {"Range": spec})
        assert result.status == 206, spec
        assert result.header("Content-Range") == f"bytes {first}-{last}/{len(big)}", spec
        assert result.body == big[first : last + 1], spec
    unsatisfiable = stack.get(target, {"Range": f"bytes={len(big)}-"})
    assert unsatisfiable.status == 416
    assert unsatisfiable.header("Content-Range") == f"bytes */{len(big)}"

    # A range of an encoded representation is a range of those encoded bytes.
    css = f"/ranges/css/app.css?{state}"
    for client in CLIENTS:
        if warm:
            check_full_response(
                stack.get(css, ae_header(client)), stack.site, "css/app.css", client
            )
        result = stack.get(css, {**ae_header(client), "Range": "bytes=10-59"})
        coding = expected_coding("css/app.css", client)
        body = representation(stack.site, "css/app.css", coding)
        assert result.status == 206, client
        assert result.header("Content-Encoding") == coding, client
        assert result.header("Content-Range") == f"bytes 10-59/{len(body)}", client
        assert result.body == body[10:60], client


def test_head_through_the_cache(stack: Stack) -> None:
    for file in FILES:
        for client in CLIENTS:
            target, headers = f"/head/{file}", ae_header(client)
            coding = expected_coding(file, client)
            cold = stack.head(target, headers)  # a miss: the proxy fetches with GET
            full = stack.get(target, headers)
            warm = stack.head(target, headers)
            check_full_response(full, stack.site, file, client)
            for result in (cold, warm):
                assert result.status == 200, (file, client)
                assert result.body == b"", (file, client)
                assert result.header("Content-Encoding") == coding, (file, client)
                assert result.header("Content-Length") == str(len(full.body)), (file, client)
                assert result.header("ETag") == full.header("ETag"), (file, client)
