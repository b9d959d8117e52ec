"""walk_full: the writer's walk, with a reason for each entry it leaves out."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pinknoise.core import walker
from pinknoise.core.walker import Policy, WalkReport, walk_full


def test_reasons_for_everything_left_out(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "file.js").write_text("x")
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.js").write_text("a")
    (root / ".env").write_text("s")
    (root / "tab\tname.js").write_text("t")
    (root / "staticfiles.json").write_text("{}")
    (root / "out.js").symlink_to(outside / "file.js")
    (root / "outdir").symlink_to(outside / "dir", target_is_directory=True)
    (root / "again").symlink_to(root / "sub", target_is_directory=True)
    (root / "gone.js").symlink_to(root / "nowhere.js")
    (root / "ping").symlink_to(root / "ping")
    os.mkfifo(root / "fifo.js")
    report = WalkReport()
    listed = list(walk_full(Policy(str(root)), report, start=str(root)))
    assert [(rel, [n for n, _ in files]) for _, rel, files in listed] == [
        ("", []),
        ("again/", ["a.js"]),  # "again" sorts before "sub": the alias is walked, once
    ]
    assert all(isinstance(st, os.stat_result) for _, _, files in listed for _, st in files)
    assert report.errors == []
    assert {os.path.basename(p): why for p, why in report.skipped} == {
        ".env": walker.HIDDEN,
        "tab\tname.js": walker.UNSAFE_NAME,
        "staticfiles.json": walker.PRIVATE,
        "out.js": walker.OUTSIDE,
        "outdir": walker.OUTSIDE,
        "sub": walker.VISITED,
        "gone.js": walker.BROKEN,
        "ping": walker.LOOP,
        "fifo.js": walker.SPECIAL,
    }


def test_allowed_external_symlinks_still_never_enter_an_outside_directory(
    tmp_path: Path,
) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "file.js").write_text("x")
    root.mkdir()
    (root / "out.js").symlink_to(outside / "file.js")
    (root / "outdir").symlink_to(outside / "dir", target_is_directory=True)
    report = WalkReport()
    policy = Policy(str(root), allow_external_symlinks=True)
    listed = list(walk_full(policy, report))
    assert [[n for n, _ in files] for _, _, files in listed] == [["out.js"]]
    assert report.skipped == [(str(root / "outdir"), walker.OUTSIDE_DIR)]


@pytest.mark.parametrize(
    "name", ["a.js", ".a", "..", "a b", "tab\tb", "staticfiles.json", "ü.css", "a\\b", "%2e"]
)
@pytest.mark.parametrize("at_root", [True, False])
def test_refusal_is_the_reason_admits_name_refuses(name: str, at_root: bool) -> None:
    policy = Policy("/nowhere")
    assert (policy.refusal(name, at_root) is None) is policy.admits_name(name, at_root)
