"""User uploads (``add_media``) on every front end, with default options.

Uploads change while the server runs, so nothing is cached: each test writes, replaces
or deletes files after start-up and sees it at once. And uploads are hostile: every
response carries ``nosniff``, active types are sandboxed downloads, and nothing outside
the media root (or hidden in it) is ever served, in any spelling of the path.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.request_table import CASES
from tests.support.frontends import Frontend
from tests.support.site import build_site
from tests.support.wsgi_client import Result

NOSNIFF = ("X-Content-Type-Options", "nosniff")
SECRET = b"TOP SECRET"


def trees(tmp_path: Path) -> tuple[Path, Path]:
    """An empty static root and an empty upload directory."""
    static, media = tmp_path / "static", tmp_path / "media"
    static.mkdir()
    media.mkdir()
    return static, media


def upload(media: Path, name: str, data: bytes, age: float = 0.0) -> Path:
    """Write ``name`` as an upload would; ``age`` seconds in the past (distinct mtimes)."""
    path = media / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if age:
        stamp = time.time_ns() - int(age * 1e9)
        os.utime(path, ns=(stamp, stamp))
    return path


def assert_nosniff(result: Result) -> None:
    """Exactly one ``X-Content-Type-Options: nosniff`` (Django's SecurityMiddleware adds
    one too: through ``wrap()`` it must not be doubled)."""
    values = [v for k, v in result.headers if k.lower() == NOSNIFF[0].lower()]
    assert values == [NOSNIFF[1]], (result.status, result.headers)


def assert_missing(result: Result) -> None:
    assert result.status in (400, 404), (result.status, result.body[:200])
    assert SECRET not in result.body


def test_upload_after_start_is_served_replaced_and_deleted_at_once(
    frontend: Frontend, tmp_path: Path
) -> None:
    static, media = trees(tmp_path)
    with frontend.start(static, media=media) as fetch:
        assert_missing(fetch("GET", "/media/avatar.png", {}))
        upload(media, "avatars/avatar.png", b"\x89PNG first", age=5)
        first = fetch("GET", "/media/avatars/avatar.png", {})
        assert (first.status, first.body) == (200, b"\x89PNG first")
        assert first.header("Content-Type") == "image/png"
        assert first.header("Cache-Control") == "max-age=0"
        assert first.header("Content-Disposition") is None
        assert "immutable" not in (first.header("Cache-Control") or "")
        assert_nosniff(first)
        # Replaced under the same name (same size, too): new bytes, new validator.
        upload(media, "avatars/avatar.png", b"\x89PNG again")
        again = fetch("GET", "/media/avatars/avatar.png", {})
        assert (again.status, again.body) == (200, b"\x89PNG again")
        assert again.header("ETag") != first.header("ETag")
        stale = fetch(
            "GET", "/media/avatars/avatar.png", {"If-None-Match": first.header("ETag") or ""}
        )
        assert stale.status == 200
        (media / "avatars" / "avatar.png").unlink()
        assert_missing(fetch("GET", "/media/avatars/avatar.png", {}))


def test_conditionals_ranges_head_and_methods(frontend: Frontend, tmp_path: Path) -> None:
    static, media = trees(tmp_path)
    upload(media, "clip.mp4", bytes(range(256)) * 1024, age=60)  # 256 KiB: streamed
    upload(media, "note.txt", b"0123456789", age=60)  # small: read whole
    with frontend.start(static, media=media) as fetch:
        for target, size in (("/media/clip.mp4", 262144), ("/media/note.txt", 10)):
            whole = fetch("GET", target, {})
            assert whole.status == 200
            assert len(whole.body) == size
            assert whole.header("Accept-Ranges") == "bytes"
            etag, modified = whole.header("ETag") or "", whole.header("Last-Modified") or ""
            responses = {
                "etag 304": fetch("GET", target, {"If-None-Match": etag}),
                "date 304": fetch("GET", target, {"If-Modified-Since": modified}),
                "safari probe": fetch("GET", target, {"Range": "bytes=0-1"}),
                "middle": fetch("GET", target, {"Range": "bytes=5-8"}),
                "suffix": fetch("GET", target, {"Range": "bytes=-3"}),
                "416": fetch("GET", target, {"Range": f"bytes={size}-"}),
                "412": fetch("GET", target, {"If-Match": '"other"'}),
                "if-range stale": fetch(
                    "GET", target, {"Range": "bytes=0-1", "If-Range": '"other"'}
                ),
                "HEAD": fetch("HEAD", target, {}),
                "POST": fetch("POST", target, {}),
                "DELETE": fetch("DELETE", target, {}),
            }
            for name, result in responses.items():
                assert_nosniff(result)
                assert result.header("ETag") in (etag, None), name
            data = whole.body
            assert responses["etag 304"].status == 304
            assert responses["etag 304"].body == b""
            assert responses["date 304"].status == 304
            probe = responses["safari probe"]
            assert (probe.status, probe.body) == (206, data[:2])
            assert probe.header("Content-Range") == f"bytes 0-1/{size}"
            assert (responses["middle"].status, responses["middle"].body) == (206, data[5:9])
            assert responses["suffix"].body == data[-3:]
            assert responses["416"].status == 416
            assert responses["412"].status == 412
            assert responses["if-range stale"].status == 200
            assert responses["if-range stale"].body == data
            head = responses["HEAD"]
            assert (head.status, head.body) == (200, b"")
            assert head.header("Content-Length") == str(size)
            for method in ("POST", "DELETE"):
                assert responses[method].status == 405
                assert responses[method].header("Allow") == "GET, HEAD"


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("page.html", "text/html; charset=utf-8"),
        ("page.htm", "text/html; charset=utf-8"),
        ("drawing.svg", "image/svg+xml; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("feed.xml", "application/xml; charset=utf-8"),
        ("report.pdf", "application/pdf"),
    ],
)
def test_active_types_are_sandboxed_downloads(
    frontend: Frontend, tmp_path: Path, name: str, content_type: str
) -> None:
    static, media = trees(tmp_path)
    upload(media, name, b"<script>document.cookie='owned=1'</script>")
    with frontend.start(static, media=media) as fetch:
        result = fetch("GET", f"/media/{name}", {})
        assert result.status == 200
        assert result.header("Content-Type") == content_type
        assert result.header("Content-Disposition") == f'attachment; filename="{name}"'
        assert result.header("Content-Security-Policy") == "sandbox"
        assert_nosniff(result)
        revalidated = fetch("GET", f"/media/{name}", {"If-None-Match": result.header("ETag") or ""})
        assert revalidated.status == 304
        assert revalidated.header("Content-Security-Policy") == "sandbox"


def test_passive_types_are_inline_and_names_are_encoded(frontend: Frontend, tmp_path: Path) -> None:
    static, media = trees(tmp_path)
    upload(media, "photo.jpg", b"\xff\xd8\xff jpeg")
    upload(media, "notes.txt", b"plain")
    upload(media, 'r\u00e9sum\u00e9 "final".html', b"<p>cv</p>")
    with frontend.start(static, media=media) as fetch:
        for target, content_type in (
            ("/media/photo.jpg", "image/jpeg"),
            ("/media/notes.txt", "text/plain; charset=utf-8"),
        ):
            result = fetch("GET", target, {})
            assert result.header("Content-Type") == content_type
            assert result.header("Content-Disposition") is None
            assert result.header("Content-Security-Policy") is None
            assert_nosniff(result)
        result = fetch("GET", "/media/r%C3%A9sum%C3%A9%20%22final%22.html", {})
        assert result.status == 200
        assert result.header("Content-Disposition") == (
            'attachment; filename="r_sum_ _final_.html"; '
            "filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.html"
        )


def test_inline_allow_list_keeps_the_sandbox(frontend: Frontend, tmp_path: Path) -> None:
    static, media = trees(tmp_path)
    upload(media, "logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    upload(media, "page.html", b"<p>hi</p>")
    options = {"inline_types": ["image/svg+xml"]}
    with frontend.start(static, media=media, media_options=options) as fetch:
        svg = fetch("GET", "/media/logo.svg", {})
        assert svg.status == 200
        assert svg.header("Content-Disposition") is None
        assert svg.header("Content-Security-Policy") == "sandbox"
        html = fetch("GET", "/media/page.html", {})
        assert html.header("Content-Disposition") == 'attachment; filename="page.html"'


def test_hidden_special_and_outside_files_are_refused(frontend: Frontend, tmp_path: Path) -> None:
    static, media = trees(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    upload(media, ".env", SECRET)
    upload(media, "docs/.hidden.txt", SECRET)
    upload(media, "docs/readme.txt", b"public")
    (media / "link-out.txt").symlink_to(outside / "secret.txt")
    (media / "dir-out").symlink_to(outside, target_is_directory=True)
    (media / "loop").symlink_to(media, target_is_directory=True)
    (media / "link-in.txt").symlink_to(media / "docs" / "readme.txt")
    os.mkfifo(media / "pipe.txt")
    with frontend.start(static, media=media) as fetch:
        for target in (
            "/media/.env",
            "/media/docs/.hidden.txt",
            "/media/link-out.txt",
            "/media/dir-out/secret.txt",
            "/media/pipe.txt",
            "/media/docs",
            "/media/docs/",
            "/media/",
            "/media",
        ):
            assert_missing(fetch("GET", target, {}))
        assert fetch("GET", "/media/link-in.txt", {}).body == b"public"  # stays inside
        assert_missing(fetch("GET", "/media/loop/docs/readme.txt", {}))  # a loop


#: The request table's traversal and must-never-serve forms, spelled under /media/.
REFUSED = [case for case in CASES if case.app and case.target.startswith("/static/")]


def test_every_traversal_form_is_refused(frontend: Frontend, tmp_path: Path) -> None:
    """The conformance table's refusals, against a media root holding its whole tree."""
    static = tmp_path / "static"
    static.mkdir()
    site = build_site(tmp_path / "media")
    (site.outside / "secret.txt").write_bytes(SECRET)
    assert len(REFUSED) > 20
    with frontend.start(static, media=site.root) as fetch:
        for case in REFUSED:
            if frontend.over_http and not case.wire:
                continue
            target = "/media/" + case.target.removeprefix("/static/")
            result = fetch(case.method, target, case.headers)
            assert result.status in (400, 404), (case.name, result.status)
            assert SECRET not in result.body, case.name
        assert fetch("GET", "/media/css/app.css", {}).status == 200  # the tree is served


