"""Each framework's one line, in a real app under a real server: hashed URLs with SRI.

examples/assets_site/ is deployed as a user would (copied, built), run by gunicorn
(Flask), uvicorn (Starlette, mounted) and granian (FastAPI, wrapped) from an unrelated
working directory; its page must link to the hashed files with their integrity, and
those URLs must be served, immutable, with exactly the bytes the integrity is of. In
dev mode the same page links to the source files, without integrity.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pinknoise.assets import AssetNotFoundError, Assets
from pinknoise.core.asset_manifest import AssetManifest, read_manifest
from tests.support.assets import EXAMPLE_SERVERS, build, deploy_example, example_argv, sri
from tests.support.servers import REPO, Server, free_port, run_server
from tests.support.site import write

IMMUTABLE = "max-age=31536000, public, immutable"
TAG = re.compile(rb"<(link|script|img)\b([^>]*)>")
ATTRIBUTE = re.compile(rb'([a-z-]+)(?:="([^"]*)")?')


@dataclass(frozen=True)
class Running:
    server: Server
    site: Path
    manifest: AssetManifest | None


def _tags(page: bytes) -> dict[str, dict[str, str]]:
    """The page's link, script and img elements: element name -> its attributes."""
    return {
        element.decode(): {
            name.decode(): value.decode() for name, value in ATTRIBUTE.findall(attributes)
        }
        for element, attributes in TAG.findall(page)
    }


def _run(framework: str, base: Path, *, dev: bool) -> Iterator[Running]:
    apps = deploy_example(base, built=not dev)
    site = apps / "assets_site"
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    port = free_port()
    env = {"PYTHONPATH": f"{apps}:{REPO}"}
    if dev:
        env.update(FLASK_DEBUG="1", DEBUG="1")
    argv = example_argv(framework, port, elsewhere)
    with run_server(argv, port, base / "server.log", env=env) as server:
        yield Running(server, site, read_manifest(site / "build") if not dev else None)
        log = server.log_text()
    assert "Traceback" not in log, log[-3000:]


@pytest.fixture(scope="module", params=sorted(EXAMPLE_SERVERS))
def built_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Running]:
    yield from _run(request.param, tmp_path_factory.mktemp(request.param), dev=False)


@pytest.mark.server
def test_the_page_links_hashed_files_with_their_integrity(built_site: Running) -> None:
    manifest = built_site.manifest
    assert manifest is not None
    page = built_site.server.request("GET", "/")
    assert page.status == 200, page.body[:2000]
    tags = _tags(page.body)
    expected = {
        "link": ("href", "css/site.css"),
        "script": ("src", "js/site.js"),
        "img": ("src", "img/logo.svg"),  # url_for('static', ...), no integrity
    }
    for element, (attribute, logical) in expected.items():
        asset = manifest.assets[logical]
        url = urlsplit(tags[element][attribute]).path  # Starlette's url_for is absolute
        assert url == f"/static/{asset.path}", element
        served = built_site.server.request("GET", url)
        assert served.status == 200, url
        assert served.header("Cache-Control") == IMMUTABLE, url
        assert served.body == (built_site.site / "build" / asset.path).read_bytes()
        if element != "img":
            assert tags[element]["integrity"] == asset.integrity == sri(served.body)
            assert tags[element]["crossorigin"] == "anonymous"
    assert tags["script"]["type"] == "module"


@pytest.mark.server
@pytest.mark.parametrize("framework", sorted(EXAMPLE_SERVERS))
def test_dev_mode_links_the_source_files(framework: str, tmp_path: Path) -> None:
    for running in _run(framework, tmp_path, dev=True):
        assert not (running.site / "build").exists()
        tags = _tags(running.server.request("GET", "/").body)
        assert urlsplit(tags["link"]["href"]).path == "/static/css/site.css"
        assert urlsplit(tags["script"]["src"]).path == "/static/js/site.js"
        assert urlsplit(tags["img"]["src"]).path == "/static/img/logo.svg"
        assert "integrity" not in tags["link"]
        assert "integrity" not in tags["script"]
        css = running.server.request("GET", "/static/css/site.css")
        assert css.body == (running.site / "static" / "css" / "site.css").read_bytes()


