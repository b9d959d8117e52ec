"""``Assets``: hashed URLs, integrity and tags from a build's manifest; dev mode."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from markupsafe import Markup

from pinknoise.assets import AssetNotFoundError, Assets, NotBuiltError, install
from pinknoise.core.asset_manifest import MANIFEST_NAME, AssetManifest, ManifestError
from tests.support.assets import build, sri
from tests.support.site import write

CSS = b"body { color: rgb(1, 2, 3) }\n"
JS = b"document.body.dataset.ran = 'yes';\n"


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, AssetManifest]:
    src, out = tmp_path / "src", tmp_path / "out"
    write(src, "css/app.css", CSS)
    write(src, "js/app.js", JS)
    write(src, "img/a b&c.png", b"\x89PNG")
    write(src, ".env", b"SECRET_KEY=dotfile\n")
    return src, out, build(src, out)


def test_url_and_integrity_come_from_the_manifest(built: tuple[Path, Path, AssetManifest]) -> None:
    _, out, manifest = built
    assets = Assets(out)
    hashed = manifest.assets["css/app.css"].path
    assert hashed != "css/app.css"
    assert (out / hashed).read_bytes() == CSS
    assert assets.path("css/app.css") == hashed
    assert assets.url("css/app.css") == f"/static/{hashed}"
    assert assets.integrity("css/app.css") == sri(CSS)


def test_prefix_is_the_builds_unless_given(tmp_path: Path) -> None:
    write(tmp_path / "src", "app.css", CSS)
    manifest = build(tmp_path / "src", tmp_path / "out", prefix="/assets/")
    hashed = manifest.assets["app.css"].path
    assert Assets(tmp_path / "out").url("app.css") == f"/assets/{hashed}"
    cdn = Assets(tmp_path / "out", prefix="https://cdn.example.com/s")
    assert cdn.url("app.css") == f"https://cdn.example.com/s/{hashed}"


def test_urls_are_percent_encoded(built: tuple[Path, Path, AssetManifest]) -> None:
    _, out, manifest = built
    hashed = manifest.assets["img/a b&c.png"].path
    assert Assets(out).url("img/a b&c.png") == "/static/" + hashed.replace(" ", "%20")


def test_tags_carry_integrity_and_crossorigin(built: tuple[Path, Path, AssetManifest]) -> None:
    _, out, manifest = built
    assets = Assets(out)
    css, js = manifest.assets["css/app.css"], manifest.assets["js/app.js"]
    link = assets.tag("css/app.css")
    assert link == (
        f'<link rel="stylesheet" href="/static/{css.path}" integrity="{css.integrity}" '
        'crossorigin="anonymous">'
    )
    assert isinstance(link, Markup)  # Jinja's autoescape leaves it as it is
    assert assets.tag("js/app.js", type="module", defer=True, async_=False) == (
        f'<script src="/static/{js.path}" integrity="{js.integrity}" crossorigin="anonymous" '
        'type="module" defer></script>'
    )


def test_tag_attributes_are_escaped(built: tuple[Path, Path, AssetManifest]) -> None:
    _, out, _ = built
    assets = Assets(out)
    tag = assets.tag("js/app.js", data_title='"><script>alert(1)</script>', class_="a&b")
    assert 'data-title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in tag
    assert 'class="a&amp;b"' in tag
    assert tag.count("<script") == 1
    # Defaults can be overridden, not duplicated.
    link = assets.tag("css/app.css", crossorigin="use-credentials")
    assert link.count("crossorigin") == 1
    assert 'crossorigin="use-credentials"' in link
    for bad in ({"on x": "1"}, {"a>b": "1"}, {"_": "1"}):
        with pytest.raises(ValueError, match="attribute name"):
            assets.tag("css/app.css", **bad)


def test_a_tag_is_for_css_and_js_only(built: tuple[Path, Path, AssetManifest]) -> None:
    _, out, _ = built
    with pytest.raises(ValueError, match=re.escape("not 'img/a b&c.png'")):
        Assets(out).tag("img/a b&c.png")


def test_a_name_not_built_is_a_loud_error(built: tuple[Path, Path, AssetManifest]) -> None:
    _, out, _ = built
    assets = Assets(out)
    for call in (assets.url, assets.integrity, assets.tag, assets.path):
        with pytest.raises(AssetNotFoundError) as raised:
            call("css/ap.css")
        message = str(raised.value)
        assert "'css/ap.css' is not in" in message
        assert str(out / MANIFEST_NAME) in message
        assert "Did you mean 'css/app.css'?" in message
    assert isinstance(raised.value, KeyError)
    # Source files the build leaves out are not there either.
    with pytest.raises(AssetNotFoundError):
        assets.url(".env")


def test_an_unbuilt_root_is_a_clear_error(built: tuple[Path, Path, AssetManifest]) -> None:
    src, _, _ = built
    with pytest.raises(NotBuiltError) as raised:
        Assets(src)
    message = str(raised.value)
    assert str(src / MANIFEST_NAME) in message
    assert "pinknoise build" in message
    assert "dev=True" in message
    assert isinstance(raised.value, FileNotFoundError)


def test_an_unusable_manifest_is_a_clear_error(built: tuple[Path, Path, AssetManifest]) -> None:
    _, out, _ = built
    (out / MANIFEST_NAME).write_bytes(b"{not json")
    with pytest.raises(ManifestError, match=str(out / MANIFEST_NAME)):
        Assets(out)


def test_the_manifest_is_read_once(built: tuple[Path, Path, AssetManifest]) -> None:
    # Like the server's catalog: a new build is seen by a restart, not mid-flight.
    _, out, manifest = built
    assets = Assets(out)
    (out / MANIFEST_NAME).unlink()
    assert assets.url("css/app.css") == "/static/" + manifest.assets["css/app.css"].path


def test_dev_mode_maps_to_source_names(built: tuple[Path, Path, AssetManifest]) -> None:
    src, _, _ = built
    assets = Assets(src, dev=True)
    assert assets.manifest is None
    assert assets.url("css/app.css") == "/static/css/app.css"
    assert assets.integrity("css/app.css") is None
    assert assets.tag("css/app.css") == '<link rel="stylesheet" href="/static/css/app.css">'
    assert assets.tag("js/app.js", type="module") == (
        '<script src="/static/js/app.js" type="module"></script>'
    )
    # A file added while developing is there at once: nothing is cached.
    write(src, "css/new.css", CSS)
    assert assets.url("css/new.css") == "/static/css/new.css"
    assert not (src / MANIFEST_NAME).exists()  # and nothing was built


@pytest.mark.parametrize(
    "name", ["css/ap.css", "css", "css/", ".env", "../out/x", "", "/etc/passwd"]
)
def test_dev_mode_is_as_loud_about_typos(
    built: tuple[Path, Path, AssetManifest], name: str
) -> None:
    src, _, _ = built
    assets = Assets(src, dev=True)
    with pytest.raises(AssetNotFoundError, match="dev mode"):
        assets.url(name)
    with pytest.raises(AssetNotFoundError, match="dev mode"):
        assets.integrity(name)


def test_dev_mode_refuses_what_the_server_refuses(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(tmp_path, "outside.css", CSS)
    write(src, "ok.css", CSS)
    os.symlink(tmp_path / "outside.css", src / "link-out.css")
    assets = Assets(src, dev=True)
    assert assets.url("ok.css") == "/static/ok.css"
    with pytest.raises(AssetNotFoundError):
        assets.url("link-out.css")


def test_jinja_globals(built: tuple[Path, Path, AssetManifest]) -> None:
    from jinja2 import Environment

    _, out, manifest = built
    assets = Assets(out)
    environment = Environment(autoescape=True)
    install(environment, assets)
    page = environment.from_string(
        "{{ asset_tag('css/app.css') }}|{{ asset_url('js/app.js') }}|"
        "{{ asset_integrity('js/app.js') }}"
    ).render()
    js = manifest.assets["js/app.js"]
    assert page == f"{assets.tag('css/app.css')}|/static/{js.path}|{js.integrity}"