def test_authorize_hook_gates_private_media(frontend: Frontend, tmp_path: Path) -> None:
    """No means 404 (not 403), the same whether the file exists: nothing is revealed."""
    static, media = trees(tmp_path)
    upload(media, "invoices/42.pdf", b"%PDF private")
    options = {"authorize": "tests.apps.media_hooks:allow_signed"}
    with frontend.start(static, media=media, media_options=options) as fetch:
        denied = fetch("GET", "/media/invoices/42.pdf", {})
        absent = fetch("GET", "/media/invoices/43.pdf", {})
        for result in (denied, absent):
            assert result.status == 404
            assert result.body == b""
            assert result.header("Cache-Control") == "no-store"
            assert_nosniff(result)
        assert fetch("GET", "/media/invoices/42.pdf?sig=bad", {}).status == 404
        signed = fetch("GET", "/media/invoices/42.pdf?sig=good", {})
        assert (signed.status, signed.body) == (200, b"%PDF private")
        assert signed.header("Cache-Control") == "private, max-age=0"
        by_cookie = fetch("GET", "/media/invoices/42.pdf", {"Cookie": "a=1; session=good"})
        assert by_cookie.status == 200
        assert fetch("GET", "/media/invoices/43.pdf?sig=good", {}).status == 404


def test_a_failing_authorize_hook_refuses(frontend: Frontend, tmp_path: Path) -> None:
    static, media = trees(tmp_path)
    upload(media, "private.txt", SECRET)
    options = {"authorize": "tests.apps.media_hooks:broken"}
    with frontend.start(static, media=media, media_options=options) as fetch:
        result = fetch("GET", "/media/private.txt", {})
        assert (result.status, result.body) == (404, b"")
