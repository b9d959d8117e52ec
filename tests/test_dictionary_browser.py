"""A real browser takes a dcz delta: Chromium, pinknoise serve, a deploy in between."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from pinknoise.compress.deltas import write_deltas
from tests.support.servers import BIN, free_port, run_server
from tests.support.site import compress_all

pytestmark = pytest.mark.server
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
BASE = "".join(f"function f{i}(x) {{ return x * {i} + {i * i}; }}\n" for i in range(400))


def _require_chromium() -> None:
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed: scripts/system-deps.sh must install it")
        pytest.skip("chromium is not installed (make test installs it)")


def _deploy(site: Path, version: int, name: str, text: str) -> None:
    script = site / "js" / name
    script.write_text(f"{text}\nwindow.appVersion = {version};\n")
    compress_all(script, ("br", "gzip"))
    (site / "index.html").write_text(
        f'<!doctype html><title>dictionary</title><script src="/js/{name}"></script>'
    )


def test_chromium_receives_a_dcz_delta_after_a_deploy(tmp_path: Path) -> None:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    site = tmp_path / "site"
    (site / "js").mkdir(parents=True)
    _deploy(site, 1, "app.1111aaaa2222.js", BASE)
    port = free_port()
    argv = [str(BIN / "pinknoise"), "serve", str(site), "--port", str(port)]
    seen: list[dict[str, Any]] = []

    def record(response: Any) -> None:
        request_headers = response.request.all_headers()
        seen.append({
            "path": response.url.split(str(port), 1)[1], "status": response.status,
            "encoding": response.all_headers().get("content-encoding"),
            "dictionary": request_headers.get("available-dictionary"),
        })  # fmt: skip

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("response", record)
            with run_server(argv, port, tmp_path / "v1.log"):
                page.goto(f"http://localhost:{port}/")
                assert page.evaluate("window.appVersion") == 1
                time.sleep(2)  # Chromium stores the dictionary asynchronously
            # Deploy version 2: a new hash, a one-line edit, the delta against v1.
            _deploy(site, 2, "app.3333bbbb4444.js", BASE.replace("f10(x)", "f10(y)"))
            assert len(write_deltas(site).written) == 1
            with run_server(argv, port, tmp_path / "v2.log") as server:
                page.reload()
                assert page.evaluate("window.appVersion") == 2
                log = server.log_text()
        finally:
            browser.close()

    v1 = next(event for event in seen if event["path"] == "/js/app.1111aaaa2222.js")
    v2 = next(event for event in seen if event["path"] == "/js/app.3333bbbb4444.js")
    assert v1["encoding"] == "br"
    assert v2["dictionary"], "Chromium did not offer the v1 script as a dictionary"
    assert (v2["status"], v2["encoding"]) == (200, "dcz")
    assert '"GET /js/app.3333bbbb4444.js HTTP/1.1" 200' in log
