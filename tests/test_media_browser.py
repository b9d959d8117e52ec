"""Uploaded pages and SVGs never run script in the site's origin: headless Chromium.

An attacker uploads ``evil.html`` and ``evil.svg`` whose scripts try what stored XSS
does: set a cookie, write to localStorage, fetch a same-origin URL. A victim opens the
upload's URL directly. With default options the browser gets a sandboxed download;
with the types allow-listed inline the page renders, still sandboxed: either way no
script runs in the origin. A control page served as a static file (same script, no
media headers) proves the detection works: there the script does run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.frontends import MEDIA_PREFIX, PREFIX
from tests.support.servers import BIN, free_port, run_server
from tests.test_dictionary_browser import CHROMIUM, CHROMIUM_ARGS, _require_chromium

pytestmark = pytest.mark.server


def _attack(kind: str) -> str:
    """Script that leaves three traces in the origin if it runs, tagged with ``kind``."""
    return (
        f"document.cookie = 'owned_{kind}=1; path=/';"
        f"localStorage.setItem('owned_{kind}', '1');"
        f"fetch('/static/probe-{kind}');"
    )


def _write_uploads(media: Path) -> None:
    media.mkdir()
    (media / "evil.html").write_text(
        f"<!doctype html><title>evil</title><script>{_attack('html')}</script>"
    )
    (media / "evil.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        f"<script>{_attack('svg')}</script><rect width='10' height='10'/></svg>"
    )


@contextmanager
def _server(
    kind: str, static: Path, media: Path, log: Path, inline: tuple[str, ...] = ()
) -> Iterator[int]:
    """``serve``: pinknoise serve --media (default options); otherwise uvicorn over
    tests/apps/frontend_site with ``inline`` allow-listed."""
    port = free_port()
    if kind == "serve":
        argv = [str(BIN / "pinknoise"), "serve", str(static), "--prefix", PREFIX,
                "--port", str(port), "--media", f"{media}:{MEDIA_PREFIX}"]  # fmt: skip
        env: dict[str, str] = {}
    else:
        argv = [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", str(port),
                "tests.apps.frontend_site:asgi"]  # fmt: skip
        options = {"inline_types": list(inline)}
        config = {"root": str(static), "prefix": PREFIX, "options": {},
                  "media": {"root": str(media), "options": options}}  # fmt: skip
        env = {"PINKNOISE_TEST_CONFIG": json.dumps(config)}
    with run_server(argv, port, log, env=env):
        yield port


def _open(page: Any, url: str) -> str:
    """Open ``url`` as a victim would; "download" or "rendered"."""
    from playwright.sync_api import Error

    downloads: list[Any] = []
    page.once("download", lambda download: downloads.append(download))
    try:
        page.goto(url)
    except Error as error:  # Chromium aborts the navigation of an attachment
        if "Download is starting" not in str(error) and "ERR_ABORTED" not in str(error):
            raise
    page.wait_for_timeout(500)  # let any script that did start finish its work
    return "download" if downloads else "rendered"


@pytest.mark.parametrize("kind", ["serve", "uvicorn-inline"])
def test_uploaded_html_and_svg_never_run_script_in_the_origin(kind: str, tmp_path: Path) -> None:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    static, media = tmp_path / "static", tmp_path / "media"
    static.mkdir()
    (static / "index.html").write_text("<!doctype html><title>site</title>")
    (static / "control.html").write_text(
        f"<!doctype html><title>control</title><script>{_attack('control')}</script>"
    )
    _write_uploads(media)
    requested: list[str] = []
    inline = ("text/html", "image/svg+xml") if kind == "uvicorn-inline" else ()
    log = tmp_path / "server.log"
    with _server(kind, static, media, log, inline) as port, sync_playwright() as pw:
        origin = f"http://127.0.0.1:{port}"
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(accept_downloads=True)
            context.on("request", lambda request: requested.append(request.url))
            page = context.new_page()
            page.goto(f"{origin}/static/index.html")
            outcomes = {
                name: _open(page, f"{origin}/media/{name}") for name in ("evil.html", "evil.svg")
            }
            assert _open(page, f"{origin}/static/control.html") == "rendered"
            page.goto(f"{origin}/static/index.html")
            cookies = {cookie["name"] for cookie in context.cookies()}
            stored = page.evaluate("Object.keys(localStorage)")
        finally:
            browser.close()
    expected = "download" if kind == "serve" else "rendered"
    assert outcomes == {"evil.html": expected, "evil.svg": expected}
    # The control ran: the three traces are detectable ...
    assert "owned_control" in cookies
    assert "owned_control" in stored
    assert f"{origin}/static/probe-control" in requested
    # ... and the uploads left none.
    for upload in ("html", "svg"):
        assert f"owned_{upload}" not in cookies
        assert f"owned_{upload}" not in stored
        assert f"{origin}/static/probe-{upload}" not in requested


def _pdf(text: str) -> bytes:
    """A minimal valid one-page PDF showing ``text``."""
    stream = f"BT /F1 24 Tf 20 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@pytest.mark.parametrize("inline", [False, True], ids=["default", "allow-listed"])
def test_pdf_is_a_download_unless_allow_listed(inline: bool, tmp_path: Path) -> None:
    """PDF defaults to a download; allow-listed, Chromium's viewer shows it inline,
    sandbox and all (docs/media.md's reason the sandbox stays on allow-listed types)."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    static, media = tmp_path / "static", tmp_path / "media"
    static.mkdir()
    media.mkdir()
    (media / "invoice.pdf").write_bytes(_pdf("Invoice 42"))
    allowed = ("application/pdf",) if inline else ()
    log = tmp_path / "server.log"
    with _server("uvicorn", static, media, log, allowed) as port, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(accept_downloads=True).new_page()
            outcome = _open(page, f"http://127.0.0.1:{port}/media/invoice.pdf")
            viewer = [
                frame.url for frame in page.frames if frame.url.startswith("chrome-extension:")
            ]
        finally:
            browser.close()
    assert outcome == ("rendered" if inline else "download")
    assert bool(viewer) == inline  # Chromium's PDF viewer took the document
