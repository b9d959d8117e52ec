"""The recipes of docs/recipes.md, each run by a real server over real HTTP.

The plain WSGI and ASGI apps in examples/recipes/ are started the way their docstrings
say, with ``STATIC_ROOT`` pointing at the test site (which has ``.br`` siblings). The
framework sites (Flask, Starlette, FastAPI) are real apps with Jinja templates that
build static URLs with ``url_for`` and render their own 404 page; see ``deploy``. Each
must serve a static file with content negotiation and revalidation, keep refusing what
pinknoise refuses (the framework must not serve it instead), and leave the framework's
own routes working.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

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


def _granian(app: str) -> Callable[[int], list[str]]:
    return lambda port: [str(BIN / "granian"), "--interface", "asgi", "--host", "127.0.0.1",
                         "--port", str(port), "--workers", "1", "--working-dir", str(RECIPES),
                         app]  # fmt: skip


def _url(server: Server, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


def _plain_routes(kind: str) -> Callable[[Server], None]:
    def check(server: Server) -> None:
        for path in ("/", "/hello/world"):
            result = server.request("GET", path)
            assert (result.status, result.body) == (200, f"hello from {kind} at {path}".encode())

    return check


RECIPE_LIST = [
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


# Framework sites: real apps whose Jinja templates build static URLs with url_for, and
# whose own 404 page is what a miss under /static/ must get. Each is copied out of the
# repository, given the files pinknoise refuses, precompressed as a deploy would, and
# run from an unrelated working directory: the static root must come from the app.

NOT_FOUND_PAGE = b"<h2>Page not found</h2>"
SECRETS = (b"SECRET_KEY", b"TOP SECRET")


@dataclass(frozen=True)
class SiteApp:
    name: str
    package: str
    server: str  # gunicorn, uvicorn or granian
    target: str
    check_routes: Callable[[Server], None]


def _site_argv(app: SiteApp, port: int, cwd: Path) -> list[str]:
    host = ["127.0.0.1", str(port)]
    if app.server == "gunicorn":
        argv = [str(BIN / "gunicorn"), "--bind", ":".join(host), "--workers", "1", app.target]
    elif app.server == "uvicorn":
        argv = [str(BIN / "uvicorn"), "--host", host[0], "--port", host[1], app.target]
    else:
        argv = [str(BIN / "granian"), "--interface", "asgi", "--host", host[0], "--port",
                host[1], "--workers", "1", app.target]  # fmt: skip
    return ["env", "-C", str(cwd), *argv]


def _flask_site_routes(server: Server) -> None:
    echoed = httpx.post(_url(server, "/echo"), content=b"posted body", timeout=10)
    assert echoed.status_code == 200
    assert echoed.json() == {"received": "posted body"}


def _fastapi_site_routes(server: Server) -> None:
    assert json.loads(server.request("GET", "/items/7").body) == {"item_id": 7}
    assert server.request("GET", "/items/seven").status == 422  # FastAPI's validation


def _no_routes(server: Server) -> None:
    pass


SITE_APPS = [
    SiteApp("flask-gunicorn", "flask_site", "gunicorn", "flask_site:create_app()",
            _flask_site_routes),
    *(
        SiteApp(f"{package.removesuffix('_site')}-{module}-{server}", package, server,
                f"{package}.{module}:{obj}", check)
        for package, check in (("starlette_site", _no_routes),
                               ("fastapi_site", _fastapi_site_routes))
        for module, obj in (("mounted", "app"), ("wrapped", "application"))
        for server in ("uvicorn", "granian")
    ),
]  # fmt: skip


@dataclass(frozen=True)
class Deployed:
    app: SiteApp
    server: Server
    static: Path


def deploy(package: str, base: Path) -> Path:
    """Copy an example app under ``base/apps``, plant refused files, precompress it."""
    apps = base / "apps"
    shutil.copytree(RECIPES / package, apps / package, ignore=shutil.ignore_patterns("__pycache__"))
    static = apps / package / "static"
    (static / ".env").write_bytes(b"SECRET_KEY=dotfile\n")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"TOP SECRET outside the root\n")
    (static / "link-out.txt").symlink_to(outside / "secret.txt")
    subprocess.run([str(BIN / "pinknoise"), "compress", "-q", str(static)], check=True)
    return apps


@pytest.fixture(scope="module", params=SITE_APPS, ids=[app.name for app in SITE_APPS])
def deployed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployed]:
    app: SiteApp = request.param
    base = tmp_path_factory.mktemp(app.name)
    apps = deploy(app.package, base)
    elsewhere = base / "elsewhere"  # the working directory: nothing of the app is here
    elsewhere.mkdir()
    port = free_port()
    env = {"PYTHONPATH": f"{apps}{os.pathsep}{REPO}"}
    argv = _site_argv(app, port, elsewhere)
    with run_server(argv, port, base / "server.log", env=env) as server:
        yield Deployed(app, server, apps / app.package / "static")
        assert "Traceback" not in server.log_text()


def _static_links(page: bytes) -> list[str]:
    """The paths of a page's stylesheet and script (Starlette's url_for gives full URLs)."""
    links = re.findall(rb'<(?:link rel="stylesheet" href|script src)="([^"]*)"', page)
    return [urlsplit(link.decode()).path for link in links]


def test_templates_build_static_urls_that_are_served(deployed: Deployed) -> None:
    home = deployed.server.request("GET", "/")
    assert home.status == 200, home.body[:2000]
    links = _static_links(home.body)
    assert links == ["/static/css/site.css", "/static/js/site.js"]
    for link in links:
        relative = link.removeprefix("/static/")
        got = deployed.server.request("GET", link, {"Accept-Encoding": BROWSER_AE})
        assert got.status == 200, link
        assert got.header("Content-Encoding") == "br", link
        assert got.body == (deployed.static / f"{relative}.br").read_bytes()
        assert brotli.decompress(got.body) == (deployed.static / relative).read_bytes()


def test_static_revalidation_answers_304(deployed: Deployed) -> None:
    first = deployed.server.request("GET", "/static/css/site.css")
    etag = first.header("ETag")
    assert first.status == 200
    assert etag is not None
    again = deployed.server.request("GET", "/static/css/site.css", {"If-None-Match": etag})
    assert (again.status, again.body) == (304, b"")


@pytest.mark.parametrize(
    "path", ["/static/.env", "/static/link-out.txt", "/static/missing.css", "/static/css/", "/nope"]
)
def test_a_miss_gets_the_apps_own_404_page(deployed: Deployed, path: str) -> None:
    result = deployed.server.request("GET", path)
    assert result.status == 404
    assert NOT_FOUND_PAGE in result.body, result.body[:2000]
    # The 404 page is a template too: its static links are built and served.
    assert _static_links(result.body) == ["/static/css/site.css", "/static/js/site.js"]
    for secret in SECRETS:
        assert secret not in result.body


def test_site_routes_still_work(deployed: Deployed) -> None:
    deployed.app.check_routes(deployed.server)


# The helpers' edges, in process unless a server is the point.


def test_flask_serve_static_needs_the_apps_static_folder() -> None:
    from flask import Flask

    import pinknoise.flask

    with pytest.raises(ValueError, match="static_folder=None"):
        pinknoise.flask.serve_static(Flask("nostatic", static_folder=None))


def test_flask_serve_static_follows_static_url_path(tmp_path: Path) -> None:
    from flask import Flask, url_for

    import pinknoise.flask

    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app.css").write_bytes(b"body { color: pink }\n")
    (tmp_path / "assets" / ".env").write_bytes(b"SECRET_KEY=dotfile\n")
    app = Flask("assets_app", root_path=str(tmp_path), static_folder="assets",
                static_url_path="/assets")  # fmt: skip
    pinknoise.flask.serve_static(app, max_age=60)
    with app.test_request_context():
        assert url_for("static", filename="app.css") == "/assets/app.css"
    client = app.test_client()
    hit = client.get("/assets/app.css")
    assert (hit.status_code, hit.data) == (200, b"body { color: pink }\n")
    assert hit.headers["Cache-Control"] == "max-age=60, public"  # pinknoise's, not Flask's
    refused = client.get("/assets/.env")
    assert refused.status_code == 404
    assert b"SECRET_KEY" not in refused.data


def test_starlette_serve_static_refuses_a_second_static_route(tmp_path: Path) -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    from pinknoise.starlette import serve_static

    app = Starlette(routes=[Mount("/static", StaticFiles(directory=tmp_path), name="static")])
    with pytest.raises(ValueError, match="StaticFiles"):
        serve_static(app, directory=tmp_path)


def test_pink_static_outside_starlette_answers_404_itself(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "app.css").write_bytes(b"body { color: pink }\n")
    (tmp_path / "bare.py").write_text(
        "from pinknoise.starlette import PinkStatic\n"
        f"app = PinkStatic(directory={str(tmp_path / 'static')!r})\n"
    )
    port = free_port()
    argv = [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", str(port),
            "--app-dir", str(tmp_path), "bare:app"]  # fmt: skip
    with run_server(argv, port, tmp_path / "server.log") as server:
        assert server.request("GET", "/app.css").body == b"body { color: pink }\n"
        missing = server.request("GET", "/missing.css")
        assert (missing.status, missing.body) == (404, b"Not Found")
        log = server.log_text()
    assert "Traceback" not in log
    assert "lifespan" not in log.lower()  # answered, not reported unsupported


def test_flask_serve_static_covers_blueprint_static_folders(tmp_path: Path) -> None:
    from flask import Blueprint, Flask, render_template_string

    import pinknoise.flask

    for folder in ("static", "admin_static"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "app.css").write_bytes(f"/* {folder} */\n".encode())
        (tmp_path / folder / ".env").write_bytes(b"SECRET_KEY=dotfile\n")
    app = Flask("with_blueprint", root_path=str(tmp_path))
    admin = Blueprint("admin", "with_blueprint", root_path=str(tmp_path),
                      static_folder="admin_static", static_url_path="/assets")  # fmt: skip
    app.register_blueprint(admin, url_prefix="/admin")
    pinknoise.flask.serve_static(app, max_age=60)
    with app.test_request_context():
        links = render_template_string(
            "{{ url_for('static', filename='app.css') }} "
            "{{ url_for('admin.static', filename='app.css') }}"
        )
    assert links == "/static/app.css /admin/assets/app.css"
    client = app.test_client()
    for link, body in zip(links.split(), (b"/* static */\n", b"/* admin_static */\n"), strict=True):
        hit = client.get(link)
        assert (hit.status_code, hit.data) == (200, body)
        assert hit.headers["Cache-Control"] == "max-age=60, public"  # pinknoise's, not Flask's
        refused = client.get(link.replace("app.css", ".env"))
        assert refused.status_code == 404, link
        assert b"SECRET_KEY" not in refused.data


def test_starlette_serve_static_hits_never_enter_the_app(tmp_path: Path) -> None:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.testclient import TestClient

    from pinknoise.starlette import serve_static

    async def mark(request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers["X-Through-App"] = "yes"
        return response

    (tmp_path / "app.css").write_bytes(b"body { color: pink }\n")
    app = Starlette(middleware=[Middleware(BaseHTTPMiddleware, dispatch=mark)])
    client = TestClient(serve_static(app, directory=tmp_path))
    hit = client.get("/static/app.css")
    assert (hit.status_code, hit.content) == (200, b"body { color: pink }\n")
    assert "X-Through-App" not in hit.headers
    miss = client.get("/static/missing.css")
    assert (miss.status_code, miss.headers.get("X-Through-App")) == (404, "yes")