# In process: the edges of each framework's glue.


def _flask_app(tmp_path: Path, assets: Assets, url_path: str = "/static") -> object:
    from flask import Flask

    import pinknoise.flask

    (tmp_path / "static").mkdir(parents=True, exist_ok=True)
    app = Flask("flask_assets", root_path=str(tmp_path), static_url_path=url_path)
    pinknoise.flask.serve_static(app, assets=assets)
    return app


@pytest.fixture
def out(tmp_path: Path) -> Path:
    write(tmp_path / "src", "css/app.css", b"body { color: pink }\n")
    write(tmp_path / "src", "robots.txt", b"User-agent: *\n")
    build(tmp_path / "src", tmp_path / "out")
    return tmp_path / "out"


def test_flask_url_for_a_name_not_built_is_loud(tmp_path: Path, out: Path) -> None:
    from flask import Flask, url_for

    app = _flask_app(tmp_path, Assets(out))
    assert isinstance(app, Flask)
    with app.test_request_context():
        hashed = Assets(out).path("css/app.css")
        assert url_for("static", filename="css/app.css") == f"/static/{hashed}"
        assert url_for("static", filename="css/app.css", v="2") == f"/static/{hashed}?v=2"
        with pytest.raises(AssetNotFoundError, match=re.escape("css/ap.css")):
            url_for("static", filename="css/ap.css")
    client = app.test_client()
    assert client.get(f"/static/{hashed}").headers["Cache-Control"] == IMMUTABLE
    # The source name is not served from the build: only hashed names are there.
    assert client.get("/static/css/app.css").status_code == 404


def test_flask_refuses_assets_for_another_url(tmp_path: Path, out: Path) -> None:
    with pytest.raises(ValueError, match="prefix='/assets/'"):
        _flask_app(tmp_path, Assets(out), url_path="/assets")
    # Under a script root, or on a CDN, the prefix is longer or elsewhere: accepted.
    _flask_app(tmp_path / "a", Assets(out, prefix="/app/assets/"), url_path="/assets")
    _flask_app(tmp_path / "b", Assets(out, prefix="https://cdn.example/x/"), url_path="/assets")


def test_starlette_url_for_other_routes_is_unchanged(out: Path) -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Mount, Route
    from starlette.templating import Jinja2Templates
    from starlette.testclient import TestClient

    from pinknoise.starlette import PinkStatic, use_assets

    assets = Assets(out)
    templates = Jinja2Templates(directory=str(out))  # templates from strings below
    use_assets(templates, assets)
    source = (
        "{{ url_for('static', path='/css/app.css') }} {{ url_for('item', id=7) }} "
        "{{ url_for('static', path='robots.txt') }}"
    )

    async def page(request: Request) -> Response:
        body = templates.env.from_string(source).render(request=request)
        return Response(body)

    async def item(request: Request) -> Response:
        return Response("")

    async def typo(request: Request) -> Response:
        return Response(
            templates.env.from_string("{{ url_for('static', path='x.css') }}").render(
                request=request
            )
        )

    app = Starlette(routes=[
        Route("/", page), Route("/items/{id}", item, name="item"), Route("/typo", typo),
        Mount("/static", app=PinkStatic(directory=assets.root), name="static"),
    ])  # fmt: skip
    client = TestClient(app, raise_server_exceptions=True)
    css, robots = assets.path("css/app.css"), assets.path("robots.txt")
    assert client.get("/").text == (
        f"http://testserver/static/{css} http://testserver/items/7 "
        f"http://testserver/static/{robots}"
    )
    with pytest.raises(AssetNotFoundError, match=re.escape("'x.css' is not in")):
        client.get("/typo")
