"""The example site in a real browser: Debian's headless Chromium driven by Playwright.

Against gunicorn (WSGI) and uvicorn (ASGI): the stylesheet applied (a computed style),
the script ran, the web font loaded (``document.fonts``), and every stylesheet and
script that has a brotli variant on disk arrived ``Content-Encoding: br``. Both the
demo page and the admin login page (Django's own static files).

Chromium is a system package (scripts/system-deps.sh installs it for ``make test``).
Without it the tests skip, except under CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.servers import Server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.server


def _require_chromium() -> None:
    if os.path.exists(CHROMIUM) and shutil.which("chromium"):
        return
    reason = f"{CHROMIUM} is missing: run scripts/system-deps.sh (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(params=["gunicorn", "uvicorn"])
def server(request: pytest.FixtureRequest) -> Server:
    fixture: Server = request.getfixturevalue(f"{request.param}_site")
    return fixture


class Visit:
    """One page load, with every response the browser received for it."""

    def __init__(self, browser: Any, url: str) -> None:
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.responses: list[Any] = []
        self.page.on("response", lambda response: self.responses.append(response))
        self.failed: list[str] = []
        self.page.on("requestfailed", lambda request: self.failed.append(request.url))
        self.main = self.page.goto(url, wait_until="load")

    def evaluate(self, script: str) -> Any:
        return self.page.evaluate(script)

    def static_responses(self, *suffixes: str) -> list[Any]:
        return [r for r in self.responses if "/static/" in r.url and r.url.endswith(suffixes)]

    def close(self) -> None:
        self.context.close()


def _check_brotli(visit: Visit, static_root: Path) -> list[str]:
    """Every CSS/JS response that has a .br on disk came brotli encoded; returns paths."""
    checked = []
    for response in visit.static_responses(".css", ".js"):
        assert response.status == 200, response.url
        relative = response.url.split("/static/", 1)[1]
        if (static_root / (relative + ".br")).exists():
            assert response.header_value("content-encoding") == "br", response.url
            checked.append(relative)
    return checked


def test_demo_page(browser: Any, server: Server, site_static_root: Path) -> None:
    visit = Visit(browser, f"http://127.0.0.1:{server.port}/")
    try:
        assert visit.main.status == 200
        assert visit.failed == []
        # The stylesheet applied.
        color = visit.evaluate("getComputedStyle(document.querySelector('h1')).color")
        assert color == "rgb(214, 51, 132)"
        # The script ran.
        assert visit.evaluate("document.documentElement.dataset.script") == "ran"
        assert visit.evaluate("document.getElementById('status').textContent") == (
            "The script ran."
        )
        # The font loaded, from our woff2.
        fonts = visit.evaluate(
            "document.fonts.ready.then(() => Array.from(document.fonts)"
            ".map(f => [f.family.replace(/\"/g, ''), f.status]))"
        )
        assert ["PinkNoise Demo Sans", "loaded"] in fonts
        assert visit.evaluate("document.fonts.check('16px \"PinkNoise Demo Sans\"')") is True
        (font,) = visit.static_responses(".woff2")
        assert font.status == 200
        assert font.header_value("content-type") == "font/woff2"
        # CSS and JS came brotli encoded.
        brotli_paths = _check_brotli(visit, site_static_root)
        manifest = json.loads((site_static_root / "staticfiles.json").read_text())["paths"]
        assert {manifest["pages/site.css"], manifest["pages/site.js"]} <= set(brotli_paths)
    finally:
        visit.close()


def test_admin_login_page(browser: Any, server: Server, site_static_root: Path) -> None:
    visit = Visit(browser, f"http://127.0.0.1:{server.port}/admin/login/")
    try:
        assert visit.main.status == 200
        assert visit.failed == []
        # admin/css/base.css styles the header; admin/js/theme.js sets data-theme.
        header_bg = visit.evaluate(
            "getComputedStyle(document.getElementById('header')).backgroundColor"
        )
        assert header_bg == "rgb(65, 118, 144)"
        assert visit.evaluate("document.documentElement.dataset.theme") == "auto"
        brotli_paths = _check_brotli(visit, site_static_root)
        manifest = json.loads((site_static_root / "staticfiles.json").read_text())["paths"]
        assert {manifest["admin/css/base.css"], manifest["admin/js/theme.js"]} <= set(brotli_paths)
    finally:
        visit.close()


@pytest.mark.parametrize(("ci", "outcome"), [("true", "failed"), ("", "skipped")])
def test_missing_chromium_fails_under_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: str
) -> None:
    monkeypatch.setattr(os.path, "exists", lambda path: False)
    monkeypatch.setenv("CI", ci)
    expected = pytest.fail.Exception if outcome == "failed" else pytest.skip.Exception
    with pytest.raises(expected, match=r"/usr/bin/chromium is missing"):
        _require_chromium()
