"""Options and start-up behaviour of the WSGI adapter, on real files."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pinknoise import PinkNoise
from tests.support.site import Site, compress_all, write
from tests.support.wsgi_client import call

MakeApp = Callable[..., PinkNoise]
CSS = "/static/css/app.css"


def test_later_root_wins(tmp_path: Path, make_app: MakeApp) -> None:
    write(tmp_path / "a", "x.txt", b"first")
    write(tmp_path / "a", "only-a.txt", b"a")
    write(tmp_path / "b", "x.txt", b"second")
    app = make_app(tmp_path / "a")
    app.add_files(tmp_path / "b", prefix="static")
    assert call(app, "GET", "/static/x.txt").body == b"second"
    assert call(app, "GET", "/static/only-a.txt").body == b"a"


def test_several_prefixes(tmp_path: Path, make_app: MakeApp) -> None:
    write(tmp_path / "a", "x.txt", b"A")
    write(tmp_path / "b", "x.txt", b"B")
    app = make_app(tmp_path / "a", prefix="/one/")
    app.add_files(str(tmp_path / "b"), prefix="https://cdn.example.com/two")
    assert call(app, "GET", "/one/x.txt").body == b"A"
    assert call(app, "GET", "/two/x.txt").body == b"B"


def test_root_prefix_and_index(tmp_path: Path, make_app: MakeApp) -> None:
    write(tmp_path, "index.html", b"home")
    app = make_app(tmp_path, prefix="/", index_file=True)
    assert call(app, "GET", "/").body == b"home"
    assert call(app, "GET", "/index.html").header("Location") == "./"


def test_no_index_without_option(site: Site, make_app: MakeApp) -> None:
    app = make_app(site.root)
    assert call(app, "GET", "/static/").header("X-App") == "yes"
    assert call(app, "GET", "/static/index.html").body.startswith(b"<!doctype")


def test_custom_index_name(tmp_path: Path, make_app: MakeApp) -> None:
    write(tmp_path, "sub/default.htm", b"d")
    app = make_app(tmp_path, index_file="default.htm")
    assert call(app, "GET", "/static/sub/").body == b"d"
    assert call(app, "GET", "/static/sub").header("Location") == "sub/"


def test_unicode_redirect_is_percent_encoded(tmp_path: Path, make_app: MakeApp) -> None:
    write(tmp_path, "caf\u00e9 x/index.html", b"i")
    app = make_app(tmp_path, index_file=True)
    result = call(app, "GET", "/static/caf%C3%A9%20x")
    assert result.header("Location") == "caf%C3%A9%20x/"


def test_max_age_none_and_zero(site: Site, make_app: MakeApp) -> None:
    assert call(make_app(site.root, max_age=None), "GET", CSS).header("Cache-Control") is None
    assert call(make_app(site.root, max_age=0), "GET", CSS).header("Cache-Control") == (
        "max-age=0, public"
    )


def test_max_age_none_keeps_immutable(site: Site, make_app: MakeApp) -> None:
    # WhiteNoise's meaning: None removes the header of the files it applies to, those
    # without a content hash; a hashed file is immutable whatever max_age says.
    app = make_app(site.root, max_age=None)
    assert call(app, "GET", "/static/js/app.3f2a9c1b7d4e.js").header("Cache-Control") == (
        "max-age=31536000, public, immutable"
    )
    assert call(app, "GET", CSS).header("Cache-Control") is None


def test_no_cors(site: Site, make_app: MakeApp) -> None:
    result = call(make_app(site.root, allow_all_origins=False), "GET", CSS)
    assert result.header("Access-Control-Allow-Origin") is None


def test_custom_immutable_test(site: Site, make_app: MakeApp) -> None:
    app = make_app(site.root, immutable_file_test=lambda path, url: url.endswith(".css"))
    assert "immutable" in (call(app, "GET", CSS).header("Cache-Control") or "")
    assert "immutable" not in (
        call(app, "GET", "/static/js/app.3f2a9c1b7d4e.js").header("Cache-Control") or ""
    )


def test_add_headers_function(site: Site, make_app: MakeApp) -> None:
    seen: list[tuple[str, str]] = []

    def add_headers(headers: Any, path: str, url: str) -> None:
        seen.append((path, url))
        headers["X-Robots-Tag"] = "noindex"
        if url.endswith(".css"):
            headers["Cache-Control"] = "no-cache"
        headers["ETag"] = '"forged"'  # pinknoise owns validators; this is dropped

    app = make_app(site.root, add_headers_function=add_headers)
    result = call(app, "GET", CSS, {"Accept-Encoding": "br"})
    assert result.header("X-Robots-Tag") == "noindex"
    assert result.header("Cache-Control") == "no-cache"
    assert result.header("ETag") != '"forged"'
    assert [name for name, _ in result.headers].count("Cache-Control") == 1
    assert (str(site.root / "css" / "app.css"), CSS) in seen
    etag = result.header("ETag") or ""
    not_modified = call(app, "GET", CSS, {"Accept-Encoding": "br", "If-None-Match": etag})
    assert not_modified.status == 304
    assert not_modified.header("X-Robots-Tag") == "noindex"


def test_mimetypes_and_charset(tmp_path: Path, make_app: MakeApp) -> None:
    write(tmp_path, "a.foo", b"x")
    write(tmp_path, "b.txt", b"x")
    app = make_app(tmp_path, mimetypes={".foo": "text/x-foo"}, charset="iso-8859-1")
    assert call(app, "GET", "/static/a.foo").header("Content-Type") == (
        "text/x-foo; charset=iso-8859-1"
    )
    assert call(app, "GET", "/static/b.txt").header("Content-Type") == (
        "text/plain; charset=iso-8859-1"
    )


def test_encodings_option(site: Site, make_app: MakeApp) -> None:
    gzip_first = make_app(site.root, encodings=["gzip", "br"])
    result = call(gzip_first, "GET", CSS, {"Accept-Encoding": "br, gzip, zstd"})
    assert result.header("Content-Encoding") == "gzip"
    none = make_app(site.root, encodings=[])
    result = call(none, "GET", CSS, {"Accept-Encoding": "br, gzip, zstd"})
    assert result.header("Content-Encoding") is None
    assert result.header("Vary") is None


def test_external_symlinks_opt_in(site: Site, make_app: MakeApp) -> None:
    app = make_app(site.root, allow_external_symlinks=True)
    assert call(app, "GET", "/static/link-out.txt").body.startswith(b"TOP SECRET")


def test_missing_root_warns(tmp_path: Path, make_app: MakeApp, caplog: Any) -> None:
    with caplog.at_level(logging.WARNING, logger="pinknoise"):
        app = make_app(tmp_path / "not-yet")
    assert "does not exist" in caplog.text
    assert call(app, "GET", "/static/x").header("X-App") == "yes"


def test_root_that_is_a_file_is_an_error(tmp_path: Path, make_app: MakeApp) -> None:
    write(tmp_path, "f", b"")
    with pytest.raises(ValueError, match="not a directory"):
        make_app(tmp_path / "f")


def test_stale_variants_are_reported(site: Site, make_app: MakeApp, caplog: Any) -> None:
    with caplog.at_level(logging.WARNING, logger="pinknoise"):
        make_app(site.root)
    assert "stale.js.gz" in caplog.text


def test_directory_named_like_a_file(tmp_path: Path, make_app: MakeApp) -> None:
    write(tmp_path, "odd.css/inner.txt", b"inner")
    app = make_app(tmp_path)
    assert call(app, "GET", "/static/odd.css").header("X-App") == "yes"
    assert call(app, "GET", "/static/odd.css/inner.txt").body == b"inner"


def test_unreadable_directory_is_skipped(
    tmp_path: Path, make_app: MakeApp, caplog: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, who can read any directory: simulate the permission error.
    write(tmp_path, "ok.txt", b"ok")
    write(tmp_path, "locked/x.txt", b"x")
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with caplog.at_level(logging.WARNING, logger="pinknoise"):
        app = make_app(tmp_path)
    assert "locked" in caplog.text
    assert call(app, "GET", "/static/ok.txt").body == b"ok"


def test_no_application_gives_404(site: Site) -> None:
    app = PinkNoise(None, site.root, prefix="static")
    result = call(app, "GET", "/static/nope")
    assert result.status == 404
    assert result.body == b"Not Found"


def test_file_wrapper_used_for_whole_files_only(site: Site, wsgi_app: PinkNoise) -> None:
    from tests.support.wsgi_client import FileWrapper

    # big.bin (300 KB) is above the memory cache's per-file limit: it goes by sendfile.
    before = FileWrapper.used
    call(wsgi_app, "GET", "/static/big.bin")
    assert FileWrapper.used == before + 1
    call(wsgi_app, "GET", "/static/big.bin", {"Range": "bytes=1-2"})
    call(wsgi_app, "HEAD", "/static/big.bin")
    call(wsgi_app, "GET", CSS)
    assert FileWrapper.used == before + 1


# --- files that change under a running server ------------------------------------------


def _bump(path: Path) -> None:
    """Make the next write visibly newer even on coarse-timestamp file systems."""
    stamp = time.time_ns() + 2_000_000_000
    os.utime(path, ns=(stamp, stamp))


def test_rewritten_file_is_served_fresh(fresh_site: Site, make_app: MakeApp) -> None:
    app = make_app(fresh_site.root, recheck_interval=0)
    path = fresh_site.root / "digits.txt"
    assert call(app, "GET", "/static/digits.txt").body == b"0123456789"
    path.write_bytes(b"changed and longer")
    _bump(path)
    result = call(app, "GET", "/static/digits.txt")
    assert result.body == b"changed and longer"
    assert result.header("Content-Length") == str(len(b"changed and longer"))


def test_same_size_rewrite_gets_new_etag(fresh_site: Site, make_app: MakeApp) -> None:
    app = make_app(fresh_site.root, recheck_interval=0)
    path = fresh_site.root / "digits.txt"
    old = call(app, "GET", "/static/digits.txt").header("ETag")
    path.write_bytes(b"abcdefghij")
    _bump(path)
    result = call(app, "GET", "/static/digits.txt")
    assert (result.body, result.header("ETag") != old) == (b"abcdefghij", True)


def test_deleted_file_falls_through(fresh_site: Site, make_app: MakeApp) -> None:
    app = make_app(fresh_site.root)
    (fresh_site.root / "digits.txt").unlink()
    assert call(app, "GET", "/static/digits.txt").header("X-App") == "yes"


def test_truncated_file_during_range(fresh_site: Site, make_app: MakeApp) -> None:
    app = make_app(fresh_site.root)
    path = fresh_site.root / "big.bin"
    path.write_bytes(b"short")
    _bump(path)
    result = call(app, "GET", "/static/big.bin", {"Range": "bytes=100000-100099"})
    assert result.status == 416
    assert result.header("Content-Range") == "bytes */5"


def test_edited_source_drops_its_old_variant(fresh_site: Site, make_app: MakeApp) -> None:
    app = make_app(fresh_site.root)
    path = fresh_site.root / "css" / "app.css"
    path.write_bytes(b"body { color: red }" * 10)
    _bump(path)
    result = call(app, "GET", CSS, {"Accept-Encoding": "br, gzip"})
    assert result.header("Content-Encoding") is None
    assert result.body == b"body { color: red }" * 10


# --- autorefresh ---------------------------------------------------------------------------


def test_autorefresh_sees_new_and_changed_files(tmp_path: Path, make_app: MakeApp) -> None:
    app = make_app(tmp_path, autorefresh=True, index_file=True)
    assert call(app, "GET", "/static/new.css").header("X-App") == "yes"
    path = write(tmp_path, "new.css", b"a { }" * 100)
    assert call(app, "GET", "/static/new.css").body == b"a { }" * 100
    compress_all(path, ("gzip",))
    assert (
        call(app, "GET", "/static/new.css", {"Accept-Encoding": "gzip"}).header("Content-Encoding")
        == "gzip"
    )
    write(tmp_path, "sub/index.html", b"idx")
    assert call(app, "GET", "/static/sub/").body == b"idx"
    assert call(app, "GET", "/static/sub").header("Location") == "sub/"
    assert call(app, "GET", "/static/sub/index.html").header("Location") == "./"


@pytest.mark.parametrize("autorefresh", [False, True])
def test_directory_alias_served_under_both_names(
    tmp_path: Path, make_app: MakeApp, autorefresh: bool
) -> None:
    write(tmp_path, "v2/app.js", b"v2")
    (tmp_path / "current").symlink_to(tmp_path / "v2", target_is_directory=True)
    (tmp_path / "v2" / "up").symlink_to(tmp_path, target_is_directory=True)
    app = make_app(tmp_path, autorefresh=autorefresh)
    assert call(app, "GET", "/static/current/app.js").body == b"v2"
    assert call(app, "GET", "/static/v2/app.js").body == b"v2"
    assert call(app, "GET", "/static/v2/up/v2/app.js").header("X-App") == "yes"


# --- the memory cache for small bodies -----------------------------------------------------


def test_memory_cache_serves_edits(fresh_site: Site, make_app: MakeApp) -> None:
    app = make_app(fresh_site.root, recheck_interval=0)
    path = fresh_site.root / "digits.txt"
    for _ in range(3):
        assert call(app, "GET", "/static/digits.txt").body == b"0123456789"
    path.write_bytes(b"9876543210")
    _bump(path)
    assert call(app, "GET", "/static/digits.txt").body == b"9876543210"
    assert call(app, "GET", "/static/digits.txt", {"Range": "bytes=-2"}).body == b"10"


def test_memory_cache_is_bounded(site: Site, make_app: MakeApp) -> None:
    app = make_app(site.root, memory_cache_budget=25_000, memory_cache_max_file_size=21_000)
    for target in (CSS, "/static/js/app.3f2a9c1b7d4e.js", "/static/big.bin", "/static/one.txt"):
        call(app, "GET", target)
    catalog = app.server.catalog
    held = {
        url: rep.data is not None
        for url in ("/static/css/app.css", "/static/big.bin", "/static/one.txt")
        for rep in [catalog[url].identity]  # type: ignore[union-attr]
    }
    # app.css (20,000 B) fits; the 30,000 B script is over the per-file limit;
    # big.bin is over both; one.txt (1 B) still fits in what the budget has left.
    assert held == {"/static/css/app.css": True, "/static/big.bin": False, "/static/one.txt": True}
    assert app.server._cached_bytes <= 25_000


def test_entries_prepared_lazily_unless_a_callback_could_fail(
    site: Site, make_app: MakeApp
) -> None:
    def pending(app: PinkNoise) -> bool:
        return isinstance(app.server.catalog[CSS], tuple)

    assert pending(make_app(site.root))
    assert pending(make_app(site.root, immutable_file_test=r"\.css$"))
    assert not pending(make_app(site.root, immutable_file_test=lambda path, url: False))
    assert not pending(make_app(site.root, add_headers_function=lambda h, p, u: None))


def test_a_failing_callback_fails_at_start_up(site: Site, make_app: MakeApp) -> None:
    def broken(path: str, url: str) -> bool:
        raise RuntimeError("broken test")

    with pytest.raises(RuntimeError, match="broken test"):
        make_app(site.root, immutable_file_test=broken)


def test_recheck_interval_trusts_held_bytes_for_a_while(
    fresh_site: Site, make_app: MakeApp
) -> None:
    app = make_app(fresh_site.root, recheck_interval=0.3)
    path = fresh_site.root / "digits.txt"
    first = call(app, "GET", "/static/digits.txt")
    path.write_bytes(b"a new body, longer than before")
    _bump(path)
    # Within the interval: the old bytes, with their own (old) headers.
    held = call(app, "GET", "/static/digits.txt")
    assert (held.body, held.header("ETag")) == (first.body, first.header("ETag"))
    time.sleep(0.4)
    fresh = call(app, "GET", "/static/digits.txt")
    assert fresh.body == b"a new body, longer than before"
    assert fresh.header("Content-Length") == str(len(fresh.body))
