"""Chromium enforces the integrity the helpers write: built files apply, tampered ones don't.

The example site (examples/assets_site/) is deployed and built, run by a real server,
and loaded in headless Chromium. Its stylesheet colours the heading and its module
script marks the page: both must apply. Then the built CSS is changed on disk keeping
its length and the JS is changed with another length; the server (restarted, so it
serves what is on disk now) sends the new bytes, and the browser must refuse both,
saying so on the console, leaving the heading uncoloured and the script unrun.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pinknoise.core.asset_manifest import read_manifest
from tests.support.assets import deploy_example, example_argv
from tests.support.servers import REPO, free_port, run_server
from tests.test_dictionary_browser import CHROMIUM, CHROMIUM_ARGS, _require_chromium

pytestmark = pytest.mark.server
STYLED = "rgb(1, 2, 3)"  # h1's colour in static/css/site.css


def _load(browser: Any, port: int) -> dict[str, Any]:
    """Load the page in a fresh context (no cache): what applied, what the console said."""
    context = browser.new_context()
    try:
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.goto(f"http://127.0.0.1:{port}/", wait_until="load")
        state: dict[str, Any] = page.evaluate(
            """() => ({
                color: getComputedStyle(document.querySelector("h1")).color,
                script: document.documentElement.dataset.script || null,
                logo: document.getElementById("logo").naturalWidth,
            })"""
        )
        state["console"] = console
        return state
    finally:
        context.close()


@pytest.mark.parametrize("framework", ["flask", "fastapi"])
def test_chromium_applies_built_files_and_refuses_tampered_ones(
    framework: str, tmp_path: Path
) -> None:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    apps = deploy_example(tmp_path)
    site = apps / "assets_site"
    manifest = read_manifest(site / "build")
    assert manifest is not None
    css = site / "build" / manifest.assets["css/site.css"].path
    js = site / "build" / manifest.assets["js/site.js"].path
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PYTHONPATH": f"{apps}:{REPO}"}
    port = free_port()
    argv = example_argv(framework, port, elsewhere)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            with run_server(argv, port, tmp_path / "built.log", env=env):
                built = _load(browser, port)
            original_size = css.stat().st_size
            css.write_bytes(css.read_bytes().replace(b"rgb(1, 2, 3)", b"rgb(9, 2, 3)"))
            assert css.stat().st_size == original_size  # same length, other bytes
            js.write_bytes(js.read_bytes() + b'document.title = "tampered";\n')
            with run_server(argv, port, tmp_path / "tampered.log", env=env) as server:
                served = server.request("GET", f"/static/{manifest.assets['css/site.css'].path}")
                assert b"rgb(9, 2, 3)" in served.body  # the browser is sent the new bytes
                tampered = _load(browser, port)
        finally:
            browser.close()

    assert built["color"] == STYLED, built
    assert built["script"] == "ran", built
    assert built["logo"] == 32, built  # url_for('static', ...) -> hashed, served
    assert not [line for line in built["console"] if "integrity" in line], built

    assert tampered["color"] != STYLED, tampered
    assert tampered["script"] is None, tampered
    refusals = [line for line in tampered["console"] if "integrity" in line]
    for path in (css, js):
        assert any(path.name in line and "blocked" in line for line in refusals), (
            path.name,
            tampered["console"],
        )
