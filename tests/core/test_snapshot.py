from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pinknoise import PinkNoise
from pinknoise.core.snapshot import SNAPSHOT_NAME, write_snapshot
from tests.checks import run_case
from tests.request_table import CASES
from tests.support.site import Site, write
from tests.support.wsgi_client import call, fallback_app


def _app(root: Path, **options: Any) -> PinkNoise:
    return PinkNoise(fallback_app, root, prefix="/static/", index_file=True, **options)


def test_request_table_from_a_snapshot(fresh_site: Site) -> None:
    write_snapshot(fresh_site.root)
    app = _app(fresh_site.root)
    for case in CASES:
        run_case(case, lambda m, t, h: call(app, m, t, h), fresh_site)


def test_snapshot_is_hidden_and_used(fresh_site: Site) -> None:
    path = write_snapshot(fresh_site.root)
    assert os.path.basename(path) == SNAPSHOT_NAME
    app = _app(fresh_site.root)
    assert call(app, "GET", "/static/" + SNAPSHOT_NAME).header("X-App") == "yes"


def test_files_added_after_the_snapshot_are_served(fresh_site: Site) -> None:
    """A build step that copies a bundle into STATIC_ROOT after collectstatic."""
    write_snapshot(fresh_site.root)
    write(fresh_site.root, "added-later.txt", b"new")
    write(fresh_site.root, "css/added.css", b"b{}")
    write(fresh_site.root, "bundle/deep/app.js", b"js")
    (fresh_site.root / "docs" / "page.html").unlink()
    app = _app(fresh_site.root)
    assert call(app, "GET", "/static/added-later.txt").body == b"new"
    assert call(app, "GET", "/static/css/added.css").body == b"b{}"
    assert call(app, "GET", "/static/bundle/deep/app.js").body == b"js"
    assert call(app, "GET", "/static/docs/page.html").header("X-App") == "yes"
    assert call(app, "GET", "/static/css/app.css").status == 200  # from the snapshot


def test_old_snapshot_format_is_walked_silently(
    fresh_site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    document = {"format": "pinknoise-catalog/1", "allow_external_symlinks": False,
                "directories": [["", [["digits.txt", 10, 0]]]]}  # fmt: skip
    (fresh_site.root / SNAPSHOT_NAME).write_text(json.dumps(document))
    with caplog.at_level(logging.WARNING, logger="pinknoise"):
        app = _app(fresh_site.root)
    assert "ignoring" not in caplog.text
    assert call(app, "GET", "/static/one.txt").body == b"x"


def test_changed_file_after_snapshot_is_served_fresh(fresh_site: Site) -> None:
    write_snapshot(fresh_site.root)
    path = fresh_site.root / "digits.txt"
    path.write_bytes(b"new content, longer")
    app = _app(fresh_site.root)
    result = call(app, "GET", "/static/digits.txt")
    assert result.body == b"new content, longer"
    assert result.header("Content-Length") == "19"


def test_snapshot_of_other_symlink_policy_is_ignored(fresh_site: Site) -> None:
    write_snapshot(fresh_site.root, allow_external_symlinks=True)
    app = _app(fresh_site.root)
    assert call(app, "GET", "/static/link-out.txt").header("X-App") == "yes"


@pytest.mark.parametrize(
    "directories",
    [
        [["", 0, [["../outside/secret.txt", 28, 0]]]],
        [["../", 0, [["secret.txt", 28, 0]]]],
        [["", 0, [[".secret", 8, 0]]]],
        [["x", 0, [["a", 1, 0]]]],
        [["", 0, [["a", -1, 0]]]],
        [["", 0, [["a", "1", 0]]]],
        [["", "0", [["a", 1, 0]]]],
        "nonsense",
    ],
)
def test_hostile_snapshots_are_refused(
    fresh_site: Site, directories: Any, caplog: pytest.LogCaptureFixture
) -> None:
    document = {"format": "pinknoise-catalog/2", "allow_external_symlinks": False,
                "directories": directories}  # fmt: skip
    (fresh_site.root / SNAPSHOT_NAME).write_text(json.dumps(document))
    with caplog.at_level(logging.WARNING, logger="pinknoise"):
        app = _app(fresh_site.root)
    assert "ignoring invalid snapshot" in caplog.text
    # Fell back to walking the tree: everything is served normally.
    assert call(app, "GET", "/static/digits.txt").body == b"0123456789"


def test_corrupt_snapshot_falls_back(fresh_site: Site, caplog: pytest.LogCaptureFixture) -> None:
    (fresh_site.root / SNAPSHOT_NAME).write_text("{not json")
    with caplog.at_level(logging.WARNING, logger="pinknoise"):
        app = _app(fresh_site.root)
    assert "unreadable snapshot" in caplog.text
    assert call(app, "GET", "/static/digits.txt").body == b"0123456789"


def test_start_up_from_snapshot_does_not_stat_files(
    fresh_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_snapshot(fresh_site.root)
    calls: list[str] = []
    real_scandir = os.scandir

    def counting_scandir(path: Any) -> Any:
        calls.append(str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", counting_scandir)
    _app(fresh_site.root)
    # Only the root is listed again: writing the snapshot into it changed its mtime.
    assert calls == [str(fresh_site.root)]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_snapshot_gets_the_mode_of_a_normal_file(fresh_site: Site, umask: int, mode: int) -> None:
    # collectstatic as one user, the server as another: the snapshot must be as readable
    # as the files it lists, not 0600 like a temporary file.
    script = (
        "import os, sys\n"
        f"os.umask({umask})\n"
        "from pinknoise.core.snapshot import write_snapshot\n"
        "write_snapshot(sys.argv[1])\n"
    )
    subprocess.run([sys.executable, "-c", script, str(fresh_site.root)], check=True)
    assert stat.S_IMODE(os.stat(fresh_site.root / SNAPSHOT_NAME).st_mode) == mode
    assert [p.name for p in fresh_site.root.iterdir() if p.name.startswith(".pinknoise")] == [
        SNAPSHOT_NAME
    ]
