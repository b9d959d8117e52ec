"""The framework recipes of docs/recipes.md, each run by a real server over real HTTP.

Every app in examples/recipes/ is started the way its docstring says, with
``STATIC_ROOT`` pointing at the test site (which has ``.br`` siblings). Each must serve
a static file with content negotiation and revalidation, keep refusing what pinknoise
refuses (the framework must not serve it instead), and leave the framework's own routes
working.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import brotli
import httpx
import pytest

from tests.support.servers import BIN, REPO, Server, free_port, run_server
from tests.support.site import Site

pytestmark = pytest.mark.server
RECIPES = REPO / "examples" / "recipes"
BROWSER_AE = "gzip, deflate, br, zstd"  # what a current Chromium sends


@dataclass(frozen=True)
class Recipe:
    name: str
    argv: Callable[[int], list[str]]
    #: What a miss under /static/ gets: the framework's answer, or the mount's 404.
    static_miss_status: int
    check_routes: Callable[[Server], None]


def _gunicorn(app: str) -> Callable[[int], list[str]]:
    return lambda port: [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers",
                         "1", "--chdir", str(RECIPES), app]  # fmt: skip


def _uvicorn(app: str) -> Callable[[int], list[str]]:
    return lambda port: [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", str(port),
                         "--app-dir", str(RECIPES), app]  # fmt: skip


def _granian(app: str) -> Callable[[int], list[str]]:
    return lambda port: [str(BIN / "granian"), "--interface", "asgi", "--host", "127.0.0.1",
                         "--port", str(port), "--workers", "1", "--working-dir", str(RECIPES),
                         app]  # fmt: skip


def _url(server: Server, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


def _flask_routes(server: Server) -> None:
    assert server.request("GET", "/").body == b"hello from flask"
    echoed = httpx.post(_url(server, "/echo"), content=b"posted body", timeout=10)
    assert echoed.status_code == 200
    assert echoed.json() == {"received": "posted body"}
    missing = server.request("GET", "/nope")
    assert missing.status == 404
    assert b"<title>404 Not Found</title>" in missing.body  # Flask's own 404 page


def _fastapi_routes(server: Server) -> None:
    assert json.loads(server.request("GET", "/").body) == {"hello": "fastapi"}
    assert json.loads(server.request("GET", "/items/7").body) == {"item_id": 7}
    invalid = server.request("GET", "/items/seven")
    assert invalid.status == 422  # FastAPI's validation answered
    assert json.loads(server.request("GET", "/nope").body) == {"detail": "Not Found"}


def _starlette_routes(server: Server) -> None:
    assert server.request("GET", "/").body == b"hello from starlette"
    missing = server.request("GET", "/nope")
    assert (missing.status, missing.body) == (404, b"Not Found")


def _plain_routes(kind: str) -> Callable[[Server], None]:
    def check(server: Server) -> None:
        for path in ("/", "/hello/world"):
            result = server.request("GET", path)
            assert (result.status, result.body) == (200, f"hello from {kind} at {path}".encode())

    return check


RECIPE_LIST = [
    Recipe("flask", _gunicorn("flask_app:app"), 404, _flask_routes),
    Recipe("fastapi", _uvicorn("fastapi_app:application"), 404, _fastapi_routes),
    Recipe("starlette-mount", _uvicorn("starlette_mount:app"), 404, _starlette_routes),
    Recipe("plain-wsgi", _gunicorn("plain_wsgi:application"), 200, _plain_routes("wsgi")),
    Recipe("plain-asgi", _granian("plain_asgi:application"), 200, _plain_routes("asgi")),
]


@pytest.fixture(scope="module", params=RECIPE_LIST, ids=[recipe.name for recipe in RECIPE_LIST])
def served(
    request: pytest.FixtureRequest, site: Site, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Recipe, Server]]:
    recipe: Recipe = request.param
    port = free_port()
    log = tmp_path_factory.mktemp(recipe.name) / "server.log"
    with run_server(recipe.argv(port), port, log, env={"STATIC_ROOT": str(site.root)}) as server:
        yield recipe, server


def test_static_hit_negotiates_brotli(served: tuple[Recipe, Server], site: Site) -> None:
    _, server = served
    css = server.request("GET", "/static/css/app.css", {"Accept-Encoding": BROWSER_AE})
    assert css.status == 200
    assert css.header("Content-Encoding") == "br"
    assert css.header("Vary") == "Accept-Encoding"
    assert css.body == site.read("css/app.css.br")
    assert brotli.decompress(css.body) == site.read("css/app.css")
    plain = server.request("GET", "/static/css/app.css")
    assert plain.header("Content-Encoding") is None
    assert plain.body == site.read("css/app.css")
    logo = server.request("GET", "/static/img/logo.png", {"Accept-Encoding": BROWSER_AE})
    assert (logo.status, logo.header("Content-Type")) == (200, "image/png")
    assert logo.body == site.read("img/logo.png")


def test_revalidation_answers_304(served: tuple[Recipe, Server]) -> None:
    _, server = served
    headers = {"Accept-Encoding": BROWSER_AE}
    first = server.request("GET", "/static/css/app.css", headers)
    etag = first.header("ETag")
    assert etag is not None
    again = server.request("GET", "/static/css/app.css", {**headers, "If-None-Match": etag})
    assert again.status == 304
    assert again.body == b""
    assert again.header("ETag") == etag
    # The identity representation has its own validator: the br one does not match it.
    identity = server.request("GET", "/static/css/app.css", {"If-None-Match": etag})
    assert identity.status == 200


def test_what_pinknoise_refuses_is_not_served_by_the_framework(
    served: tuple[Recipe, Server], site: Site
) -> None:
    recipe, server = served
    for path in ("/static/.secret", "/static/link-out.txt", "/static/missing.css"):
        result = server.request("GET", path)
        assert result.status == recipe.static_miss_status, path
        assert b"dotfile" not in result.body, path
        assert b"TOP SECRET" not in result.body, path


def test_framework_routes_still_work(served: tuple[Recipe, Server]) -> None:
    recipe, server = served
    recipe.check_routes(server)
